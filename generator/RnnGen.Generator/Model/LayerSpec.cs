namespace RnnGen.Generator;

/// <summary>One layer attribute, by kind (<see cref="EmbeddingSpec"/>, <see cref="RecurrentSpec"/>, <see cref="DenseSpec"/>).</summary>
internal abstract record LayerSpec(string Name);

/// <summary>[Embedding]: token ids → vectors of <see cref="Dim"/>.</summary>
internal sealed record EmbeddingSpec(string Name, int VocabSize, int Dim) : LayerSpec(Name);

/// <summary>The recurrent layers' kinds; each has one <see cref="CellDescriptor"/>.</summary>
internal enum CellKind
{
    SimpleRnn,
    Lstm,
    Gru,
}

/// <summary>
/// [SimpleRnn], [Lstm] or [Gru]. The LSTM-only properties (<see cref="ProjectionSize"/>, <see cref="Peephole"/>,
/// <see cref="LayerNorm"/>, <see cref="ForgetBias"/>) are 0 or false for the other cells.
/// </summary>
internal sealed record RecurrentSpec(
    string Name,
    CellKind Cell,
    int HiddenSize,
    int NumLayers,
    bool Bidirectional,
    double Dropout,
    bool ReturnSequences,
    bool LearnInitialState,
    Nonlinearity Nonlinearity,
    int ProjectionSize,
    bool Peephole,
    bool LayerNorm,
    double ForgetBias) : LayerSpec(Name)
{
    public int Directions => Bidirectional ? 2 : 1;

    /// <summary>Width of h: the projection size, or H.</summary>
    public int StateSize => ProjectionSize > 0 ? ProjectionSize : HiddenSize;

    public CellDescriptor Descriptor => CellDescriptor.For(Cell);
}

/// <summary>[Dense]: y = act(x·Wᵀ + b).</summary>
internal sealed record DenseSpec(string Name, int OutputSize, Activation Activation) : LayerSpec(Name);

/// <summary>[Loss] with its options (<see cref="Delta"/> for Huber, <see cref="IgnoreIndex"/> for cross-entropy).</summary>
internal sealed record LossSpec(LossKind Kind, double Delta, int IgnoreIndex)
{
    public LossDescriptor Descriptor => LossDescriptor.For(Kind);
}
