using System.Globalization;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace RnnGen.Generator;

/// <summary>
/// The incremental pipeline: [RnnModel] classes -> <see cref="ParseResult"/> (equatable, symbol-free)
/// -> diagnostics, and specs -> plan -> source. Each step has a tracking name so tests can check
/// that unrelated edits leave it cached.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class RnnModelGenerator : IIncrementalGenerator
{
    /// <summary>The MSBuild property (made visible to the compiler by the package) that sets when RNNG023 warns.</summary>
    public const string BufferWarningProperty = "build_property.RnnGenBufferWarningMegabytes";

    /// <summary>RNNG023's threshold when the property is not set.</summary>
    public const long DefaultBufferWarningMegabytes = 1024;

    public static class TrackingNames
    {
        public const string Parse = nameof(Parse);
        public const string Diagnostics = nameof(Diagnostics);
        public const string Specs = nameof(Specs);
        public const string Source = nameof(Source);

        /// <summary>Classes with layer attributes, checked for a missing [RnnModel] (RNNG003).</summary>
        public const string LayerScan = nameof(LayerScan);

        /// <summary>Models whose buffers exceed the threshold (RNNG023).</summary>
        public const string Buffers = nameof(Buffers);
    }

    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        IncrementalValuesProvider<ParseResult> parsed = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                ModelParser.ModelAttribute,
                predicate: static (node, _) => node is ClassDeclarationSyntax or RecordDeclarationSyntax,
                transform: static (ctx, ct) => ModelParser.Parse(ctx, ct))
            .WithTrackingName(TrackingNames.Parse);

        foreach (string attribute in ModelParser.LayerAttributes)
        {
            IncrementalValuesProvider<DiagnosticInfo> missingModel = context.SyntaxProvider
                .ForAttributeWithMetadataName(
                    attribute,
                    predicate: static (node, _) => node is ClassDeclarationSyntax or RecordDeclarationSyntax,
                    transform: static (ctx, ct) => ModelParser.MissingModel(ctx, ct))
                .WithTrackingName(TrackingNames.LayerScan)
                .SelectMany(static (diagnostics, _) => diagnostics);
            context.RegisterSourceOutput(missingModel, static (spc, info) => spc.ReportDiagnostic(info.ToDiagnostic()));
        }

        IncrementalValuesProvider<DiagnosticInfo> diagnostics = parsed
            .SelectMany(static (result, _) => result.Diagnostics)
            .WithTrackingName(TrackingNames.Diagnostics);

        context.RegisterSourceOutput(diagnostics, static (spc, info) => spc.ReportDiagnostic(info.ToDiagnostic()));

        IncrementalValueProvider<long> threshold = context.AnalyzerConfigOptionsProvider.Select(static (options, _) =>
            options.GlobalOptions.TryGetValue(BufferWarningProperty, out string? text) &&
            long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out long megabytes) && megabytes >= 0
                ? megabytes
                : DefaultBufferWarningMegabytes);

        IncrementalValuesProvider<BufferCheck> bufferChecks = parsed
            .Combine(threshold)
            .Select(static (pair, _) => new BufferCheck(pair.Left.Buffers, pair.Right))
            .WithTrackingName(TrackingNames.Buffers);

        context.RegisterSourceOutput(bufferChecks, static (spc, check) =>
        {
            if (check.Report is { } report && report.Total > check.ThresholdMegabytes * 1024 * 1024)
            {
                spc.ReportDiagnostic(BufferWarning(report, check.ThresholdMegabytes).ToDiagnostic());
            }
        });

        IncrementalValuesProvider<ModelSpec> specs = parsed
            .Where(static result => result.Spec is not null)
            .Select(static (result, _) => result.Spec!)
            .WithTrackingName(TrackingNames.Specs);

        IncrementalValuesProvider<GeneratedSource> sources = specs
            .Select(static (spec, _) => new GeneratedSource(spec.FullName.Replace("@", "") + ".g.cs", ModelEmitter.Emit(ModelPlanner.Plan(spec))))
            .WithTrackingName(TrackingNames.Source);

        context.RegisterSourceOutput(sources, static (spc, source) => spc.AddSource(source.HintName, source.Text));
    }

    private static DiagnosticInfo BufferWarning(BufferReport report, long threshold)
    {
        static string Megabytes(long bytes) => (bytes / (1024.0 * 1024.0)).ToString("0.#", CultureInfo.InvariantCulture);
        string[] arguments =
        [
            report.ClassName, Megabytes(report.Total), Megabytes(report.ParameterBytes), Megabytes(report.ActivationBytes),
            Megabytes(report.GradientBytes), threshold.ToString(CultureInfo.InvariantCulture),
        ];
        return new DiagnosticInfo(Generator.Diagnostics.LargeBuffers, report.Location, arguments.ToEquatableArray());
    }
}

/// <summary>A model's buffer sizes against the RNNG023 threshold (null report: the model is invalid).</summary>
internal sealed record BufferCheck(BufferReport? Report, long ThresholdMegabytes);

/// <summary>One generated file.</summary>
internal sealed record GeneratedSource(string HintName, string Text);
