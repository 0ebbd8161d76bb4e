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
    }

    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        IncrementalValuesProvider<ParseResult> parsed = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                ModelParser.ModelAttribute,
                predicate: static (node, _) => node is Microsoft.CodeAnalysis.CSharp.Syntax.ClassDeclarationSyntax,
                transform: static (ctx, ct) => ModelParser.Parse(ctx, ct))
            .WithTrackingName(TrackingNames.Parse);

        IncrementalValuesProvider<DiagnosticInfo> diagnostics = parsed
            .SelectMany(static (result, _) => result.Diagnostics)
            .WithTrackingName(TrackingNames.Diagnostics);

        context.RegisterSourceOutput(diagnostics, static (spc, info) =>
        {
            DiagnosticDescriptor? descriptor = RnnGen.Generator.Diagnostics.Find(info.Id);
            if (descriptor is not null)
            {
                spc.ReportDiagnostic(Diagnostic.Create(descriptor, info.Location?.ToLocation(), info.Arguments.ToArray<object>()));
            }
        });

        IncrementalValuesProvider<ModelSpec> specs = parsed
            .Where(static result => result.Spec is not null)
            .Select(static (result, _) => result.Spec!)
            .WithTrackingName(TrackingNames.Specs);

        IncrementalValuesProvider<GeneratedSource> sources = specs
            .Select(static (spec, _) => new GeneratedSource(spec.FullName + ".g.cs", ModelEmitter.Emit(ModelPlanner.Plan(spec))))
            .WithTrackingName(TrackingNames.Source);

        context.RegisterSourceOutput(sources, static (spc, source) => spc.AddSource(source.HintName, source.Text));
    }
}

/// <summary>One generated file.</summary>
internal sealed record GeneratedSource(string HintName, string Text);
