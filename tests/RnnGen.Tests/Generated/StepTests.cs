using System;
using System.Collections.Generic;
using System.Linq;
using Xunit;

namespace RnnGen.Tests.Generated;

/// <summary>
/// Streaming: <c>Step</c> gives exactly the numbers <c>Forward</c> gives at the same position, for every cell kind,
/// stacks, learned initial states, token input, last-step outputs and both batch paths; over partial batches; from a
/// set initial state; and <c>ResetState</c> restarts the stream. Exactly means bit for bit: every product's per-row
/// result is designed not to depend on how many rows the product has, so one step of B rows and T steps of B rows
/// round alike.
/// </summary>
public sealed class StepTests
{
    private const int Seed = 11;

    private static readonly Dictionary<string, Func<IRnnModel<float>>> FloatModels = new()
    {
        ["StepTanh3"] = () => new StepTanh3(Seed),
        ["StepTanh12"] = () => new StepTanh12(Seed),
        ["StepRelu3"] = () => new StepRelu3(Seed),
        ["StepRelu12"] = () => new StepRelu12(Seed),
        ["StepLstm3"] = () => new StepLstm3(Seed),
        ["StepLstm12"] = () => new StepLstm12(Seed),
        ["StepPeephole3"] = () => new StepPeephole3(Seed),
        ["StepPeephole12"] = () => new StepPeephole12(Seed),
        ["StepLayerNorm3"] = () => new StepLayerNorm3(Seed),
        ["StepLayerNorm12"] = () => new StepLayerNorm12(Seed),
        ["StepProjection3"] = () => new StepProjection3(Seed),
        ["StepProjection12"] = () => new StepProjection12(Seed),
        ["StepGru3"] = () => new StepGru3(Seed),
        ["StepGru12"] = () => new StepGru12(Seed),
        ["StepStack3"] = () => new StepStack3(Seed),
        ["StepStack12"] = () => new StepStack12(Seed),
        ["StepLearned3"] = () => new StepLearned3(Seed),
        ["StepLearned12"] = () => new StepLearned12(Seed),
        ["StepLast3"] = () => new StepLast3(Seed),
        ["StepLast12"] = () => new StepLast12(Seed),
        ["StepWide3"] = () => new StepWide3(Seed),
        ["StepWide12"] = () => new StepWide12(Seed),
    };

    private static readonly Dictionary<string, Func<IRnnModel<int>>> TokenModels = new()
    {
        ["StepTokens3"] = () => new StepTokens3(Seed),
        ["StepTokens12"] = () => new StepTokens12(Seed),
    };

    /// <summary>Every model at its full batch, one row less, one row, and (for B = 12) 5 rows, which a packed model runs like any other count.</summary>
    public static IEnumerable<object[]> FloatCases() => Cases(FloatModels.Keys, name => FloatModels[name]().BatchSize);

    public static IEnumerable<object[]> TokenCases() => Cases(TokenModels.Keys, name => TokenModels[name]().BatchSize);

    private static IEnumerable<object[]> Cases(IEnumerable<string> names, Func<string, int> batch)
    {
        foreach (string name in names)
        {
            int b = batch(name);
            foreach (int rows in new[] { b, b - 1, b > 5 ? 5 : 0, 1 }.Where(r => r > 0).Distinct())
            {
                yield return [name, rows];
            }
        }
    }

    [Theory]
    [MemberData(nameof(FloatCases))]
    public void StepEqualsForwardAtEveryPosition(string model, int rows) => CheckStepEqualsForward(FloatModels[model](), rows);

    [Theory]
    [MemberData(nameof(TokenCases))]
    public void StepOfTokenIdsEqualsForwardAtEveryPosition(string model, int rows) => CheckStepEqualsForward(TokenModels[model](), rows);

    /// <summary>
    /// Forward over whole sequences, then Step through the same sequences: each step's output is Forward's at that
    /// position (for a model that outputs only the last step: Forward's with every length = t + 1), and the stream's
    /// state after the last step is Forward's final state.
    /// </summary>
    private static void CheckStepEqualsForward<TInput>(IRnnModel<TInput> model, int rows)
        where TInput : unmanaged
    {
        int steps = model.SequenceLength, width = model.InputSize, outputs = model.OutputSize;
        TInput[] input = Contract.Input(model, rows, steps, seed: 100 + rows);
        var expected = new float[steps][];
        if (model.SequenceOutput)
        {
            var full = new float[rows * steps * outputs];
            model.Forward(input, full);
            for (int t = 0; t < steps; t++)
            {
                expected[t] = Enumerable.Range(0, rows).SelectMany(b => full.AsSpan(((b * steps) + t) * outputs, outputs).ToArray()).ToArray();
            }
        }
        else
        {
            for (int t = 0; t < steps; t++)
            {
                expected[t] = new float[rows * outputs];
                model.Forward(input, expected[t], Enumerable.Repeat(t + 1, rows).ToArray());
            }
        }

        float[] finalState = Contract.StateRows(model.FinalState, rows);
        model.ResetState();
        var output = new float[rows * outputs];
        for (int t = 0; t < steps; t++)
        {
            model.Step(Contract.At(input, rows, steps, width, t), output);
            Contract.Bitwise(expected[t], output, $"Step output at t = {t} ({rows} rows)");
        }

        Contract.Bitwise(finalState, Contract.StateRows(model.FinalState, rows), "FinalState after the last Step");
    }

    [Theory]
    [InlineData("StepLstm3")]
    [InlineData("StepLstm12")]
    [InlineData("StepProjection12")]
    [InlineData("StepGru3")]
    [InlineData("StepStack12")]
    [InlineData("StepLast3")]
    public void StepStartsFromTheInitialStateSetBeforeTheStream(string name)
    {
        IRnnModel<float> model = FloatModels[name]();
        int b = model.BatchSize, steps = model.SequenceLength;
        float[] input = Contract.Floats(b * steps * model.InputSize, seed: 5);
        Contract.Randomize(model.InitialState, seed: 40);
        float[] expected = StepOutputs(FloatModels[name](), input, model.InitialState);

        // Forward from the same state agrees (the stream is fresh: no Step yet).
        var forward = new float[b * (model.SequenceOutput ? steps : 1) * model.OutputSize];
        model.Forward(input, forward);
        if (model.SequenceOutput)
        {
            Contract.Bitwise(forward, ToBatchFirst(expected, b, steps, model.OutputSize), "Forward from InitialState vs Step");
        }

        // ResetState zeroes InitialState and restarts the stream: a state set after it starts the next stream.
        Steps(model, input, b);
        model.ResetState();
        Assert.All(model.InitialState.ReadOnlyData.ToArray(), v => Assert.Equal(0f, v));
        Contract.Randomize(model.InitialState, seed: 40);
        Contract.Bitwise(expected, Steps(model, input, b), "Step after ResetState and a new InitialState");
    }

    [Theory]
    [InlineData("StepLstm3")]
    [InlineData("StepGru12")]
    [InlineData("StepLearned3")]
    [InlineData("StepLearned12")]
    [InlineData("StepTokens12")]
    public void ResetStateRestartsTheStreamAndWithoutItTheStreamContinues(string name)
    {
        if (TokenModels.TryGetValue(name, out Func<IRnnModel<int>>? tokens))
        {
            CheckRestartAndContinue(tokens);
        }
        else
        {
            CheckRestartAndContinue(FloatModels[name]);
        }
    }

    /// <summary>
    /// Two passes of Steps with ResetState between give the same outputs; without it the second pass continues the
    /// stream, exactly like a second Forward with CarryState.
    /// </summary>
    private static void CheckRestartAndContinue<TInput>(Func<IRnnModel<TInput>> create)
        where TInput : unmanaged
    {
        IRnnModel<TInput> model = create();
        int b = model.BatchSize, steps = model.SequenceLength, o = model.OutputSize;
        TInput[] first = Contract.Input(model, b, steps, seed: 1), second = Contract.Input(model, b, steps, seed: 2);
        float[] a = Steps(model, first, b);
        model.ResetState();
        Contract.Bitwise(a, Steps(model, first, b), "second stream after ResetState");

        float[] continued = Steps(model, second, b);
        IRnnModel<TInput> carried = create();
        carried.CarryState = true;
        var ignored = new float[b * steps * o];
        var forward = new float[b * steps * o];
        carried.Forward(first, ignored);
        carried.Forward(second, forward);
        Contract.Bitwise(forward, ToBatchFirst(continued, b, steps, o), "continued stream vs Forward with CarryState");
    }

    [Theory]
    [InlineData("StepLstm3")]
    [InlineData("StepGru12")]
    [InlineData("StepLearned3")]
    [InlineData("StepLearned12")]
    public void ARowThatJoinsARunningStreamStartsFromTheStreamsStartState(string name)
    {
        // A stream run with 2 rows, then with 3: row 2's first step starts where every row starts (the learned
        // state, or InitialState as it was when the stream started), like row 2 of a stream that always had 3 rows.
        IRnnModel<float> model = FloatModels[name]();
        int i = model.InputSize, o = model.OutputSize;
        Contract.Randomize(model.InitialState, seed: 3);
        float[] x0 = Contract.Floats(3 * i, seed: 8), x1 = Contract.Floats(3 * i, seed: 9);
        var output = new float[3 * o];
        model.Step(x0.AsSpan(0, 2 * i), output.AsSpan(0, 2 * o));
        model.Step(x1, output);

        IRnnModel<float> fresh = FloatModels[name]();
        Contract.Randomize(fresh.InitialState, seed: 3);
        var expected = new float[3 * o];
        fresh.Step(x1, expected);
        Contract.Bitwise(expected.AsSpan(2 * o, o), output.AsSpan(2 * o, o), "row 2, joining at the second step");
    }

    [Theory]
    [InlineData("StepLstm3")]
    [InlineData("StepLstm12")]
    [InlineData("StepLayerNorm12")]
    [InlineData("StepProjection3")]
    [InlineData("StepStack3")]
    [InlineData("StepLearned12")]
    [InlineData("StepLast12")]
    [InlineData("StepWide3")]
    [InlineData("StepWide12")]
    [InlineData("StepTokens12")]
    public void StepAndForwardAllocateNothing(string name)
    {
        if (TokenModels.TryGetValue(name, out Func<IRnnModel<int>>? tokens))
        {
            CheckNoAllocation(tokens());
        }
        else
        {
            CheckNoAllocation(FloatModels[name]());
        }
    }

    private static void CheckNoAllocation<TInput>(IRnnModel<TInput> model)
        where TInput : unmanaged
    {
        int b = model.BatchSize, steps = model.SequenceLength;
        TInput[] input = Contract.Input(model, b, steps, seed: 4);
        TInput[] step = Contract.At(input, b, steps, model.InputSize, 0);
        var output = new float[b * model.OutputSize];
        var sequence = new float[b * (model.SequenceOutput ? steps : 1) * model.OutputSize];

        // Warm up: the first calls pack weights and may start the worker pool.
        for (int i = 0; i < 3; i++)
        {
            model.Step(step, output);
            model.Forward(input, sequence);
        }

        long stepBytes = AllocatedWithoutGc(() =>
        {
            for (int i = 0; i < 500; i++)
            {
                model.Step(step, output);
            }
        });
        long forwardBytes = AllocatedWithoutGc(() =>
        {
            for (int i = 0; i < 20; i++)
            {
                model.Forward(input, sequence);
            }
        });
        Assert.True(stepBytes == 0, $"500 Steps allocated {stepBytes} bytes");
        Assert.True(forwardBytes == 0, $"20 Forwards allocated {forwardBytes} bytes");
    }

    /// <summary>
    /// The fewest bytes <paramref name="calls"/> allocates on this thread over five runs, counting only runs during which
    /// no garbage collection happened. A collection (started by another test's allocations) retires this thread's
    /// allocation context, whose unused remainder then counts as allocated; the runtime itself sometimes allocates once
    /// on the calling thread (tiered compilation installing a method's next tier: 1,488 bytes once in a CI run). A call
    /// that really allocates does so in every run, so the minimum is zero only if the calls allocate nothing.
    /// </summary>
    private static long AllocatedWithoutGc(Action calls)
    {
        long fewest = long.MaxValue;
        for (int attempt = 0, clean = 0; clean < 5 && attempt < 40; attempt++)
        {
            int collections = GC.CollectionCount(0);
            long before = GC.GetAllocatedBytesForCurrentThread();
            calls();
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            if (GC.CollectionCount(0) == collections)
            {
                clean++;
                fewest = Math.Min(fewest, allocated);
            }
            else if (attempt == 39 && fewest == long.MaxValue)
            {
                fewest = allocated;
            }
        }

        return fewest;
    }

    [Fact]
    public void ABidirectionalModelRefusesStepThroughTheInterfaceSayingWhy()
    {
        IRnnModel<float> model = new StepBidirectional(Seed);
        Assert.False(model.CanStep);
        Assert.True(((IRnnModel)new StepLstm3()).CanStep);
        var error = Assert.Throws<NotSupportedException>(() => model.Step(new float[StepBidirectional.InputSize], new float[StepBidirectional.OutputSize]));
        Assert.Contains("bidirectional", error.Message, StringComparison.Ordinal);
        Assert.Contains("Forward", error.Message, StringComparison.Ordinal);

        // The refusal changed nothing: Forward still works and gives what a fresh model gives.
        float[] input = Contract.Floats(StepBidirectional.BatchSize * StepBidirectional.SequenceLength * StepBidirectional.InputSize, seed: 2);
        var output = new float[StepBidirectional.BatchSize * StepBidirectional.SequenceLength * StepBidirectional.OutputSize];
        var expected = new float[output.Length];
        model.Forward(input, output);
        new StepBidirectional(Seed).Forward(input, expected);
        Contract.Bitwise(expected, output, "Forward after the refused Step");
    }

    /// <summary>Steps through every position of a batch-first input; the outputs, time-major [T, rows, O].</summary>
    private static float[] Steps<TInput>(IRnnModel<TInput> model, TInput[] input, int rows)
        where TInput : unmanaged
    {
        int steps = model.SequenceLength, o = model.OutputSize;
        var outputs = new float[steps * rows * o];
        for (int t = 0; t < steps; t++)
        {
            model.Step(Contract.At(input, rows, steps, model.InputSize, t), outputs.AsSpan(t * rows * o, rows * o));
        }

        return outputs;
    }

    /// <summary>The Step outputs of a fresh model whose InitialState is <paramref name="state"/>.</summary>
    private static float[] StepOutputs(IRnnModel<float> model, float[] input, ParameterSet state)
    {
        model.InitialState.CopyFrom(state);
        return Steps(model, input, model.BatchSize);
    }

    private static float[] ToBatchFirst(float[] timeMajor, int rows, int steps, int width)
    {
        var batchFirst = new float[timeMajor.Length];
        for (int t = 0; t < steps; t++)
        {
            for (int b = 0; b < rows; b++)
            {
                Array.Copy(timeMajor, ((t * rows) + b) * width, batchFirst, ((b * steps) + t) * width, width);
            }
        }

        return batchFirst;
    }
}
