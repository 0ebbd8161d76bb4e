using System;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Xunit;

namespace RnnGen.Tests.Generated;

/// <summary>
/// The threading contract: one model instance serves one thread at a time. A call that overlaps another thread's
/// call on the same instance throws <see cref="InvalidOperationException"/> before it changes anything (it is never
/// silently wrong); separate instances run in parallel and give exactly their single-threaded numbers.
/// </summary>
public sealed class ConcurrencyTests
{
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task TwoThreadsHammeringForwardOnOneModelAreRefusedAndNeverWrong()
    {
        const int T = SharedLstm.SequenceLength, B = SharedLstm.BatchSize, I = SharedLstm.InputSize, O = SharedLstm.OutputSize;
        var model = new SharedLstm(seed: 3);
        float[][] inputs = [Contract.Floats(B * T * I, seed: 1), Contract.Floats(B * T * I, seed: 2)];
        float[][] expected = inputs.Select(x => Forward(new SharedLstm(seed: 3), x)).ToArray();

        int refused = 0, wrong = 0, succeeded = 0;
        var messages = new ConcurrentBag<string>();
        var clock = Stopwatch.StartNew();
        using var start = new Barrier(2);
        Task[] threads = [.. Enumerable.Range(0, 2).Select(who => Task.Factory.StartNew(() =>
        {
            var output = new float[B * T * O];
            start.SignalAndWait();
            for (int i = 0; clock.Elapsed < Budget && (i < 300 || Volatile.Read(ref refused) == 0); i++)
            {
                try
                {
                    model.Forward(inputs[who], output);
                    Interlocked.Increment(ref succeeded);
                    if (!output.AsSpan().SequenceEqual(expected[who]))
                    {
                        Interlocked.Increment(ref wrong);
                    }
                }
                catch (InvalidOperationException e)
                {
                    Interlocked.Increment(ref refused);
                    messages.Add(e.Message);
                }
            }
        }, TaskCreationOptions.LongRunning))];
        await Task.WhenAll(threads);

        Assert.True(wrong == 0, $"{wrong} of {succeeded} successful Forwards returned wrong numbers");
        Assert.True(refused > 0, $"no call was refused in {succeeded} Forwards on two threads ({clock.Elapsed.TotalSeconds:F1} s)");
        Assert.All(messages, m =>
        {
            Assert.Contains("SharedLstm.Forward was called while", m, StringComparison.Ordinal);
            Assert.Contains("one thread at a time", m, StringComparison.Ordinal);
        });

        // The refusals changed nothing: the model still gives the single-threaded numbers.
        Assert.Equal(expected[0], Forward(model, inputs[0]));
    }

    [Fact]
    public async Task InterleavedTrainingAndStreamingOnOneModelAreNeverSilentlyWrong()
    {
        // Thread A trains (ZeroGradients, Forward, Loss, Backward, then reads the gradients); thread B streams
        // (ResetState, then Steps of 2 rows). Every call either throws or is right: a Step between A's Forward and
        // its Loss makes the Loss throw (Step's activations are one step's), and a refused call changes nothing,
        // so B simply retries it. A restarts its iteration after any refusal.
        const int T = SharedLstm.SequenceLength, B = SharedLstm.BatchSize, I = SharedLstm.InputSize, O = SharedLstm.OutputSize;
        var model = new SharedLstm(seed: 4);
        float[] x = Contract.Floats(B * T * I, seed: 5), y = Contract.Floats(B * T * O, seed: 6);
        float[][] steps = [.. Enumerable.Range(0, 6).Select(t => Contract.Floats(2 * I, seed: 10 + t))];

        var reference = new SharedLstm(seed: 4);
        reference.Forward(x, new float[B * T * O]);
        float expectedLoss = reference.Loss(y);
        reference.Backward();
        float[] expectedGradients = reference.Gradients.ReadOnlyData.ToArray();
        float[] expectedInputGradient = reference.InputGradient.ToArray();
        float[][] expectedSteps = [.. steps.Select(s =>
        {
            var o = new float[2 * O];
            reference.Step(s, o);
            return o;
        })];

        int trained = 0, streams = 0, refused = 0;
        var failures = new ConcurrentBag<string>();
        var clock = Stopwatch.StartNew();
        using var start = new Barrier(2);
        bool Running() => clock.Elapsed < Budget && (Volatile.Read(ref trained) < 100 || Volatile.Read(ref streams) < 100 || Volatile.Read(ref refused) == 0);
        void Retry(Action call)
        {
            while (true)
            {
                try
                {
                    call();
                    return;
                }
                catch (InvalidOperationException)
                {
                    Interlocked.Increment(ref refused);
                }
            }
        }

        Task training = Task.Factory.StartNew(() =>
        {
            var output = new float[B * T * O];
            start.SignalAndWait();
            while (Running())
            {
                try
                {
                    model.ZeroGradients();
                    model.Forward(x, output);
                    float loss = model.Loss(y);
                    model.Backward();
                    if (BitConverter.SingleToInt32Bits(loss) != BitConverter.SingleToInt32Bits(expectedLoss) ||
                        !model.Gradients.ReadOnlyData.SequenceEqual(expectedGradients) ||
                        !model.InputGradient.SequenceEqual(expectedInputGradient))
                    {
                        failures.Add($"training iteration {trained}: loss {loss:R}, expected {expectedLoss:R}, or wrong gradients");
                    }

                    Interlocked.Increment(ref trained);
                }
                catch (InvalidOperationException)
                {
                    Interlocked.Increment(ref refused);
                }
            }
        }, TaskCreationOptions.LongRunning);
        Task streaming = Task.Factory.StartNew(() =>
        {
            var output = new float[2 * O];
            start.SignalAndWait();
            while (Running())
            {
                Retry(model.ResetState);
                for (int t = 0; t < steps.Length; t++)
                {
                    Retry(() => model.Step(steps[t], output));
                    if (!output.AsSpan().SequenceEqual(expectedSteps[t]))
                    {
                        failures.Add($"stream {streams}, step {t}: wrong output");
                    }
                }

                Interlocked.Increment(ref streams);
            }
        }, TaskCreationOptions.LongRunning);
        await Task.WhenAll(training, streaming);

        Assert.True(failures.IsEmpty, string.Join(Environment.NewLine, failures.Take(10)));
        Assert.True(trained > 0 && streams > 0, $"{trained} training iterations and {streams} streams completed");
        Assert.True(refused > 0, $"no call was refused in {trained} training iterations and {streams} streams");
    }

    [Fact]
    public async Task ZeroGradientsAndResetStateRefuseToRunDuringAnotherThreadsCall()
    {
        // Thread A keeps the model busy with Forwards (which read neither Gradients nor write InitialState); the test
        // thread calls ZeroGradients and ResetState. When refused they must leave Gradients and InitialState as they
        // were; when they run (between A's calls) the values are restored for the next try.
        var model = new SlowLstm(seed: 1);
        const int T = SlowLstm.SequenceLength, B = SlowLstm.BatchSize, I = SlowLstm.InputSize, O = SlowLstm.OutputSize;
        float[] x = Contract.Floats(B * T * I, seed: 2);
        Contract.Randomize(model.Gradients, seed: 3);
        Contract.Randomize(model.InitialState, seed: 4);
        ParameterSet gradients = Contract.Copy(model.Gradients), state = Contract.Copy(model.InitialState);

        int zeroRefused = 0, resetRefused = 0;
        var clock = Stopwatch.StartNew();
        bool stop = false;
        Task busy = Task.Factory.StartNew(() =>
        {
            var output = new float[B * T * O];
            while (!Volatile.Read(ref stop))
            {
                model.Forward(x, output);
            }
        }, TaskCreationOptions.LongRunning);

        try
        {
            while (clock.Elapsed < Budget && (zeroRefused < 3 || resetRefused < 3) && !busy.IsCompleted)
            {
                Thread.Sleep(1);
                try
                {
                    model.ZeroGradients();
                    model.Gradients.CopyFrom(gradients);
                }
                catch (InvalidOperationException e)
                {
                    zeroRefused++;
                    Assert.Contains("SlowLstm.ZeroGradients was called while", e.Message, StringComparison.Ordinal);
                    Contract.Bitwise(gradients, model.Gradients, "Gradients after a refused ZeroGradients");
                }

                try
                {
                    model.ResetState();
                    model.InitialState.CopyFrom(state);
                }
                catch (InvalidOperationException e)
                {
                    resetRefused++;
                    Assert.Contains("SlowLstm.ResetState was called while", e.Message, StringComparison.Ordinal);
                    Contract.Bitwise(state, model.InitialState, "InitialState after a refused ResetState");
                }
            }
        }
        finally
        {
            Volatile.Write(ref stop, true);
            await busy;
        }

        Assert.True(zeroRefused >= 3 && resetRefused >= 3, $"refused: ZeroGradients {zeroRefused}, ResetState {resetRefused} times in {clock.Elapsed.TotalSeconds:F1} s");
    }

    [Fact]
    public async Task ManyInstancesRunInParallelWithTheirSingleThreadedNumbers()
    {
        // Both batch paths, with products large enough to be split over the worker pool (which serves one dispatch at
        // a time and runs the others' parts on their own threads).
        const int PerKind = 4, Rounds = 3;
        Func<int, IRnnModel<float>>[] kinds = [seed => new ParallelSmallBatch(seed), seed => new ParallelLargeBatch(seed)];
        var jobs = (from kind in Enumerable.Range(0, kinds.Length)
                    from instance in Enumerable.Range(0, PerKind)
                    select (Create: kinds[kind], Seed: (kind * 100) + instance)).ToArray();
        float[][] expected = jobs.Select(job => Train(job.Create(job.Seed), job.Seed, Rounds)).ToArray();

        var actual = new float[jobs.Length][];
        using var start = new Barrier(jobs.Length);
        Task[] tasks = [.. jobs.Select((job, i) => Task.Factory.StartNew(() =>
        {
            IRnnModel<float> model = job.Create(job.Seed);
            start.SignalAndWait();
            actual[i] = Train(model, job.Seed, Rounds);
        }, TaskCreationOptions.LongRunning))];
        await Task.WhenAll(tasks);

        for (int i = 0; i < jobs.Length; i++)
        {
            Contract.Bitwise(expected[i], actual[i], $"instance {i} (seed {jobs[i].Seed})");
        }
    }

    /// <summary>Rounds of Forward, Loss, Backward and a few Steps; every number produced, concatenated.</summary>
    private static float[] Train(IRnnModel<float> model, int seed, int rounds)
    {
        var loss = (ILossModel<float>)model;
        int b = model.BatchSize, t = model.SequenceLength, i = model.InputSize, o = model.OutputSize;
        var results = new System.Collections.Generic.List<float>();
        var output = new float[b * t * o];
        var step = new float[b * o];
        for (int round = 0; round < rounds; round++)
        {
            model.Forward(Contract.Floats(b * t * i, seed + round), output);
            results.AddRange(output);
            model.ZeroGradients();
            results.Add(loss.Loss(Contract.Floats(b * t * o, seed + round + 50)));
            loss.Backward();
            results.AddRange(model.Gradients.ReadOnlyData.ToArray());
            results.AddRange(model.InputGradient.ToArray());
            for (int s = 0; s < 3; s++)
            {
                model.Step(Contract.Floats(b * i, seed + round + s + 90), step);
                results.AddRange(step);
            }
        }

        return results.ToArray();
    }

    private static float[] Forward(SharedLstm model, float[] input)
    {
        var output = new float[SharedLstm.BatchSize * SharedLstm.SequenceLength * SharedLstm.OutputSize];
        model.Forward(input, output);
        return output;
    }
}
