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

        var attributes = type.GetAttributes()
            .Where(a => a.AttributeClass is { } c && c.ContainingNamespace?.ToDisplayString() == Namespace && KindOf(c.Name) is not null)
            .ToList();
        var models = attributes.Where(a => a.AttributeClass!.Name == "RnnModelAttribute").ToList();

        // A class with [RnnModel] on several partial parts is seen once per part: only the part that
        // holds the first [RnnModel] speaks for the class, so nothing is reported or generated twice.
        if (models.Count == 0 || !Contains(classSyntax, models[0]))
        {
            return new ParseResult(null, EquatableArray<DiagnosticInfo>.Empty);
        }

        AttributeData model = models[0];
        LocationInfo? modelLocation = AttributeLocation(model, cancellationToken);
        if (!type.DeclaringSyntaxReferences.All(r => r.GetSyntax(cancellationToken) is TypeDeclarationSyntax t && t.Modifiers.Any(SyntaxKind.PartialKeyword)))
        {
            diagnostics.Add(Diagnostic("RNNG001", modelLocation, type.Name));
        }

        if (type.IsStatic || type.IsRecord || type.IsFileLocal)
        {
            diagnostics.Add(Diagnostic("RNNG017", modelLocation, type.Name,
                type.IsStatic ? "static" : type.IsRecord ? "a record" : "file-local"));
        }

        bool generic = type.IsGenericType;
        var containing = new List<ContainingTypeSpec>();
        for (INamedTypeSymbol? outer = type.ContainingType; outer is not null; outer = outer.ContainingType)
        {
            generic |= outer.IsGenericType;
            containing.Insert(0, new ContainingTypeSpec(Keyword(outer), Escape(outer.Name)));
            if (!outer.DeclaringSyntaxReferences.All(r => r.GetSyntax(cancellationToken) is TypeDeclarationSyntax t && t.Modifiers.Any(SyntaxKind.PartialKeyword)))
            {
                diagnostics.Add(Diagnostic("RNNG001", modelLocation, outer.Name));
            }
        }

        if (generic)
        {
            diagnostics.Add(Diagnostic("RNNG002", modelLocation, type.Name));
        }

        if (models.Count > 1)
        {
            diagnostics.Add(Diagnostic("RNNG015", AttributeLocation(models[1], cancellationToken), type.Name));
        }

        var layerAttributes = attributes.Where(a => a.AttributeClass!.Name != "RnnModelAttribute").ToList();
        var parts = layerAttributes.Select(a => a.ApplicationSyntaxReference?.GetSyntax(cancellationToken).FirstAncestorOrSelf<TypeDeclarationSyntax>()).ToList();
        int secondPart = parts.FindIndex(p => p != parts[0]);
        if (secondPart > 0)
        {
            diagnostics.Add(Diagnostic("RNNG013", AttributeLocation(layerAttributes[secondPart], cancellationToken), type.Name));
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
                // A second [Loss] is reported where it repeats; a first one only if a layer follows it.
                if (loss != -1 || layerAttributes.Skip(index + 1).Any(a => a.AttributeClass!.Name != "LossAttribute"))
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
            diagnostics.Add(Diagnostic("RNNG008", modelLocation, type.Name));
        }

        var spec = new ModelSpec(
            type.ContainingNamespace is { IsGlobalNamespace: false } ns ? string.Join(".", NamespaceParts(ns).Select(Escape)) : null,
            containing.ToEquatableArray(),
            Escape(type.Name),
            sequenceLength,
            batchSize,
            inputSize,
            layers.ToEquatableArray(),
            loss);

        if (diagnostics.Count == 0)
        {
            if (ModelLimits.UnrollProblem(spec) is string unrollProblem)
            {
                diagnostics.Add(Diagnostic("RNNG018", modelLocation, type.Name, unrollProblem));
            }
            else if (ModelLimits.EstimatedLargestBuffer(spec) is double estimate && estimate > ModelLimits.MaxBuffer)
            {
                // Checked in floating point before planning, so that planning never overflows an int.
                diagnostics.Add(Diagnostic("RNNG016", modelLocation, type.Name, estimate.ToString("0", CultureInfo.InvariantCulture)));
            }
            else if (ModelPlanner.LargestBuffer(spec) is long largest && largest > ModelLimits.MaxBuffer)
            {
                diagnostics.Add(Diagnostic("RNNG016", modelLocation, type.Name, largest.ToString(CultureInfo.InvariantCulture)));
            }
            else if (ModelLimits.FirstCollision(spec) is (int layer, string identifier))
            {
                LocationInfo? at = layer < 0 ? modelLocation
                    : ArgumentLocation(layerAttributes[LayerAttributeIndex(layerAttributes, layer)], "Name", cancellationToken)
                      ?? AttributeLocation(layerAttributes[LayerAttributeIndex(layerAttributes, layer)], cancellationToken);
                diagnostics.Add(Diagnostic("RNNG019", at, layer < 0 ? type.Name : spec.Layers[layer].Name, identifier));
            }
        }

        for (int i = 0; i < layers.Count; i++)
        {
            LayerSpec layer = layers[i];
            if (layer.IsRecurrent && layer.NumLayers == 1 && layer.Dropout > 0)
            {
                int index = LayerAttributeIndex(layerAttributes, i);
                diagnostics.Add(Diagnostic("RNNG020",
                    ArgumentLocation(layerAttributes[index], "Dropout", cancellationToken) ?? AttributeLocation(layerAttributes[index], cancellationToken),
                    layer.Name));
            }
        }

        bool errors = diagnostics.Any(d => d.Id != "RNNG020");
        return new ParseResult(errors ? null : spec, diagnostics.ToEquatableArray());
    }

    /// <summary>
    /// RNNG003: layer attributes on a class without [RnnModel]. Called once per layer attribute kind
    /// on a class part; only the pipeline of the part's first layer attribute reports, so a class is
    /// reported once per part.
    /// </summary>
    public static EquatableArray<DiagnosticInfo> MissingModel(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        if (context.TargetSymbol is not INamedTypeSymbol type)
        {
            return EquatableArray<DiagnosticInfo>.Empty;
        }

        AttributeData? first = null;
        foreach (AttributeData attribute in type.GetAttributes())
        {
            if (attribute.AttributeClass is not { } c || c.ContainingNamespace?.ToDisplayString() != Namespace || KindOf(c.Name) is null)
            {
                continue;
            }

            if (c.Name == "RnnModelAttribute")
            {
                return EquatableArray<DiagnosticInfo>.Empty;
            }

            if (Contains(context.TargetNode, attribute) &&
                (first is null || attribute.ApplicationSyntaxReference!.Span.Start < first.ApplicationSyntaxReference!.Span.Start))
            {
                first = attribute;
            }
        }

        if (first is null || !context.Attributes.Any(a => a.ApplicationSyntaxReference?.Span == first.ApplicationSyntaxReference!.Span))
        {
            return EquatableArray<DiagnosticInfo>.Empty;
        }

        return new[] { Diagnostic("RNNG003", AttributeLocation(first, cancellationToken), type.Name) }.ToEquatableArray();
    }

    private static bool Contains(SyntaxNode node, AttributeData attribute) =>
        attribute.ApplicationSyntaxReference is { } reference && reference.SyntaxTree == node.SyntaxTree && node.Span.Contains(reference.Span);

    /// <summary>The index in the layer attributes (which include [Loss]) of the layer spec at <paramref name="layer"/>.</summary>
    private static int LayerAttributeIndex(List<AttributeData> layerAttributes, int layer)
    {
        int seen = -1;
        for (int i = 0; i < layerAttributes.Count; i++)
        {
            if (layerAttributes[i].AttributeClass!.Name != "LossAttribute" && ++seen == layer)
            {
                return i;
            }
        }

        return layerAttributes.Count - 1;
    }

    private static IEnumerable<string> NamespaceParts(INamespaceSymbol ns)
    {
        var parts = new List<string>();
        for (INamespaceSymbol? n = ns; n is { IsGlobalNamespace: false }; n = n.ContainingNamespace)
        {
            parts.Insert(0, n.Name);
        }

        return parts;
    }

    /// <summary>A name as C# source: <c>@class</c> for a type or namespace named like a keyword.</summary>
    private static string Escape(string name) => SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None ? "@" + name : name;

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
