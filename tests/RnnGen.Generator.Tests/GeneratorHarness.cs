using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using RnnGen.Generator;

namespace RnnGen.Generator.Tests;

/// <summary>The directory of the committed snapshots, baked in at build time.</summary>
[AttributeUsage(AttributeTargets.Assembly)]
public sealed class SnapshotDirectoryAttribute(string path) : Attribute
{
    public string Path { get; } = path;
}

/// <summary>What one generator run produced.</summary>
internal sealed record GeneratorRun(
    Compilation Output,
    GeneratorDriver Driver,
    ImmutableArray<Diagnostic> GeneratorDiagnostics,
    ImmutableArray<Diagnostic> CompilationDiagnostics,
    ImmutableArray<GeneratedSourceResult> Sources)
{
    /// <summary>Every diagnostic: the generator's own and the compiler's over user and generated code.</summary>
    public IEnumerable<Diagnostic> All => GeneratorDiagnostics.Concat(CompilationDiagnostics);

    public IEnumerable<Diagnostic> Rnng => GeneratorDiagnostics.Where(d => d.Id.StartsWith("RNNG", StringComparison.Ordinal));

    /// <summary>Compiler warnings and errors (not RNNG) reported inside generated files.</summary>
    public IEnumerable<Diagnostic> InGeneratedFiles => CompilationDiagnostics.Where(d =>
        d.Severity >= DiagnosticSeverity.Warning && d.Location.SourceTree is { } tree && tree.FilePath.EndsWith(".g.cs", StringComparison.Ordinal));

    /// <summary>A generator crash (CS8785) or analyzer crash (AD0001).</summary>
    public IEnumerable<Diagnostic> Crashes => All.Where(d => d.Id is "CS8785" or "AD0001");
}

/// <summary>Builds compilations against the real runtime and drives <see cref="RnnModelGenerator"/> in memory.</summary>
internal static class GeneratorHarness
{
    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest, DocumentationMode.Diagnose);

    /// <summary>Like the repository's Directory.Build.props: nullable, latest warning wave, warnings as errors.</summary>
    public static readonly CSharpCompilationOptions CompilationOptions = new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary)
        .WithNullableContextOptions(NullableContextOptions.Enable)
        .WithWarningLevel(9999)
        .WithGeneralDiagnosticOption(ReportDiagnostic.Error)
        // CS1591 (undocumented public member) concerns the test snippets, which are not documented.
        .WithSpecificDiagnosticOptions([new KeyValuePair<string, ReportDiagnostic>("CS1591", ReportDiagnostic.Suppress)])
        .WithDeterministic(true);

    private static readonly Lazy<ImmutableArray<MetadataReference>> LazyReferences = new(() =>
    {
        var paths = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(p => p.Length > 0)
            .Where(p => !Path.GetFileName(p).StartsWith("Microsoft.CodeAnalysis", StringComparison.Ordinal))
            .Where(p => !Path.GetFileName(p).StartsWith("RnnGen.Generator", StringComparison.Ordinal))
            .Append(typeof(RnnModelAttribute).Assembly.Location)
            .Distinct(StringComparer.Ordinal);
        return paths.Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToImmutableArray();
    });

    public static ImmutableArray<MetadataReference> References => LazyReferences.Value;

    /// <summary>Parse options without XML documentation processing, for the fuzz test's bulk compilations.</summary>
    public static readonly CSharpParseOptions FastParseOptions = ParseOptions.WithDocumentationMode(DocumentationMode.None);

    public static CSharpCompilation Compilation(params string[] sources) => Compilation(ParseOptions, sources);

    public static CSharpCompilation Compilation(CSharpParseOptions options, params string[] sources) => CSharpCompilation.Create(
        "UserModels",
        sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, options, path: $"Model{i}.cs")),
        References,
        CompilationOptions);

    public static GeneratorDriver Driver(bool track = false, CSharpParseOptions? options = null) => CSharpGeneratorDriver.Create(
        [new RnnModelGenerator().AsSourceGenerator()],
        parseOptions: options ?? ParseOptions,
        driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: track));

    /// <summary>Runs the generator over <paramref name="compilation"/> and compiles the result.</summary>
    public static GeneratorRun Run(Compilation compilation, GeneratorDriver? driver = null, bool compile = true)
    {
        driver = (driver ?? Driver()).RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out ImmutableArray<Diagnostic> generatorDiagnostics);
        GeneratorDriverRunResult result = driver.GetRunResult();
        ImmutableArray<Diagnostic> compilationDiagnostics = compile ? output.GetDiagnostics() : [];
        return new GeneratorRun(output, driver, generatorDiagnostics, compilationDiagnostics,
            result.Results.SelectMany(r => r.GeneratedSources).ToImmutableArray());
    }

    public static GeneratorRun Run(params string[] sources) => Run(Compilation(sources));

    public static string Describe(IEnumerable<Diagnostic> diagnostics) =>
        string.Join(Environment.NewLine, diagnostics.Select(d => d.ToString()));
}
