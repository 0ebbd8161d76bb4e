using System.Runtime.CompilerServices;
namespace RnnGen.Kernels;

/// <summary>
/// What a cell reads and writes for one batch row at one time step: pointers into the layer's activation
/// and gradient slots, set by the recurrence driver. Which pointers a cell uses is its own business; the
/// driver sets all of those the layer has.
/// </summary>
internal unsafe struct CellRow
{
    /// <summary>H: units of the cell state and gates.</summary>
    public int Hidden;

    /// <summary>[G·H]: in, the pre-activations (input part, plus the hidden part unless separate); out, the gate activations.</summary>
    public float* Gates;

    /// <summary>[G·H]: h(t−1)·W_hhᵀ (+ b_hh), for cells that keep the hidden part apart (GRU, layer-norm LSTM).</summary>
    public float* HiddenGates;

    /// <summary>[H]: h(t−1) as the cell sees it (GRU).</summary>
    public float* StatePrev;

    /// <summary>[H]: c(t−1) and c(t) (LSTM).</summary>
    public float* CellPrev;

    public float* CellNext;

    /// <summary>[H]: what the cell outputs: h(t), or m(t) = o⊙tanh(c) when a projection follows.</summary>
    public float* Output;

    /// <summary>Layer norm: [4] = mean and 1/σ of the hidden product, then of the cell state.</summary>
    public float* Statistics;

    /// <summary>[G·H]: dL/d(pre-activations) of the input path (backward).</summary>
    public float* GatesGradient;

    /// <summary>[G·H]: dL/d(hidden part), when the cell keeps it apart (backward).</summary>
    public float* HiddenGatesGradient;

    /// <summary>[H]: in, dL/dc(t); out, dL/dc(t−1) (backward).</summary>
    public float* CellGradient;

    /// <summary>[H]: in, dL/d(output); out, the part of dL/dh(t−1) that does not pass through W_hh (backward).</summary>
    public float* OutputGradient;

    /// <summary>Row sums a layer-norm backward pass carries between its unit loops.</summary>
    public float NormMean;

    public float NormMeanTimesNormalized;
}

/// <summary>
/// A direction's pointwise parameters (peephole weights, layer-norm gains and biases) and their gradients,
/// which a cell's backward accumulates into (rows and steps in a fixed order, so sums are deterministic).
/// Null where the layer has none.
/// </summary>
internal unsafe struct CellParameters
{
    /// <summary>[H] each: w_ci, w_cf, w_co.</summary>
    public float* PeepholeInput;

    public float* PeepholeForget;

    public float* PeepholeOutput;

    /// <summary>[G·H]: gain and bias of the hidden product's layer norm.</summary>
    public float* NormHiddenWeight;

    public float* NormHiddenBias;

    /// <summary>[H]: gain and bias of the cell state's layer norm.</summary>
    public float* NormCellWeight;

    public float* NormCellBias;

    public float* PeepholeInputGradient;

    public float* PeepholeForgetGradient;

    public float* PeepholeOutputGradient;

    public float* NormHiddenWeightGradient;

    public float* NormHiddenBiasGradient;

    public float* NormCellWeightGradient;

    public float* NormCellBiasGradient;
}

/// <summary>A compile-time switch: a struct type argument that the JIT folds, so an unused variant costs nothing.</summary>
internal interface IFlag
{
    static abstract bool Value { get; }
}

internal readonly struct On : IFlag
{
    public static bool Value
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => true;
    }
}

internal readonly struct Off : IFlag
{
    public static bool Value
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => false;
    }
}
