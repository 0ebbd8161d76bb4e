using System;
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

/// <summary>
/// Stage 1: reads the attributes of one model class into a <see cref="ModelSpec"/>, or explains what is wrong.
/// Checks that need the memory plan (sizes, name collisions) are the limits' (<see cref="ModelLimits"/>).
/// </summary>
internal static class ModelParser
{
    public const string Namespace = "RnnGen";
    public const string ModelAttribute = "RnnGen.RnnModelAttribute";
    public const string EmbeddingAttribute = "RnnGen.EmbeddingAttribute";
    public const string DenseAttribute = "RnnGen.DenseAttribute";
    public const string LossAttribute = "RnnGen.LossAttribute";

    /// <summary>Every layer attribute: a class carrying one without [RnnModel] gets RNNG003.</summary>
    public static readonly ImmutableArray<string> LayerAttributes = ImmutableArray.Create(
        EmbeddingAttribute,
        CellDescriptor.For(CellKind.SimpleRnn).AttributeName,
        CellDescriptor.For(CellKind.Lstm).AttributeName,
        CellDescriptor.For(CellKind.Gru).AttributeName,
        DenseAttribute,
        LossAttribute);

    private static readonly Regex ValidName = new(@"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$", RegexOptions.CultureInvariant);

    public static ParseResult Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        var type = (INamedTypeSymbol)context.TargetSymbol;
        var classSyntax = (TypeDeclarationSyntax)context.TargetNode;
        var attributes = type.GetAttributes().Where(a => MetadataName(a) is string name && (name == ModelAttribute || LayerAttributes.Contains(name))).ToList();
        var models = attributes.Where(a => MetadataName(a) == ModelAttribute).ToList();

        // A class with [RnnModel] on several partial parts is seen once per part: only the part that
        // holds the first [RnnModel] speaks for the class, so nothing is reported or generated twice.
        if (models.Count == 0 || !Contains(classSyntax, models[0]))
        {
            return new ParseResult(null, EquatableArray<DiagnosticInfo>.Empty);
        }

        var reader = new Reader(cancellationToken);
        AttributeData model = models[0];
        LocationInfo? modelLocation = reader.AttributeLocation(model);
        CheckClass(type, modelLocation, models, reader);

        var layerAttributes = attributes.Where(a => MetadataName(a) != ModelAttribute).ToList();
        var parts = layerAttributes.Select(a => a.ApplicationSyntaxReference?.GetSyntax(cancellationToken).FirstAncestorOrSelf<TypeDeclarationSyntax>()).ToList();
        int secondPart = parts.FindIndex(p => p != parts[0]);
        if (secondPart > 0)
        {
            reader.Report(Diagnostics.LayersOnSeveralParts, reader.AttributeLocation(layerAttributes[secondPart]), type.Name);
        }

        int sequenceLength = reader.Positive(model, "SequenceLength", required: true);
        int batchSize = reader.Positive(model, "BatchSize", required: true);
        bool hasInputSize = Named(model, "InputSize") is not null;
        int inputSize = hasInputSize ? reader.Positive(model, "InputSize", required: true) : 0;

        var layers = new List<LayerSpec>();
        var layerAttributeOf = new List<AttributeData>();
        LossSpec? loss = null;
        var names = new HashSet<string>(StringComparer.Ordinal);
        var ordinals = new Dictionary<string, int>(StringComparer.Ordinal);
        bool sequence = true;
        for (int index = 0; index < layerAttributes.Count; index++)
        {
            AttributeData attribute = layerAttributes[index];
            LocationInfo? location = reader.AttributeLocation(attribute);
            string attributeName = MetadataName(attribute)!;
            if (attributeName == LossAttribute)
            {
                // A second [Loss] is reported where it repeats; a first one only if a layer follows it.
                if (loss is not null || layerAttributes.Skip(index + 1).Any(a => MetadataName(a) != LossAttribute))
                {
                    reader.Report(Diagnostics.LossNotLast, location);
                }

                loss = ReadLoss(attribute, location, reader);
                continue;
            }

            ordinals.TryGetValue(attributeName, out int ordinal);
            ordinals[attributeName] = ordinal + 1;
            string name = Named(attribute, "Name") as string ?? DefaultName(attributeName, ordinal);
            if (!ValidName.IsMatch(name))
            {
                reader.Report(Diagnostics.InvalidName, reader.ArgumentLocation(attribute, "Name") ?? location, name);
            }
            else if (!names.Add(name))
            {
                reader.Report(Diagnostics.DuplicateName, reader.ArgumentLocation(attribute, "Name") ?? location, name);
            }

            LayerSpec layer = attributeName switch
            {
                EmbeddingAttribute => new EmbeddingSpec(name, reader.Positive(attribute, "VocabSize", required: true), reader.Positive(attribute, "Dim", required: true)),
                DenseAttribute => new DenseSpec(name, reader.Positive(attribute, "OutputSize", required: true), reader.Enum(attribute, "Activation", Activation.None)),
                _ => ReadRecurrent(attribute, CellOf(attributeName), name, reader),
            };

            if (layer is EmbeddingSpec && index != 0)
            {
                reader.Report(Diagnostics.EmbeddingNotFirst, location, name);
            }

            if (layer is RecurrentSpec recurrent)
            {
                if (!sequence)
                {
                    reader.Report(Diagnostics.SequenceAfterLastStep, location, name);
                }

                sequence = recurrent.ReturnSequences;
                if (recurrent.NumLayers == 1 && recurrent.Dropout > 0)
                {
                    reader.Report(Diagnostics.DropoutWithoutEffect, reader.ArgumentLocation(attribute, "Dropout") ?? location, name);
                }
            }

            layers.Add(layer);
            layerAttributeOf.Add(attribute);
        }

        bool embeddingFirst = layers.Count > 0 && layers[0] is EmbeddingSpec;
        if (embeddingFirst && hasInputSize)
        {
            reader.Report(Diagnostics.InputSizeMismatch, reader.ArgumentLocation(model, "InputSize") ?? modelLocation,
                "InputSize must be omitted when the first layer is [Embedding]: the input is token ids");
        }
        else if (!embeddingFirst && !hasInputSize)
        {
            reader.Report(Diagnostics.InputSizeMismatch, modelLocation, "InputSize is required unless the first layer is [Embedding]");
        }

        if (!layers.Any(l => l is RecurrentSpec))
        {
            reader.Report(Diagnostics.NoRecurrentLayer, modelLocation, type.Name);
        }

        var spec = new ModelSpec(
            type.ContainingNamespace is { IsGlobalNamespace: false } ns ? string.Join(".", NamespaceParts(ns).Select(Escape)) : null,
            ContainingTypes(type, modelLocation, reader),
            Escape(type.Name),
            sequenceLength,
            batchSize,
            inputSize,
            layers.ToEquatableArray(),
            loss);

        if (!reader.HasErrors)
        {
            // Sizes and names are measured on the plan itself, the one the emitter will write.
            foreach ((DiagnosticDescriptor descriptor, int layer, string[] arguments) in ModelLimits.Check(spec))
            {
                LocationInfo? at = layer < 0 ? modelLocation
                    : reader.ArgumentLocation(layerAttributeOf[layer], "Name") ?? reader.AttributeLocation(layerAttributeOf[layer]);
                reader.Report(descriptor, at, arguments);
            }
        }

        if (reader.HasErrors)
        {
            return new ParseResult(null, reader.Diagnostics.ToEquatableArray());
        }

        (long parameters, long activations, long gradients) = ModelLimits.Bytes(ModelPlanner.Plan(spec));
        return new ParseResult(spec, reader.Diagnostics.ToEquatableArray(), new BufferReport(type.Name, modelLocation, parameters, activations, gradients));
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
            string? name = MetadataName(attribute);
            if (name == ModelAttribute)
            {
                return EquatableArray<DiagnosticInfo>.Empty;
            }

            if (name is not null && LayerAttributes.Contains(name) && Contains(context.TargetNode, attribute) &&
                (first is null || attribute.ApplicationSyntaxReference!.Span.Start < first.ApplicationSyntaxReference!.Span.Start))
            {
                first = attribute;
            }
        }

        if (first is null || !context.Attributes.Any(a => a.ApplicationSyntaxReference?.Span == first.ApplicationSyntaxReference!.Span))
        {
            return EquatableArray<DiagnosticInfo>.Empty;
        }

        var reader = new Reader(cancellationToken);
        reader.Report(Diagnostics.MissingModel, reader.AttributeLocation(first), type.Name);
        return reader.Diagnostics.ToEquatableArray();
    }

    private static RecurrentSpec ReadRecurrent(AttributeData attribute, CellKind cell, string name, Reader reader)
    {
        int hidden = reader.Positive(attribute, "HiddenSize", required: true);
        int projection = Named(attribute, "ProjectionSize") is int p ? p : 0;
        if (projection < 0 || (projection > 0 && projection >= hidden))
        {
            reader.Report(Diagnostics.ProjectionTooLarge, reader.ArgumentLocation(attribute, "ProjectionSize") ?? reader.AttributeLocation(attribute),
                name, projection.ToString(CultureInfo.InvariantCulture), (hidden - 1).ToString(CultureInfo.InvariantCulture));
            projection = 0;
        }

        double forgetBias = Named(attribute, "ForgetBias") is double f ? f : 0;
        if (double.IsNaN(forgetBias) || double.IsInfinity(forgetBias))
        {
            reader.Report(Diagnostics.NotFinite, reader.ArgumentLocation(attribute, "ForgetBias") ?? reader.AttributeLocation(attribute),
                $"ForgetBias of layer '{name}'", forgetBias.ToString("R", CultureInfo.InvariantCulture), "it must be a finite number");
            forgetBias = 0;
        }

        return new RecurrentSpec(
            name,
            cell,
            hidden,
            reader.Positive(attribute, "NumLayers", required: false),
            Named(attribute, "Bidirectional") is true,
            ReadDropout(attribute, name, reader),
            Named(attribute, "ReturnSequences") is not false,
            Named(attribute, "LearnInitialState") is true,
            cell == CellKind.SimpleRnn ? reader.Enum(attribute, "Nonlinearity", Nonlinearity.Tanh) : Nonlinearity.Tanh,
            projection,
            Named(attribute, "Peephole") is true,
            Named(attribute, "LayerNorm") is true,
            forgetBias);
    }

    private static LossSpec ReadLoss(AttributeData attribute, LocationInfo? location, Reader reader)
    {
        var kind = LossKind.SoftmaxCrossEntropy;
        if (attribute.ConstructorArguments.Length == 1 && attribute.ConstructorArguments[0].Value is int value)
        {
            if (System.Enum.IsDefined(typeof(LossKind), value))
            {
                kind = (LossKind)value;
            }
            else
            {
                reader.Report(Diagnostics.EnumOutOfRange, location, "Loss kind", value.ToString(CultureInfo.InvariantCulture));
            }
        }

        double delta = Named(attribute, "Delta") is double d ? d : 1.0;
        if (!(delta > 0 && !double.IsInfinity(delta)))
        {
            reader.Report(Diagnostics.NotFinite, reader.ArgumentLocation(attribute, "Delta") ?? location,
                "Delta", delta.ToString("R", CultureInfo.InvariantCulture), "it must be a positive finite number");
            delta = 1.0;
        }

        if (Named(attribute, "Delta") is not null && kind != LossKind.Huber)
        {
            reader.Report(Diagnostics.OptionIgnored, reader.ArgumentLocation(attribute, "Delta") ?? location, "Delta", "LossKind.Huber", kind.ToString());
        }

        if (Named(attribute, "IgnoreIndex") is not null && kind != LossKind.SoftmaxCrossEntropy)
        {
            reader.Report(Diagnostics.OptionIgnored, reader.ArgumentLocation(attribute, "IgnoreIndex") ?? location, "IgnoreIndex", "LossKind.SoftmaxCrossEntropy", kind.ToString());
        }

        return new LossSpec(kind, delta, Named(attribute, "IgnoreIndex") is int ignore ? ignore : -100);
    }

    private static double ReadDropout(AttributeData attribute, string name, Reader reader)
    {
        double p = Named(attribute, "Dropout") is double d ? d : 0;
        if (!(p >= 0 && p < 1))
        {
            reader.Report(Diagnostics.DropoutOutOfRange, reader.ArgumentLocation(attribute, "Dropout") ?? reader.AttributeLocation(attribute),
                name, p.ToString("R", CultureInfo.InvariantCulture));
            return 0;
        }

        return p;
    }

    private static void CheckClass(INamedTypeSymbol type, LocationInfo? modelLocation, List<AttributeData> models, Reader reader)
    {
        if (!IsPartialEverywhere(type, reader.CancellationToken))
        {
            reader.Report(Diagnostics.NotPartial, modelLocation, type.Name);
        }

        if (type.IsStatic || type.IsRecord || type.IsFileLocal)
        {
            reader.Report(Diagnostics.NotAPlainClass, modelLocation, type.Name, type.IsStatic ? "static" : type.IsRecord ? "a record" : "file-local");
        }

        bool generic = type.IsGenericType;
        for (INamedTypeSymbol? outer = type.ContainingType; outer is not null; outer = outer.ContainingType)
        {
            generic |= outer.IsGenericType;
        }

        if (generic)
        {
            reader.Report(Diagnostics.Generic, modelLocation, type.Name);
        }

        if (models.Count > 1)
        {
            reader.Report(Diagnostics.DuplicateModel, reader.AttributeLocation(models[1]), type.Name);
        }
    }

    private static EquatableArray<ContainingTypeSpec> ContainingTypes(INamedTypeSymbol type, LocationInfo? modelLocation, Reader reader)
    {
        var containing = new List<ContainingTypeSpec>();
        for (INamedTypeSymbol? outer = type.ContainingType; outer is not null; outer = outer.ContainingType)
        {
            containing.Insert(0, new ContainingTypeSpec(Keyword(outer), Escape(outer.Name)));
            if (!IsPartialEverywhere(outer, reader.CancellationToken))
            {
                reader.Report(Diagnostics.NotPartial, modelLocation, outer.Name);
            }
        }

        return containing.ToEquatableArray();
    }

    private static bool IsPartialEverywhere(INamedTypeSymbol type, CancellationToken cancellationToken) =>
        type.DeclaringSyntaxReferences.All(r => r.GetSyntax(cancellationToken) is TypeDeclarationSyntax t && t.Modifiers.Any(SyntaxKind.PartialKeyword));

    private static string? MetadataName(AttributeData attribute) =>
        attribute.AttributeClass is { } c && c.ContainingNamespace?.ToDisplayString() == Namespace ? Namespace + "." + c.Name : null;

    private static CellKind CellOf(string attributeName) =>
        attributeName == CellDescriptor.For(CellKind.Lstm).AttributeName ? CellKind.Lstm
        : attributeName == CellDescriptor.For(CellKind.Gru).AttributeName ? CellKind.Gru
        : CellKind.SimpleRnn;

    /// <summary>"lstm0", "dense1", …: the attribute's name without "Attribute", lower case, and its ordinal among its kind.</summary>
    private static string DefaultName(string attributeName, int ordinal)
    {
        string stem = attributeName.Substring(Namespace.Length + 1);
        stem = stem.Substring(0, stem.Length - "Attribute".Length);
        return stem.ToLowerInvariant() + ordinal.ToString(CultureInfo.InvariantCulture);
    }

    private static bool Contains(SyntaxNode node, AttributeData attribute) =>
        attribute.ApplicationSyntaxReference is { } reference && reference.SyntaxTree == node.SyntaxTree && node.Span.Contains(reference.Span);

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

    /// <summary>Reads attribute values and collects the diagnostics they cause.</summary>
    private sealed class Reader(CancellationToken cancellationToken)
    {
        public CancellationToken CancellationToken { get; } = cancellationToken;

        public List<DiagnosticInfo> Diagnostics { get; } = new();

        public bool HasErrors => Diagnostics.Any(d => d.Descriptor.DefaultSeverity == DiagnosticSeverity.Error);

        public void Report(DiagnosticDescriptor descriptor, LocationInfo? location, params string[] arguments) =>
            Diagnostics.Add(new DiagnosticInfo(descriptor, location, arguments.ToImmutableArray().ToEquatableArray()));

        public int Positive(AttributeData attribute, string property, bool required)
        {
            object? value = Named(attribute, property);
            if (value is int i && i > 0)
            {
                return i;
            }

            if (value is null && !required)
            {
                return 1;
            }

            string shown = value is int v ? v.ToString(CultureInfo.InvariantCulture) : "missing";
            Report(Generator.Diagnostics.NotPositive, ArgumentLocation(attribute, property) ?? AttributeLocation(attribute),
                attribute.AttributeClass!.Name.Replace("Attribute", "") + "." + property, shown);
            return 1;
        }

        public TEnum Enum<TEnum>(AttributeData attribute, string property, TEnum fallback)
            where TEnum : struct
        {
            if (Named(attribute, property) is not int value)
            {
                return fallback;
            }

            if (!System.Enum.IsDefined(typeof(TEnum), value))
            {
                Report(Generator.Diagnostics.EnumOutOfRange, ArgumentLocation(attribute, property) ?? AttributeLocation(attribute),
                    property, value.ToString(CultureInfo.InvariantCulture));
                return fallback;
            }

            return (TEnum)System.Enum.ToObject(typeof(TEnum), value);
        }

        public LocationInfo? AttributeLocation(AttributeData attribute) =>
            LocationInfo.From(attribute.ApplicationSyntaxReference?.GetSyntax(CancellationToken).GetLocation());

        public LocationInfo? ArgumentLocation(AttributeData attribute, string property)
        {
            if (attribute.ApplicationSyntaxReference?.GetSyntax(CancellationToken) is not AttributeSyntax { ArgumentList: { } list })
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
    }
}
