using System.Linq;
using Microsoft.CodeAnalysis;

namespace RnnGen.Generator;

/// <summary>
/// The incremental pipeline: [RnnModel] classes -> <see cref="ParseResult"/> (equatable, symbol-free)
/// -> diagnostics, and specs -> plan -> source. Each step has a tracking name so tests can check
/// that unrelated edits leave it cached.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class RnnModelGenerator : IIncrementalGenerator
{
    public static class TrackingNames
    {
        public const string Parse = nameof(Parse);
        public const string Diagnostics = nameof(Diagnostics);
        public const string Specs = nameof(Specs);
        public const string Source = nameof(Source);

        /// <summary>Classes with layer attributes, checked for a missing [RnnModel] (RNNG003).</summary>
        public const string LayerScan = nameof(LayerScan);
    }

    /// <summary>The layer attributes: a class carrying any of them without [RnnModel] gets RNNG003.</summary>
    private static readonly string[] LayerAttributes =
    [
        "RnnGen.EmbeddingAttribute", "RnnGen.SimpleRnnAttribute", "RnnGen.LstmAttribute",
        "RnnGen.GruAttribute", "RnnGen.DenseAttribute", "RnnGen.LossAttribute",
    ];

    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        IncrementalValuesProvider<ParseResult> parsed = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                ModelParser.ModelAttribute,
                predicate: static (node, _) => node is Microsoft.CodeAnalysis.CSharp.Syntax.ClassDeclarationSyntax or Microsoft.CodeAnalysis.CSharp.Syntax.RecordDeclarationSyntax,
                transform: static (ctx, ct) => ModelParser.Parse(ctx, ct))
            .WithTrackingName(TrackingNames.Parse);

        foreach (string attribute in LayerAttributes)
        {
            IncrementalValuesProvider<DiagnosticInfo> missingModel = context.SyntaxProvider
                .ForAttributeWithMetadataName(
                    attribute,
                    predicate: static (node, _) => node is Microsoft.CodeAnalysis.CSharp.Syntax.ClassDeclarationSyntax or Microsoft.CodeAnalysis.CSharp.Syntax.RecordDeclarationSyntax,
                    transform: static (ctx, ct) => ModelParser.MissingModel(ctx, ct))
                .WithTrackingName(TrackingNames.LayerScan)
                .SelectMany(static (diagnostics, _) => diagnostics);
            context.RegisterSourceOutput(missingModel, static (spc, info) => Report(spc, info));
        }

        IncrementalValuesProvider<DiagnosticInfo> diagnostics = parsed
            .SelectMany(static (result, _) => result.Diagnostics)
            .WithTrackingName(TrackingNames.Diagnostics);

        context.RegisterSourceOutput(diagnostics, static (spc, info) => Report(spc, info));

        IncrementalValuesProvider<ModelSpec> specs = parsed
            .Where(static result => result.Spec is not null)
            .Select(static (result, _) => result.Spec!)
            .WithTrackingName(TrackingNames.Specs);

        IncrementalValuesProvider<GeneratedSource> sources = specs
            .Select(static (spec, _) => new GeneratedSource(spec.FullName.Replace("@", "") + ".g.cs", ModelEmitter.Emit(ModelPlanner.Plan(spec))))
            .WithTrackingName(TrackingNames.Source);

        context.RegisterSourceOutput(sources, static (spc, source) => spc.AddSource(source.HintName, source.Text));
    }

    private static void Report(SourceProductionContext context, DiagnosticInfo info)
    {
        DiagnosticDescriptor? descriptor = RnnGen.Generator.Diagnostics.Find(info.Id);
        if (descriptor is not null)
        {
            context.ReportDiagnostic(Diagnostic.Create(descriptor, info.Location?.ToLocation(), info.Arguments.ToArray<object>()));
        }
    }
}

/// <summary>One generated file.</summary>
internal sealed record GeneratedSource(string HintName, string Text);
