using System;
using System.Diagnostics;
using System.Linq;
using Microsoft.CodeAnalysis;
using Xunit;
using Xunit.Abstractions;

namespace RnnGen.Generator.Tests;

/// <summary>Generation time of a large model: 4 stacked bidirectional LSTM layers, T = 256.</summary>
public sealed class GenerationTimeTests(ITestOutputHelper output)
{
    private const string LargeModel = """
        using RnnGen;
        namespace Models;
        [RnnModel(SequenceLength = 256, BatchSize = 8, InputSize = 32)]
        [Lstm(HiddenSize = 64, NumLayers = 4, Bidirectional = true, Name = "rnn")]
        [Dense(OutputSize = 8, Name = "fc")]
        [Loss(LossKind.MeanSquaredError)]
        public partial class LargeModel { }
        """;

    [Fact]
    public void LargeModelGeneratesQuickly()
    {
        const int Warmup = 3, Runs = 11;
        var times = new double[Runs];
        int length = 0, lines = 0;
        for (int i = -Warmup; i < Runs; i++)
        {
            // A fresh compilation and driver per run: nothing is cached, as in a clean build.
            var compilation = GeneratorHarness.Compilation(LargeModel);
            GeneratorDriver driver = GeneratorHarness.Driver();
            var clock = Stopwatch.StartNew();
            driver = driver.RunGenerators(compilation);
            clock.Stop();
            GeneratorDriverRunResult result = driver.GetRunResult();
            Assert.Empty(result.Diagnostics);
            string text = result.GeneratedTrees.Single().GetText().ToString();
            length = text.Length;
            lines = text.Count(c => c == '\n');
            if (i >= 0)
            {
                times[i] = clock.Elapsed.TotalMilliseconds;
            }
        }

        Array.Sort(times);
        double median = times[Runs / 2];
        output.WriteLine($"4 stacked bidirectional LSTM layers, T = 256, B = 8, I = 32, H = 64: generated {lines} lines ({length} chars)");
        output.WriteLine($"generation time over {Runs} fresh driver runs: median {median:F1} ms, min {times[0]:F1} ms, max {times[^1]:F1} ms");
        Assert.True(median < 2000, $"median generation time {median:F1} ms");
    }
}
