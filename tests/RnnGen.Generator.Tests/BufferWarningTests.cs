using System;
using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Xunit;

namespace RnnGen.Generator.Tests;

/// <summary>
/// RNNG023's threshold comes from the MSBuild property RnnGenBufferWarningMegabytes, which the compiler passes to
/// the generator as the global analyzer option build_property.RnnGenBufferWarningMegabytes.
/// </summary>
public sealed class BufferWarningTests
{
    // Tens of MB: below the default threshold.
    private const string Model = """
        using RnnGen;
        namespace Models;
        [RnnModel(SequenceLength = 1000, BatchSize = 16, InputSize = 16)]
        [Lstm(HiddenSize = 64, Name = "rnn")]
        public partial class MidSized { }
        """;

    // About 1.3 GB, over the default threshold of 1024 MB.
    private const string LargeModel = """
        using RnnGen;
        namespace Models;
        [RnnModel(SequenceLength = 10000, BatchSize = 64, InputSize = 64)]
        [Lstm(HiddenSize = 64, Name = "rnn")]
        public partial class Large { }
        """;

    [Theory]
    [InlineData(Model, null, false)]      // default 1024 MB
    [InlineData(Model, "1", true)]
    [InlineData(Model, "0", true)]
    [InlineData(Model, "100000", false)]
    [InlineData(LargeModel, null, true)]
    [InlineData(LargeModel, "16384", false)]
    [InlineData(LargeModel, "not a number", true)] // unreadable: the default
    [InlineData(LargeModel, "-5", true)]
    public void ThePropertySetsTheThreshold(string source, string? megabytes, bool warns)
    {
        GeneratorDriver driver = Driver(megabytes).RunGenerators(GeneratorHarness.Compilation(source));
        Diagnostic[] warnings = driver.GetRunResult().Diagnostics.Where(d => d.Id == "RNNG023").ToArray();
        Assert.Equal(warns ? 1 : 0, warnings.Length);
        if (warns)
        {
            long threshold = megabytes is not null && long.TryParse(megabytes, NumberStyles.Integer, CultureInfo.InvariantCulture, out long value) && value >= 0
                ? value
                : RnnModelGenerator.DefaultBufferWarningMegabytes;
            Assert.Contains($"RnnGenBufferWarningMegabytes = {threshold}", warnings[0].GetMessage(CultureInfo.InvariantCulture), StringComparison.Ordinal);
        }

        // A warning, never a refusal: the model is generated either way.
        Assert.Single(driver.GetRunResult().GeneratedTrees);
    }

    [Fact]
    public void TheThresholdIsComparedWithTheModelsSize()
    {
        // The warning at threshold 0 reports the size (to 0.1 MB); one megabyte below it warns, one above it does not.
        string message = Warnings(Model, "0").Single().GetMessage(CultureInfo.InvariantCulture);
        Match size = Regex.Match(message, @"allocates (\d+(?:\.\d)?) MB");
        Assert.True(size.Success, message);
        double megabytes = double.Parse(size.Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.True(megabytes > 2, message);
        long below = (long)Math.Floor(megabytes - 0.05), above = (long)Math.Ceiling(megabytes + 0.05);
        Assert.Single(Warnings(Model, below.ToString(CultureInfo.InvariantCulture)));
        Assert.Empty(Warnings(Model, above.ToString(CultureInfo.InvariantCulture)));
    }

    private static Diagnostic[] Warnings(string source, string? megabytes) =>
        Driver(megabytes).RunGenerators(GeneratorHarness.Compilation(source)).GetRunResult().Diagnostics.Where(d => d.Id == "RNNG023").ToArray();

    [Fact]
    public void ChangingThePropertyRechecksTheBuffersWithoutRegeneratingTheModel()
    {
        CSharpCompilation compilation = GeneratorHarness.Compilation(Model);
        GeneratorDriver driver = Driver("1").RunGenerators(compilation);
        Assert.Contains(driver.GetRunResult().Diagnostics, d => d.Id == "RNNG023");

        driver = driver.WithUpdatedAnalyzerConfigOptions(new BuildProperties("100000")).RunGenerators(compilation);
        GeneratorRunResult result = driver.GetRunResult().Results.Single();
        Assert.DoesNotContain(result.Diagnostics, d => d.Id == "RNNG023");
        Assert.All(result.TrackedSteps[RnnModelGenerator.TrackingNames.Source].SelectMany(s => s.Outputs),
            output => Assert.Contains(output.Reason, new[] { IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged }));
        Assert.Contains(result.TrackedSteps[RnnModelGenerator.TrackingNames.Buffers].SelectMany(s => s.Outputs),
            output => output.Reason == IncrementalStepRunReason.Modified);
    }

    private static GeneratorDriver Driver(string? megabytes) => CSharpGeneratorDriver.Create(
        [new RnnModelGenerator().AsSourceGenerator()],
        additionalTexts: null,
        parseOptions: GeneratorHarness.ParseOptions,
        optionsProvider: new BuildProperties(megabytes),
        driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    /// <summary>What the compiler passes for <c>&lt;RnnGenBufferWarningMegabytes&gt;</c> made visible with CompilerVisibleProperty.</summary>
    private sealed class BuildProperties(string? megabytes) : AnalyzerConfigOptionsProvider
    {
        private static readonly Options None = new(new Dictionary<string, string>());

        public override AnalyzerConfigOptions GlobalOptions { get; } = new Options(megabytes is null
            ? new Dictionary<string, string>()
            : new Dictionary<string, string> { [RnnModelGenerator.BufferWarningProperty] = megabytes });

        public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => None;

        public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) => None;

        private sealed class Options(Dictionary<string, string> values) : AnalyzerConfigOptions
        {
            public override bool TryGetValue(string key, [NotNullWhen(true)] out string? value) => values.TryGetValue(key, out value);
        }
    }
}
