using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace RnnGen.Generator;

// Stage 1 output: what the user declared, as plain values. No ISymbol, SyntaxNode, Compilation or
// Location may live here: these records are compared by value to decide whether later stages rerun.

internal enum LayerKind
{
    Embedding,
    SimpleRnn,
    Lstm,
    Gru,
    Dense,
}

/// <summary>One layer attribute. <see cref="Size"/> is HiddenSize, OutputSize or Dim by kind.</summary>
internal sealed record LayerSpec(
    LayerKind Kind,
    string Name,
    int Size,
    int VocabSize,
    int NumLayers,
    bool Bidirectional,
    double Dropout,
    bool ReturnSequences,
    int Nonlinearity,
    int Activation)
{
    public bool IsRecurrent => Kind is LayerKind.SimpleRnn or LayerKind.Lstm or LayerKind.Gru;
}

/// <summary>An enclosing type of a nested model class, outermost first.</summary>
internal sealed record ContainingTypeSpec(string Keyword, string Name);

/// <summary>A valid model declaration; <see cref="Loss"/> is -1 when the model declares none.</summary>
internal sealed record ModelSpec(
    string? Namespace,
    EquatableArray<ContainingTypeSpec> ContainingTypes,
    string ClassName,
    int SequenceLength,
    int BatchSize,
    int InputSize,
    EquatableArray<LayerSpec> Layers,
    int Loss)
{
    public string FullName => (Namespace is null ? "" : Namespace + ".") +
        string.Concat(System.Linq.Enumerable.Select(ContainingTypes, t => t.Name + ".")) + ClassName;
}

/// <summary>A Location without the syntax tree it points into, so it can be cached.</summary>
internal sealed record LocationInfo(string FilePath, TextSpan TextSpan, LinePositionSpan LineSpan)
{
    public Location ToLocation() => Location.Create(FilePath, TextSpan, LineSpan);

    public static LocationInfo? From(Location? location) =>
        location is null || location.SourceTree is null
            ? null
            : new LocationInfo(location.SourceTree.FilePath, location.SourceSpan, location.GetLineSpan().Span);
}

/// <summary>A diagnostic to report, with its message arguments already formatted.</summary>
internal sealed record DiagnosticInfo(string Id, LocationInfo? Location, EquatableArray<string> Arguments);

/// <summary>What parsing one model class produced: a spec when the declaration is valid, diagnostics otherwise (or as well).</summary>
internal sealed record ParseResult(ModelSpec? Spec, EquatableArray<DiagnosticInfo> Diagnostics);
