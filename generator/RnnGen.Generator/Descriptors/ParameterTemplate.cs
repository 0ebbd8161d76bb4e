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

/// <summary>Who reads a recurrent parameter, and who computes its gradient.</summary>
internal enum ParameterUse
{
    /// <summary>The generated code: the input projection (W_ih, b_ih, the input's layer norm) or a bias folded into it.</summary>
    InputProjection,

    /// <summary>The runtime's recurrence reads it; the generated code computes its gradient over all steps (W_hh, W_hr, a separate b_hh).</summary>
    Recurrence,

    /// <summary>The runtime's recurrence reads it and its cell accumulates its gradient (peepholes, the step's layer norms).</summary>
    Cell,
}

/// <summary>
/// One parameter of one direction of a recurrent layer: PyTorch's name stem (<c>weight_ih</c>), shape, start, and
/// use. A parameter the recurrence reads binds to the <c>RecurrentSpans</c> field named like its role (and, for
/// <see cref="ParameterUse.Cell"/>, its gradient to the field with "Gradient" appended).
/// </summary>
internal sealed record ParameterTemplate(ParameterRole Role, string Stem, EquatableArray<int> Shape, Initialization Init, ParameterUse Use);

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
