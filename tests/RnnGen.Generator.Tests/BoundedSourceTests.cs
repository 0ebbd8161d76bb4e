using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;
using Xunit;
using Xunit.Abstractions;

namespace RnnGen.Generator.Tests;

/// <summary>
/// Issue 9: generated source used to grow with the unrolled length (an 8-layer bidirectional LSTM at T = 4096 was
/// 365,000 lines, 69 MB). Recurrences now run as loops in the runtime, so the source depends on the layers only:
/// the same declaration at T = 4096 is the T = 8 source with other digits.
/// </summary>
public sealed class BoundedSourceTests(ITestOutputHelper output)
{
    private static string Declaration(int steps) => $$"""
        using RnnGen;
        namespace Models;
        [RnnModel(SequenceLength = {{steps}}, BatchSize = 2, InputSize = 8)]
        [Lstm(HiddenSize = 16, NumLayers = 8, Bidirectional = true, Name = "rnn")]
        [Dense(OutputSize = 8, Name = "fc")]
        [Loss(LossKind.MeanSquaredError)]
        public partial class DeepLong { }
        """;

    [Fact]
    public void AnEightLayerBidirectionalLstmAtT4096GeneratesNoMoreSourceThanAtT8()
    {
        int small = Generate(8), large = Generate(4096), huge = Generate(16384);
        output.WriteLine($"8 bidirectional LSTM layers: {small} bytes at T = 8, {large} at T = 4096, {huge} at T = 16384");

        // Only numbers change (T itself and the offsets that scale with T): a few more digits each.
        Assert.True(large <= small + 512, $"{large} bytes at T = 4096 vs {small} at T = 8");
        Assert.True(huge <= small + 1024, $"{huge} bytes at T = 16384 vs {small} at T = 8");
        Assert.True(large < 200_000, $"{large} bytes at T = 4096");
    }

    /// <summary>The generated file's size in UTF-8 bytes, after checking that it compiles cleanly.</summary>
    private static int Generate(int steps)
    {
        GeneratorRun run = GeneratorHarness.Run(Declaration(steps));
        Assert.Empty(run.Crashes);

        // The harness makes warnings errors; RNNG023 (large buffers, which grow with T) is expected at the larger T.
        Assert.DoesNotContain(run.All, d => d.Severity == DiagnosticSeverity.Error && d.Id != "RNNG023");
        return Encoding.UTF8.GetByteCount(run.Sources.Single().SourceText.ToString());
    }
}
