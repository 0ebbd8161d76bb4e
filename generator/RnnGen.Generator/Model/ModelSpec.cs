namespace RnnGen.Generator;

// Stage 1 output: what the user declared, as plain values. No ISymbol, SyntaxNode, Compilation or
// Location may live here: these records are compared by value to decide whether later stages rerun.

/// <summary>An enclosing type of a nested model class, outermost first.</summary>
internal sealed record ContainingTypeSpec(string Keyword, string Name);

/// <summary>A valid model declaration: its static shapes, layers in declaration order, and loss (null when none).</summary>
internal sealed record ModelSpec(
    string? Namespace,
    EquatableArray<ContainingTypeSpec> ContainingTypes,
    string ClassName,
    int SequenceLength,
    int BatchSize,
    int InputSize,
    EquatableArray<LayerSpec> Layers,
    LossSpec? Loss)
{
    public string FullName => (Namespace is null ? "" : Namespace + ".") +
        string.Concat(System.Linq.Enumerable.Select(ContainingTypes, t => t.Name + ".")) + ClassName;

    /// <summary>The token-id table when the first layer is [Embedding], else null.</summary>
    public EmbeddingSpec? Embedding => Layers.Count > 0 ? Layers[0] as EmbeddingSpec : null;
}
