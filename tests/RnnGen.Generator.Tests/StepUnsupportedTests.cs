using System;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using Xunit;

namespace RnnGen.Generator.Tests;

/// <summary>
/// A bidirectional model has no streaming Step: calling it on the model's own type is a compile error (CS0619, an
/// [Obsolete(error: true)] member) whose text says why and what to call instead; a unidirectional model's Step compiles.
/// </summary>
public sealed class StepUnsupportedTests
{
    private const string Models = """
        using RnnGen;
        namespace Models;
        [RnnModel(SequenceLength = 4, BatchSize = 2, InputSize = 3)]
        [Gru(HiddenSize = 5, Name = "enc")]
        [Lstm(HiddenSize = 5, Bidirectional = true, Name = "rnn")]
        public partial class Bidirectional { }

        [RnnModel(SequenceLength = 4, BatchSize = 2, InputSize = 3)]
        [Lstm(HiddenSize = 5, NumLayers = 2, Name = "rnn")]
        public partial class Unidirectional { }
        """;

    [Fact]
    public void CallingStepOnABidirectionalModelFailsToCompileSayingWhy()
    {
        GeneratorRun run = GeneratorHarness.Run(Models, """
            namespace App;
            public static class Use
            {
                public static void Stream(Models.Bidirectional model, float[] x, float[] y) => model.Step(x, y);
            }
            """);
        Assert.Empty(run.Crashes);
        Diagnostic error = Assert.Single(run.CompilationDiagnostics, d => d.Severity == DiagnosticSeverity.Error);
        Assert.Equal("CS0619", error.Id);
        Assert.Equal("Model1.cs", error.Location.GetLineSpan().Path);
        string message = error.GetMessage(CultureInfo.InvariantCulture);
        Assert.Contains("Bidirectional.Step", message, StringComparison.Ordinal);
        Assert.Contains("a bidirectional layer's reverse direction needs the whole sequence first", message, StringComparison.Ordinal);
        Assert.Contains("Run Forward over whole sequences instead", message, StringComparison.Ordinal);
    }

    [Fact]
    public void StepOnAUnidirectionalModelAndThroughTheInterfaceCompiles()
    {
        GeneratorRun run = GeneratorHarness.Run(Models, """
            namespace App;
            public static class Use
            {
                public static void Stream(Models.Unidirectional model, float[] x, float[] y) => model.Step(x, y);

                // Through the interface the call compiles for any model; a bidirectional one throws NotSupportedException.
                public static void Any(RnnGen.IRnnModel<float> model, float[] x, float[] y) => model.Step(x, y);

                public static void Bidirectional(Models.Bidirectional model, float[] x, float[] y) => Any(model, x, y);
            }
            """);
        Assert.Empty(run.Crashes);
        Assert.True(!run.CompilationDiagnostics.Any(d => d.Severity == DiagnosticSeverity.Error), GeneratorHarness.Describe(run.All));
    }
}
