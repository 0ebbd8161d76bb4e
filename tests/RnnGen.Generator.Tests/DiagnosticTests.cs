using System;
using System.Linq;
using Microsoft.CodeAnalysis;
using Xunit;

namespace RnnGen.Generator.Tests;

/// <summary>
/// Each invalid declaration gets its RNNG id at the offending attribute or argument: the snippets
/// mark the expected start of the diagnostic with <c>$$</c>. No case crashes the generator (CS8785),
/// an analyzer (AD0001), or leaves a warning or error in generated code.
/// </summary>
public sealed class DiagnosticTests
{
    private const string Header = "using RnnGen;\nnamespace App;\n";

    public static TheoryData<string, string> Cases => new()
    {
        { "RNNG001", """
            [$$RnnModel(SequenceLength = 4, BatchSize = 2, InputSize = 3)]
            [Lstm(HiddenSize = 5)]
            public class NotPartial { }
            """ },
        { "RNNG001", """
            public class Outer
            {
                [$$RnnModel(SequenceLength = 4, BatchSize = 2, InputSize = 3)]
                [Lstm(HiddenSize = 5)]
                public partial class InNonPartial { }
            }
            """ },
        { "RNNG002", """
            [$$RnnModel(SequenceLength = 4, BatchSize = 2, InputSize = 3)]
            [Lstm(HiddenSize = 5)]
            public partial class Generic<T> { }
            """ },
        { "RNNG002", """
            public partial class Outer<T>
            {
                [$$RnnModel(SequenceLength = 4, BatchSize = 2, InputSize = 3)]
                [Lstm(HiddenSize = 5)]
                public partial class InGeneric { }
            }
            """ },
        { "RNNG003", """
            [$$Lstm(HiddenSize = 5)]
            [Dense(OutputSize = 2)]
            [Loss(LossKind.MeanSquaredError)]
            public partial class NoModel { }
            """ },
        { "RNNG003", """
            [System.Serializable]
            [$$Loss(LossKind.MeanSquaredError)]
            public partial class OnlyLoss { }
            """ },
        { "RNNG004", """
            [RnnModel($$SequenceLength = 0, BatchSize = 2, InputSize = 3)]
            [Lstm(HiddenSize = 5)]
            public partial class ZeroSteps { }
            """ },
        { "RNNG004", """
            [RnnModel(SequenceLength = 4, $$BatchSize = -1, InputSize = 3)]
            [Lstm(HiddenSize = 5)]
            public partial class NegativeBatch { }
            """ },
        { "RNNG004", """
            [RnnModel(SequenceLength = 4, BatchSize = 2, $$InputSize = 0)]
            [Lstm(HiddenSize = 5)]
            public partial class ZeroInput { }
            """ },
        { "RNNG004", """
            [$$RnnModel(SequenceLength = 4, InputSize = 3)]
            [Lstm(HiddenSize = 5)]
            public partial class MissingBatch { }
            """ },
        { "RNNG004", """
            [RnnModel(SequenceLength = 4, BatchSize = 2, InputSize = 3)]
            [Gru($$HiddenSize = 0)]
            public partial class ZeroHidden { }
            """ },
        { "RNNG004", """
            [RnnModel(SequenceLength = 4, BatchSize = 2, InputSize = 3)]
            [$$SimpleRnn(NumLayers = 2)]
            public partial class MissingHidden { }
            """ },
        { "RNNG004", """
            [RnnModel(SequenceLength = 4, BatchSize = 2, InputSize = 3)]
            [Lstm(HiddenSize = 5, $$NumLayers = 0)]
            public partial class ZeroLayers { }
            """ },
        { "RNNG004", """
            [RnnModel(SequenceLength = 4, BatchSize = 2, InputSize = 3)]
            [Lstm(HiddenSize = 5)]
            [Dense($$OutputSize = -3)]
            public partial class NegativeOutput { }
            """ },
        { "RNNG004", """
            [RnnModel(SequenceLength = 4, BatchSize = 2)]
            [Embedding($$VocabSize = 0, Dim = 4)]
            [Gru(HiddenSize = 5)]
            public partial class ZeroVocab { }
            """ },
        { "RNNG004", """
            [RnnModel(SequenceLength = 4, BatchSize = 2)]
            [Embedding(VocabSize = 10, $$Dim = 0)]
            [Gru(HiddenSize = 5)]
            public partial class ZeroDim { }
            """ },
        { "RNNG005", """
            [$$RnnModel(SequenceLength = 4, BatchSize = 2)]
            [Lstm(HiddenSize = 5)]
            public partial class MissingInput { }
            """ },
        { "RNNG005", """
            [RnnModel(SequenceLength = 4, BatchSize = 2, $$InputSize = 3)]
            [Embedding(VocabSize = 10, Dim = 4)]
            [Gru(HiddenSize = 5)]
            public partial class InputWithEmbedding { }
            """ },
        { "RNNG006", """
            [RnnModel(SequenceLength = 4, BatchSize = 2, InputSize = 3)]
            [Gru(HiddenSize = 5)]
            [$$Embedding(VocabSize = 10, Dim = 4)]
            public partial class EmbeddingSecond { }
            """ },
        { "RNNG007", """
            [RnnModel(SequenceLength = 4, BatchSize = 2, InputSize = 3)]
            [$$Loss(LossKind.MeanSquaredError)]
            [Gru(HiddenSize = 5)]
            public partial class LossFirst { }
            """ },
        { "RNNG007", """
            [RnnModel(SequenceLength = 4, BatchSize = 2, InputSize = 3)]
            [Gru(HiddenSize = 5)]
            [Loss(LossKind.MeanSquaredError)]
            [$$Loss(LossKind.MeanSquaredError)]
            public partial class LossTwice { }
            """ },
        { "RNNG008", """
            [$$RnnModel(SequenceLength = 4, BatchSize = 2, InputSize = 3)]
            [Dense(OutputSize = 5)]
            public partial class OnlyDense { }
            """ },
        { "RNNG009", """
            [RnnModel(SequenceLength = 4, BatchSize = 2, InputSize = 3)]
            [Lstm(HiddenSize = 5, NumLayers = 2, $$Dropout = 1.0)]
            public partial class DropoutOne { }
            """ },
        { "RNNG009", """
            [RnnModel(SequenceLength = 4, BatchSize = 2, InputSize = 3)]
            [Lstm(HiddenSize = 5, NumLayers = 2, $$Dropout = -0.1)]
            public partial class DropoutNegative { }
            """ },
        { "RNNG009", """
            [RnnModel(SequenceLength = 4, BatchSize = 2, InputSize = 3)]
            [Lstm(HiddenSize = 5, NumLayers = 2, $$Dropout = double.NaN)]
            public partial class DropoutNaN { }
            """ },
        { "RNNG010", """
            [RnnModel(SequenceLength = 4, BatchSize = 2, InputSize = 3)]
            [Lstm(HiddenSize = 5, Name = "x")]
            [Dense(OutputSize = 2, $$Name = "x")]
            public partial class SameName { }
            """ },
        { "RNNG011", """
            [RnnModel(SequenceLength = 4, BatchSize = 2, InputSize = 3)]
            [Lstm(HiddenSize = 5, $$Name = "my rnn")]
            public partial class SpaceInName { }
            """ },
        { "RNNG011", """
            [RnnModel(SequenceLength = 4, BatchSize = 2, InputSize = 3)]
            [Lstm(HiddenSize = 5, $$Name = "")]
            public partial class EmptyName { }
            """ },
        { "RNNG011", """
            [RnnModel(SequenceLength = 4, BatchSize = 2, InputSize = 3)]
            [Lstm(HiddenSize = 5, $$Name = "1rnn")]
            public partial class DigitName { }
            """ },
        { "RNNG012", """
            [RnnModel(SequenceLength = 4, BatchSize = 2, InputSize = 3)]
            [SimpleRnn(HiddenSize = 5, $$Nonlinearity = (Nonlinearity)2)]
            public partial class BadNonlinearity { }
            """ },
        { "RNNG012", """
            [RnnModel(SequenceLength = 4, BatchSize = 2, InputSize = 3)]
            [Lstm(HiddenSize = 5)]
            [Dense(OutputSize = 2, $$Activation = (Activation)7)]
            public partial class BadActivation { }
            """ },
        { "RNNG012", """
            [RnnModel(SequenceLength = 4, BatchSize = 2, InputSize = 3)]
            [Lstm(HiddenSize = 5)]
            [$$Loss((LossKind)(-1))]
            public partial class BadLoss { }
            """ },
        { "RNNG013", """
            [RnnModel(SequenceLength = 4, BatchSize = 2, InputSize = 3)]
            [Lstm(HiddenSize = 5)]
            public partial class TwoParts { }
            [$$Dense(OutputSize = 2)]
            public partial class TwoParts { }
            """ },
        { "RNNG014", """
            [RnnModel(SequenceLength = 4, BatchSize = 2, InputSize = 3)]
            [Lstm(HiddenSize = 5, ReturnSequences = false)]
            [$$Gru(HiddenSize = 5)]
            public partial class AfterLastStep { }
            """ },
        { "RNNG014", """
            [RnnModel(SequenceLength = 4, BatchSize = 2, InputSize = 3)]
            [Lstm(HiddenSize = 5, ReturnSequences = false)]
            [Dense(OutputSize = 4)]
            [$$Gru(HiddenSize = 5)]
            public partial class DenseThenRecurrent { }
            """ },
        { "RNNG015", """
            [RnnModel(SequenceLength = 4, BatchSize = 2, InputSize = 3)]
            [$$RnnModel(SequenceLength = 4, BatchSize = 2, InputSize = 3)]
            [Lstm(HiddenSize = 5)]
            public partial class TwoModels { }
            """ },
        { "RNNG015", """
            [RnnModel(SequenceLength = 4, BatchSize = 2, InputSize = 3)]
            [Lstm(HiddenSize = 5)]
            public partial class ModelOnTwoParts { }
            [$$RnnModel(SequenceLength = 4, BatchSize = 2, InputSize = 3)]
            public partial class ModelOnTwoParts { }
            """ },
        { "RNNG016", """
            [$$RnnModel(SequenceLength = 4, BatchSize = 2, InputSize = 3)]
            [Lstm(HiddenSize = 100000)]
            public partial class HugeHidden { }
            """ },
        { "RNNG016", """
            [$$RnnModel(SequenceLength = 1, BatchSize = int.MaxValue, InputSize = int.MaxValue)]
            [Lstm(HiddenSize = int.MaxValue)]
            public partial class Overflowing { }
            """ },
        { "RNNG016", """
            [$$RnnModel(SequenceLength = 4, BatchSize = 2)]
            [Embedding(VocabSize = int.MaxValue, Dim = 2)]
            [Lstm(HiddenSize = 3)]
            public partial class HugeVocabulary { }
            """ },
        { "RNNG017", """
            [$$RnnModel(SequenceLength = 4, BatchSize = 2, InputSize = 3)]
            [Lstm(HiddenSize = 5)]
            public static partial class StaticModel { }
            """ },
        { "RNNG017", """
            [$$RnnModel(SequenceLength = 4, BatchSize = 2, InputSize = 3)]
            [Lstm(HiddenSize = 5)]
            public partial record RecordModel { }
            """ },
        { "RNNG017", """
            [$$RnnModel(SequenceLength = 4, BatchSize = 2, InputSize = 3)]
            [Lstm(HiddenSize = 5)]
            file partial class FileModel { }
            """ },
        { "RNNG018", """
            [$$RnnModel(SequenceLength = 1, BatchSize = 1, InputSize = 1)]
            [Gru(HiddenSize = 1, NumLayers = int.MaxValue)]
            public partial class VeryDeep { }
            """ },
        { "RNNG019", """
            [RnnModel(SequenceLength = 4, BatchSize = 2, InputSize = 3)]
            [Lstm(HiddenSize = 5, Name = "enc.rnn")]
            [Lstm(HiddenSize = 5, $$Name = "enc_rnn")]
            public partial class PascalClash { }
            """ },
        { "RNNG019", """
            [RnnModel(SequenceLength = 4, BatchSize = 2, InputSize = 3)]
            [Lstm(HiddenSize = 5, Name = "rnn")]
            [Dense(OutputSize = 2, $$Name = "rnnL0")]
            public partial class StageClash { }
            """ },
        { "RNNG019", """
            [$$RnnModel(SequenceLength = 4, BatchSize = 2, InputSize = 3)]
            [Lstm(HiddenSize = 5)]
            public partial class Parameters { }
            """ },
        { "RNNG020", """
            [RnnModel(SequenceLength = 4, BatchSize = 2, InputSize = 3)]
            [Lstm(HiddenSize = 5, $$Dropout = 0.5)]
            public partial class UselessDropout { }
            """ },
        { "RNNG021", """
            [RnnModel(SequenceLength = 4, BatchSize = 2, InputSize = 3)]
            [Lstm(HiddenSize = 5, $$ProjectionSize = 5)]
            public partial class ProjectionAsWide { }
            """ },
        { "RNNG021", """
            [RnnModel(SequenceLength = 4, BatchSize = 2, InputSize = 3)]
            [Lstm(HiddenSize = 5, $$ProjectionSize = -1)]
            public partial class NegativeProjection { }
            """ },
        { "RNNG022", """
            [RnnModel(SequenceLength = 4, BatchSize = 2, InputSize = 3)]
            [Lstm(HiddenSize = 5, $$ForgetBias = double.NaN)]
            public partial class NaNForgetBias { }
            """ },
        { "RNNG022", """
            [RnnModel(SequenceLength = 4, BatchSize = 2, InputSize = 3)]
            [Lstm(HiddenSize = 5)]
            [Loss(LossKind.Huber, $$Delta = 0)]
            public partial class ZeroDelta { }
            """ },
        { "RNNG023", """
            [$$RnnModel(SequenceLength = 10000, BatchSize = 64, InputSize = 64)]
            [Lstm(HiddenSize = 64)]
            public partial class LargeBuffers { }
            """ },
        { "RNNG024", """
            [RnnModel(SequenceLength = 4, BatchSize = 2, InputSize = 3)]
            [Lstm(HiddenSize = 5)]
            [Loss(LossKind.MeanSquaredError, $$IgnoreIndex = 0)]
            public partial class IgnoreIndexOnMse { }
            """ },
    };

    /// <summary>The warnings among the cases: code is still generated.</summary>
    private static readonly string[] Warnings = ["RNNG020", "RNNG023", "RNNG024"];

    [Theory]
    [MemberData(nameof(Cases))]
    public void ReportsTheIdAtTheOffendingAttribute(string id, string snippet)
    {
        string source = Header + snippet;
        int expected = source.IndexOf("$$", StringComparison.Ordinal);
        Assert.True(expected >= 0, "the snippet marks the expected location with $$");
        source = source.Remove(expected, 2);

        GeneratorRun run = GeneratorHarness.Run(source);
        string all = GeneratorHarness.Describe(run.All);
        Assert.Empty(run.Crashes);
        Assert.True(!run.InGeneratedFiles.Any(), "generated files have problems:\n" + all);

        Diagnostic diagnostic = Assert.Single(run.Rnng, d => d.Id == id);
        Assert.Equal("Model0.cs", diagnostic.Location.GetLineSpan().Path);
        Assert.Equal(Line(source, expected), diagnostic.Location.GetLineSpan().StartLinePosition.Line);
        Assert.Equal(expected, diagnostic.Location.SourceSpan.Start);
        Assert.Equal(Warnings.Contains(id) ? DiagnosticSeverity.Warning : DiagnosticSeverity.Error, diagnostic.DefaultSeverity);
        Assert.False(string.IsNullOrWhiteSpace(diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture)));

        // The only errors are RNNG errors and the C# errors the snippet itself causes by design.
        var otherErrors = run.CompilationDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error && d.Id is not ("CS0260" or "CS0106")).ToList();
        Assert.True(otherErrors.Count == 0, all);
        if (Warnings.Contains(id))
        {
            Assert.Single(run.Sources);
        }
        else
        {
            Assert.Empty(run.Sources);
        }
    }

    [Fact]
    public void EveryDescriptorIsTestedAndDocumented()
    {
        var tested = Cases.Select(c => (string)c[0]).ToHashSet();
        string docs = System.IO.File.ReadAllText(System.IO.Path.Combine(RepositoryRoot(), "docs", "diagnostics.md"));
        string releases = System.IO.File.ReadAllText(System.IO.Path.Combine(RepositoryRoot(), "generator", "RnnGen.Generator", "AnalyzerReleases.Unshipped.md"));
        DiagnosticDescriptor[] descriptors = typeof(Diagnostics)
            .GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)
            .Select(f => f.GetValue(null)).OfType<DiagnosticDescriptor>().OrderBy(d => d.Id, StringComparer.Ordinal).ToArray();
        Assert.Equal(Enumerable.Range(1, descriptors.Length).Select(i => $"RNNG{i:000}"), descriptors.Select(d => d.Id));
        foreach (DiagnosticDescriptor descriptor in descriptors)
        {
            Assert.Contains(descriptor.Id, tested);
            Assert.Contains("## " + descriptor.Id, docs, StringComparison.Ordinal);
            Assert.Contains(descriptor.Id + " | RnnGen | " + descriptor.DefaultSeverity, releases, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void KeywordNamedModelsGenerate()
    {
        GeneratorRun run = GeneratorHarness.Run("""
            using RnnGen;
            namespace @event.@object;
            [RnnModel(SequenceLength = 2, BatchSize = 1, InputSize = 1)]
            [Gru(HiddenSize = 2)]
            public partial class @class { }
            """);
        Assert.DoesNotContain(run.All, d => d.Severity >= DiagnosticSeverity.Warning);
        Assert.Single(run.Sources);
    }

    private static int Line(string text, int position) => text.Take(position).Count(c => c == '\n');

    internal static string RepositoryRoot()
    {
        string directory = AppContext.BaseDirectory;
        while (!System.IO.File.Exists(System.IO.Path.Combine(directory, "RnnGen.sln")))
        {
            directory = System.IO.Path.GetDirectoryName(directory) ?? throw new InvalidOperationException("RnnGen.sln not found");
        }

        return directory;
    }
}
