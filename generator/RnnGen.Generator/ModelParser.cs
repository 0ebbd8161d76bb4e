using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace RnnGen.Generator;

/// <summary>Stage 1: reads the attributes of one model class into a <see cref="ModelSpec"/>, or explains what is wrong.</summary>
internal static class ModelParser
{
    public const string Namespace = "RnnGen";
    public const string ModelAttribute = "RnnGen.RnnModelAttribute";

    private static readonly Regex ValidName = new(@"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$", RegexOptions.CultureInvariant);

    public static ParseResult Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        var type = (INamedTypeSymbol)context.TargetSymbol;
        var diagnostics = new List<DiagnosticInfo>();
        var classSyntax = (TypeDeclarationSyntax)context.TargetNode;
        LocationInfo? classLocation = LocationInfo.From(classSyntax.Identifier.GetLocation());

        if (!classSyntax.Modifiers.Any(SyntaxKind.PartialKeyword))
        {
            diagnostics.Add(Diagnostic("RNNG001", classLocation, type.Name));
        }

        bool generic = type.IsGenericType;
        var containing = new List<ContainingTypeSpec>();
        for (INamedTypeSymbol? outer = type.ContainingType; outer is not null; outer = outer.ContainingType)
        {
            generic |= outer.IsGenericType;
            containing.Insert(0, new ContainingTypeSpec(Keyword(outer), outer.Name));
            if (!outer.DeclaringSyntaxReferences.All(r => r.GetSyntax(cancellationToken) is TypeDeclarationSyntax t && t.Modifiers.Any(SyntaxKind.PartialKeyword)))
            {
                diagnostics.Add(Diagnostic("RNNG001", classLocation, outer.Name));
            }
        }

        if (generic)
        {
            diagnostics.Add(Diagnostic("RNNG002", classLocation, type.Name));
        }

        var attributes = type.GetAttributes()
            .Where(a => a.AttributeClass is { } c && c.ContainingNamespace?.ToDisplayString() == Namespace && KindOf(c.Name) is not null)
            .ToList();
        var models = attributes.Where(a => a.AttributeClass!.Name == "RnnModelAttribute").ToList();
        if (models.Count > 1)
        {
            diagnostics.Add(Diagnostic("RNNG015", AttributeLocation(models[1], cancellationToken), type.Name));
        }

        AttributeData model = models[0];
        var layerAttributes = attributes.Where(a => a.AttributeClass!.Name != "RnnModelAttribute").ToList();
        var parts = layerAttributes.Select(a => a.ApplicationSyntaxReference?.GetSyntax(cancellationToken).FirstAncestorOrSelf<TypeDeclarationSyntax>()).Distinct().Count();
        if (parts > 1)
        {
            diagnostics.Add(Diagnostic("RNNG013", classLocation, type.Name));
        }

        int sequenceLength = Positive(model, "SequenceLength", 0, diagnostics, cancellationToken, required: true);
        int batchSize = Positive(model, "BatchSize", 0, diagnostics, cancellationToken, required: true);
        bool hasInputSize = Named(model, "InputSize") is not null;
        int inputSize = hasInputSize ? Positive(model, "InputSize", 0, diagnostics, cancellationToken, required: true) : 0;

        var layers = new List<LayerSpec>();
        int loss = -1;
        var names = new HashSet<string>();
        var kindCounts = new Dictionary<LayerKind, int>();
        bool sequence = true;
        for (int index = 0; index < layerAttributes.Count; index++)
        {
            AttributeData attribute = layerAttributes[index];
            LocationInfo? location = AttributeLocation(attribute, cancellationToken);
            string attributeName = attribute.AttributeClass!.Name;
            if (attributeName == "LossAttribute")
            {
                if (loss != -1 || index != layerAttributes.Count - 1)
                {
                    diagnostics.Add(Diagnostic("RNNG007", location));
                }

                loss = attribute.ConstructorArguments.Length == 1 && attribute.ConstructorArguments[0].Value is int kind ? kind : 0;
                if (loss is < 0 or > 1)
                {
                    diagnostics.Add(Diagnostic("RNNG012", location, "Loss kind", loss.ToString(CultureInfo.InvariantCulture)));
                }

                continue;
            }

            LayerKind layerKind = KindOf(attributeName)!.Value;
            kindCounts.TryGetValue(layerKind, out int ordinal);
            kindCounts[layerKind] = ordinal + 1;
            string name = Named(attribute, "Name") as string ?? DefaultName(layerKind, ordinal);
            if (!ValidName.IsMatch(name))
            {
                diagnostics.Add(Diagnostic("RNNG011", ArgumentLocation(attribute, "Name", cancellationToken) ?? location, name));
            }
            else if (!names.Add(name))
            {
                diagnostics.Add(Diagnostic("RNNG010", ArgumentLocation(attribute, "Name", cancellationToken) ?? location, name));
            }

            LayerSpec layer = layerKind switch
            {
                LayerKind.Embedding => new LayerSpec(layerKind, name,
                    Positive(attribute, "Dim", 0, diagnostics, cancellationToken, required: true), Positive(attribute, "VocabSize", 0, diagnostics, cancellationToken, required: true),
                    1, false, 0, true, 0, 0),
                LayerKind.Dense => new LayerSpec(layerKind, name,
                    Positive(attribute, "OutputSize", 0, diagnostics, cancellationToken, required: true), 0, 1, false, 0, true, 0,
                    EnumValue(attribute, "Activation", 3, diagnostics, cancellationToken)),
                _ => new LayerSpec(layerKind, name,
                    Positive(attribute, "HiddenSize", 0, diagnostics, cancellationToken, required: true), 0,
                    Positive(attribute, "NumLayers", 1, diagnostics, cancellationToken, required: false),
                    Named(attribute, "Bidirectional") is true,
                    Dropout(attribute, name, diagnostics, cancellationToken),
                    Named(attribute, "ReturnSequences") is not false,
                    layerKind == LayerKind.SimpleRnn ? EnumValue(attribute, "Nonlinearity", 1, diagnostics, cancellationToken) : 0, 0),
            };

            if (layerKind == LayerKind.Embedding && index != 0)
            {
                diagnostics.Add(Diagnostic("RNNG006", location, name));
            }

            if (layer.IsRecurrent)
            {
                if (!sequence)
                {
                    diagnostics.Add(Diagnostic("RNNG014", location, name));
                }

                sequence = layer.ReturnSequences;
            }

            layers.Add(layer);
        }

        bool embeddingFirst = layers.Count > 0 && layers[0].Kind == LayerKind.Embedding;
        LocationInfo? modelLocation = AttributeLocation(model, cancellationToken);
        if (embeddingFirst && hasInputSize)
        {
            diagnostics.Add(Diagnostic("RNNG005", ArgumentLocation(model, "InputSize", cancellationToken) ?? modelLocation,
                "InputSize must be omitted when the first layer is [Embedding]: the input is token ids"));
        }
        else if (!embeddingFirst && !hasInputSize)
        {
            diagnostics.Add(Diagnostic("RNNG005", modelLocation,
                "InputSize is required unless the first layer is [Embedding]"));
        }

        if (!layers.Any(l => l.IsRecurrent))
        {
            diagnostics.Add(Diagnostic("RNNG008", classLocation, type.Name));
        }

        var spec = new ModelSpec(
            type.ContainingNamespace is { IsGlobalNamespace: false } ns ? ns.ToDisplayString() : null,
            containing.ToEquatableArray(),
            type.Name,
            sequenceLength,
            batchSize,
            inputSize,
            layers.ToEquatableArray(),
            loss);

        if (diagnostics.Count == 0 && ModelPlanner.LargestBuffer(spec) is long largest && largest > int.MaxValue / 2)
        {
            diagnostics.Add(Diagnostic("RNNG016", modelLocation, type.Name, largest.ToString(CultureInfo.InvariantCulture)));
        }

        return new ParseResult(diagnostics.Count == 0 ? spec : null, diagnostics.ToEquatableArray());
    }

    private static LayerKind? KindOf(string attributeName) => attributeName switch
    {
        "EmbeddingAttribute" => LayerKind.Embedding,
        "SimpleRnnAttribute" => LayerKind.SimpleRnn,
        "LstmAttribute" => LayerKind.Lstm,
        "GruAttribute" => LayerKind.Gru,
        "DenseAttribute" => LayerKind.Dense,
        "LossAttribute" or "RnnModelAttribute" => LayerKind.Dense, // recognised; handled separately
        _ => null,
    };

    private static string DefaultName(LayerKind kind, int ordinal) =>
        kind.ToString().ToLowerInvariant() + ordinal.ToString(CultureInfo.InvariantCulture);

    private static string Keyword(INamedTypeSymbol type) => type switch
    {
        { IsRecord: true, TypeKind: TypeKind.Struct } => "record struct",
        { IsRecord: true } => "record",
        { TypeKind: TypeKind.Struct } => "struct",
        { TypeKind: TypeKind.Interface } => "interface",
        _ => "class",
    };

    private static object? Named(AttributeData attribute, string name)
    {
        foreach (var pair in attribute.NamedArguments)
        {
            if (pair.Key == name && pair.Value.Kind != TypedConstantKind.Error)
            {
                return pair.Value.Value;
            }
        }

        return null;
    }

    private static int Positive(AttributeData attribute, string property, int fallback, List<DiagnosticInfo> diagnostics, CancellationToken ct, bool required)
    {
        object? value = Named(attribute, property);
        if (value is int i && i > 0)
        {
            return i;
        }

        if (value is null && !required)
        {
            return fallback == 0 ? 1 : fallback;
        }

        string shown = value is int v ? v.ToString(CultureInfo.InvariantCulture) : "missing";
        diagnostics.Add(Diagnostic("RNNG004", ArgumentLocation(attribute, property, ct) ?? AttributeLocation(attribute, ct),
            attribute.AttributeClass!.Name.Replace("Attribute", "") + "." + property, shown));
        return 1;
    }

    private static int EnumValue(AttributeData attribute, string property, int max, List<DiagnosticInfo> diagnostics, CancellationToken ct)
    {
        object? value = Named(attribute, property);
        int i = value is int v ? v : 0;
        if (i < 0 || i > max)
        {
            diagnostics.Add(Diagnostic("RNNG012", ArgumentLocation(attribute, property, ct) ?? AttributeLocation(attribute, ct),
                property, i.ToString(CultureInfo.InvariantCulture)));
            return 0;
        }

        return i;
    }

    private static double Dropout(AttributeData attribute, string name, List<DiagnosticInfo> diagnostics, CancellationToken ct)
    {
        double p = Named(attribute, "Dropout") is double d ? d : 0;
        if (!(p >= 0 && p < 1))
        {
            diagnostics.Add(Diagnostic("RNNG009", ArgumentLocation(attribute, "Dropout", ct) ?? AttributeLocation(attribute, ct),
                name, p.ToString("R", CultureInfo.InvariantCulture)));
            return 0;
        }

        return p;
    }

    private static LocationInfo? AttributeLocation(AttributeData attribute, CancellationToken ct) =>
        LocationInfo.From(attribute.ApplicationSyntaxReference?.GetSyntax(ct).GetLocation());

    private static LocationInfo? ArgumentLocation(AttributeData attribute, string property, CancellationToken ct)
    {
        if (attribute.ApplicationSyntaxReference?.GetSyntax(ct) is not AttributeSyntax { ArgumentList: { } list })
        {
            return null;
        }

        foreach (AttributeArgumentSyntax argument in list.Arguments)
        {
            if (argument.NameEquals?.Name.Identifier.ValueText == property)
            {
                return LocationInfo.From(argument.GetLocation());
            }
        }

        return null;
    }

    private static DiagnosticInfo Diagnostic(string id, LocationInfo? location, params string[] arguments) =>
        new(id, location, arguments.ToImmutableArray().ToEquatableArray());
}
