using System;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Xunit;

namespace RnnGen.Tests.Runtime;

/// <summary>
/// An optimizer serves one thread at a time, like a model: a Step that overlaps another thread's Step (or SetState)
/// on the same optimizer throws before it changes anything, so the steps that did run give exactly the numbers of
/// as many steps on one thread.
/// </summary>
public sealed class OptimizerConcurrencyTests
{
    private const int Length = 1 << 20; // 4 MB of parameters: a step long enough for two threads to overlap
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task TwoThreadsSteppingOneOptimizerAreRefusedAndChangeNothing()
    {
        (ParameterSet parameters, ParameterSet gradients) = Sets();
        var optimizer = new Adam(learningRate: 1e-3f);
        int refused = 0, succeeded = 0;
        var messages = new ConcurrentBag<string>();
        var clock = Stopwatch.StartNew();
        using var start = new Barrier(2);
        Task[] threads = [.. Enumerable.Range(0, 2).Select(_ => Task.Factory.StartNew(() =>
        {
            start.SignalAndWait();
            for (int i = 0; clock.Elapsed < Budget && (i < 50 || Volatile.Read(ref refused) == 0); i++)
            {
                try
                {
                    optimizer.Step(parameters, gradients);
                    Interlocked.Increment(ref succeeded);
                }
                catch (InvalidOperationException e)
                {
                    Interlocked.Increment(ref refused);
                    messages.Add(e.Message);
                }
            }
        }, TaskCreationOptions.LongRunning))];
        await Task.WhenAll(threads);

        Assert.True(refused > 0, $"no Step was refused in {succeeded} Steps on two threads ({clock.Elapsed.TotalSeconds:F1} s)");
        Assert.All(messages, m =>
        {
            Assert.Contains("Adam.Step was called while Step was running on another thread", m, StringComparison.Ordinal);
            Assert.Contains("one thread at a time", m, StringComparison.Ordinal);
        });

        // The refused calls changed nothing: the same number of steps on one thread gives the same bits.
        (ParameterSet expected, ParameterSet sameGradients) = Sets();
        var alone = new Adam(learningRate: 1e-3f);
        for (int i = 0; i < succeeded; i++)
        {
            alone.Step(expected, sameGradients);
        }

        Assert.Equal(succeeded, optimizer.StepCount);
        Assert.True(expected.ReadOnlyData.SequenceEqual(parameters.ReadOnlyData), "the parameters differ from as many steps on one thread");
    }

    private static (ParameterSet Parameters, ParameterSet Gradients) Sets()
    {
        var parameters = new ParameterSet([("w", [Length])]);
        var gradients = new ParameterSet([("w", [Length])]);
        var random = new Random(7);
        Span<float> p = parameters["w"], g = gradients["w"];
        for (int i = 0; i < Length; i++)
        {
            p[i] = (float)random.NextDouble() - 0.5f;
            g[i] = (float)random.NextDouble() - 0.5f;
        }

        return (parameters, gradients);
    }
}
