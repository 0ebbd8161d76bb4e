namespace RnnGen.Generator;

/// <summary>What a recurrent parameter is to the emitted code. Roles the runtime's recurrence reads bind by name to its <c>RecurrentSpans</c> field.</summary>
internal enum ParameterRole
{
    WeightIh,
    WeightHh,
    BiasIh,
    BiasHh,
    WeightHr,
    PeepholeInput,
    PeepholeForget,
    PeepholeOutput,
    NormInputWeight,
    NormInputBias,
    NormHiddenWeight,
    NormHiddenBias,
    NormCellWeight,
    NormCellBias,
}

/// <summary>How a parameter starts (PyTorch's defaults: uniform in ±1/√H for recurrent weights, ones and zeros for a norm).</summary>
internal enum InitKind
{
    Uniform,
    Normal,
    Ones,
    Zeros,
}

/// <summary>
/// A parameter's initialisation: <see cref="Kind"/> (uniform in ±<see cref="Bound"/>), then, when
/// <see cref="SliceLength"/> &gt; 0, elements [SliceStart, SliceStart + SliceLength) set to <see cref="SliceValue"/>
/// (an LSTM's forget-gate bias).
/// </summary>
internal sealed record Initialization(InitKind Kind, double Bound = 0, int SliceStart = 0, int SliceLength = 0, double SliceValue = 0);

/// <summary>One parameter of one direction of a recurrent layer: PyTorch's name stem (<c>weight_ih</c>), shape and start.</summary>
internal sealed record ParameterTemplate(ParameterRole Role, string Stem, EquatableArray<int> Shape, Initialization Init);

/// <summary>Which arena a slot lives in.</summary>
internal enum ArenaKind
{
    Activations,
    Gradients,
}

/// <summary>A slot's layout over time: [T,B,w] per step, [T+1,B,w] states (h0 included), or [B,w] one running row per sequence.</summary>
internal enum SlotLayout
{
    Steps,
    States,
    Rows,
}

/// <summary>One per-direction buffer a recurrent layer needs; <see cref="Field"/> names it (and binds it to <c>RecurrentSpans</c>).</summary>
internal sealed record SlotTemplate(string Field, ArenaKind Arena, SlotLayout Layout, int Width);
