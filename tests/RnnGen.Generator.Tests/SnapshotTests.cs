using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text;
using Microsoft.CodeAnalysis;
using Xunit;

namespace RnnGen.Generator.Tests;

/// <summary>
/// The full generated source of representative models, compared with the committed
/// <c>Snapshots/*.verified.cs</c>. Set RNNGEN_UPDATE_SNAPSHOTS=1 to rewrite them (see README.md).
/// </summary>
public sealed class SnapshotTests
{
    private const string Usings = "using RnnGen;\n\nnamespace Snapshots;\n\n";

    public static readonly Dictionary<string, string> Models = new()
    {
        ["SimpleRnnTanh"] = """
            [RnnModel(SequenceLength = 4, BatchSize = 2, InputSize = 3)]
            [SimpleRnn(HiddenSize = 5, Name = "rnn")]
            [Dense(OutputSize = 2, Name = "fc")]
            [Loss(LossKind.MeanSquaredError)]
            public partial class SimpleRnnTanh { }
            """,
        ["SimpleRnnRelu"] = """
            [RnnModel(SequenceLength = 4, BatchSize = 2, InputSize = 3)]
            [SimpleRnn(HiddenSize = 5, Nonlinearity = Nonlinearity.Relu, Name = "rnn")]
            [Dense(OutputSize = 2, Activation = Activation.Tanh, Name = "fc")]
            [Loss(LossKind.MeanSquaredError)]
            public partial class SimpleRnnRelu { }
            """,
        ["Lstm"] = """
            [RnnModel(SequenceLength = 4, BatchSize = 2, InputSize = 3)]
            [Lstm(HiddenSize = 5, Name = "rnn")]
            [Dense(OutputSize = 2, Name = "fc")]
            [Loss(LossKind.MeanSquaredError)]
            public partial class Lstm { }
            """,
        ["LargeBatchLstm"] = """
            [RnnModel(SequenceLength = 4, BatchSize = 16, InputSize = 3)]
            [Lstm(HiddenSize = 5, Name = "rnn")]
            [Dense(OutputSize = 2, Name = "fc")]
            [Loss(LossKind.MeanSquaredError)]
            public partial class LargeBatchLstm { }
            """,
        ["Gru"] = """
            [RnnModel(SequenceLength = 4, BatchSize = 2, InputSize = 3)]
            [Gru(HiddenSize = 5, Name = "rnn")]
            [Dense(OutputSize = 2, Name = "fc")]
            [Loss(LossKind.MeanSquaredError)]
            public partial class Gru { }
            """,
        ["StackedLstmDropout"] = """
            [RnnModel(SequenceLength = 4, BatchSize = 2, InputSize = 3)]
            [Lstm(HiddenSize = 5, NumLayers = 2, Dropout = 0.25, Name = "rnn")]
            [Dense(OutputSize = 2, Name = "fc")]
            [Loss(LossKind.MeanSquaredError)]
            public partial class StackedLstmDropout { }
            """,
        ["BidirectionalGru"] = """
            [RnnModel(SequenceLength = 4, BatchSize = 2, InputSize = 3)]
            [Gru(HiddenSize = 5, Bidirectional = true, Name = "rnn")]
            [Dense(OutputSize = 2, Name = "fc")]
            [Loss(LossKind.MeanSquaredError)]
            public partial class BidirectionalGru { }
            """,
        ["EmbeddingGruLanguageModel"] = """
            [RnnModel(SequenceLength = 4, BatchSize = 2)]
            [Embedding(VocabSize = 11, Dim = 6, Name = "embed")]
            [Gru(HiddenSize = 5, Name = "rnn")]
            [Dense(OutputSize = 11, Name = "head")]
            [Loss(LossKind.SoftmaxCrossEntropy)]
            public partial class EmbeddingGruLanguageModel { }
            """,
        ["LstmLastStepClassifier"] = """
            [RnnModel(SequenceLength = 4, BatchSize = 2, InputSize = 3)]
            [Lstm(HiddenSize = 5, ReturnSequences = false, Name = "encoder")]
            [Dense(OutputSize = 3, Name = "classifier")]
            [Loss(LossKind.SoftmaxCrossEntropy)]
            public partial class LstmLastStepClassifier { }
            """,
        ["LstmNoLoss"] = """
            [RnnModel(SequenceLength = 4, BatchSize = 2, InputSize = 3)]
            [Lstm(HiddenSize = 5)]
            public partial class LstmNoLoss { }
            """,
        ["PeepholeLstm"] = """
            [RnnModel(SequenceLength = 4, BatchSize = 2, InputSize = 3)]
            [Lstm(HiddenSize = 5, Peephole = true, ForgetBias = 1, Name = "rnn")]
            [Dense(OutputSize = 2, Name = "fc")]
            [Loss(LossKind.Huber, Delta = 0.5)]
            public partial class PeepholeLstm { }
            """,
        ["LayerNormLstm"] = """
            [RnnModel(SequenceLength = 4, BatchSize = 2, InputSize = 3)]
            [Lstm(HiddenSize = 5, LayerNorm = true, Name = "rnn")]
            [Dense(OutputSize = 2, Name = "fc")]
            [Loss(LossKind.BinaryCrossEntropyWithLogits)]
            public partial class LayerNormLstm { }
            """,
        ["ProjectedBidirectionalLstm"] = """
            [RnnModel(SequenceLength = 4, BatchSize = 12, InputSize = 3)]
            [Lstm(HiddenSize = 6, ProjectionSize = 2, Bidirectional = true, Name = "rnn")]
            [Dense(OutputSize = 2, Name = "fc")]
            [Loss(LossKind.MeanAbsoluteError)]
            public partial class ProjectedBidirectionalLstm { }
            """,
        ["LearnedStateGru"] = """
            [RnnModel(SequenceLength = 4, BatchSize = 2)]
            [Embedding(VocabSize = 7, Dim = 3, Name = "embed")]
            [Gru(HiddenSize = 5, NumLayers = 2, LearnInitialState = true, Name = "rnn")]
            [Dense(OutputSize = 7, Name = "head")]
            [Loss(LossKind.SoftmaxCrossEntropy, IgnoreIndex = 0)]
            public partial class LearnedStateGru { }
            """,
        ["NestedModel"] = """
            public static partial class Outer
            {
                public partial struct Middle
                {
                    [RnnModel(SequenceLength = 3, BatchSize = 1, InputSize = 2)]
                    [Gru(HiddenSize = 4, Name = "rnn")]
                    [Loss(LossKind.MeanSquaredError)]
                    internal sealed partial class NestedModel { }
                }
            }
            """,
    };

    public static TheoryData<string> Names => new(Models.Keys.OrderBy(k => k, StringComparer.Ordinal));

    private static string Directory => typeof(SnapshotTests).Assembly.GetCustomAttribute<SnapshotDirectoryAttribute>()!.Path;

    [Theory]
    [MemberData(nameof(Names))]
    public void GeneratedSourceMatchesSnapshot(string name)
    {
        GeneratorRun run = GeneratorHarness.Run(Usings + Models[name]);
        Assert.Empty(run.Crashes);
        Assert.Empty(run.GeneratorDiagnostics);
        GeneratedSourceResult source = Assert.Single(run.Sources);
        string actual = source.SourceText.ToString();

        string verified = Path.Combine(Directory, name + ".verified.cs");
        string received = Path.Combine(Directory, name + ".received.cs");
        if (Environment.GetEnvironmentVariable("RNNGEN_UPDATE_SNAPSHOTS") == "1")
        {
            File.WriteAllText(verified, actual, new UTF8Encoding(false));
            File.Delete(received);
            return;
        }

        string expected = File.Exists(verified) ? File.ReadAllText(verified).Replace("\r\n", "\n", StringComparison.Ordinal) : "";
        if (expected == actual)
        {
            File.Delete(received);
            return;
        }

        File.WriteAllText(received, actual, new UTF8Encoding(false));
        Assert.Fail($"Generated source of {name} differs from {verified}.\n" +
            $"The new text is in {received}; if the change is intended, rerun with RNNGEN_UPDATE_SNAPSHOTS=1.\n\n" +
            SnapshotDiff.Unified(expected, actual, name + ".verified.cs", name + ".received.cs"));
    }

    /// <summary>Snapshot models compile with no warning at all: nullable on, latest warning wave, warnings as errors, XML docs checked.</summary>
    [Theory]
    [MemberData(nameof(Names))]
    public void SnapshotModelCompilesWithoutWarnings(string name)
    {
        GeneratorRun run = GeneratorHarness.Run(Usings + Models[name]);
        var problems = run.All.Where(d => d.Severity >= DiagnosticSeverity.Warning || d.IsWarningAsError).ToList();
        Assert.True(problems.Count == 0, GeneratorHarness.Describe(problems));
    }

    [Fact]
    public void EveryCommittedSnapshotHasAModel()
    {
        var files = System.IO.Directory.GetFiles(Directory, "*.verified.cs").Select(f => Path.GetFileName(f)[..^".verified.cs".Length]);
        Assert.Equal(Models.Keys.OrderBy(k => k, StringComparer.Ordinal), files.OrderBy(f => f, StringComparer.Ordinal));
    }
}

/// <summary>A small line diff: the hunks around the first differences, in unified style.</summary>
internal static class SnapshotDiff
{
    public static string Unified(string expected, string actual, string expectedName, string actualName, int context = 3, int maxHunks = 3)
    {
        string[] a = expected.Split('\n'), b = actual.Split('\n');
        var text = new StringBuilder();
        text.Append("--- ").Append(expectedName).Append('\n').Append("+++ ").Append(actualName).Append('\n');
        int i = 0, j = 0, hunks = 0;
        while (i < a.Length && j < b.Length && hunks < maxHunks)
        {
            if (a[i] == b[j])
            {
                i++;
                j++;
                continue;
            }

            // Find the nearest resynchronisation point (smallest di + dj with a[i+di] == b[j+dj]).
            (int di, int dj) = (a.Length - i, b.Length - j);
            for (int sum = 1; sum < 400 && (di, dj) == (a.Length - i, b.Length - j); sum++)
            {
                for (int x = 0; x <= sum; x++)
                {
                    int y = sum - x;
                    if (i + x < a.Length && j + y < b.Length && a[i + x] == b[j + y])
                    {
                        (di, dj) = (x, y);
                        break;
                    }
                }
            }

            int start = Math.Max(0, i - context);
            text.Append($"@@ -{start + 1} +{j - (i - start) + 1} @@\n");
            for (int k = start; k < i; k++)
            {
                text.Append(' ').Append(a[k]).Append('\n');
            }

            for (int k = 0; k < di; k++)
            {
                text.Append('-').Append(a[i + k]).Append('\n');
            }

            for (int k = 0; k < dj; k++)
            {
                text.Append('+').Append(b[j + k]).Append('\n');
            }

            i += di;
            j += dj;
            for (int k = 0; k < context && i + k < a.Length; k++)
            {
                text.Append(' ').Append(a[i + k]).Append('\n');
            }

            hunks++;
        }

        if (hunks == 0 && a.Length != b.Length)
        {
            text.Append($"@@ line counts differ: {a.Length} vs {b.Length} @@\n");
        }

        return text.ToString();
    }
}
