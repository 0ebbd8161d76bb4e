using System;
using System.ComponentModel;

namespace RnnGen.Kernels;

/// <summary>
/// The recurrence of one direction of one recurrent layer, for generated code: every time step's product
/// h(t−1)·W_hhᵀ, the cell, padding, an optional projection, and the layer's output; backward, the same in
/// reverse. Input projections and weight gradients over all steps stay in the generated code, which owns
/// every buffer (<see cref="RecurrentSpans"/>); this object owns only the weights repacked for its kernels.
/// </summary>
/// <remarks>
/// A small batch (≤ <see cref="FusedBatch"/> rows) runs each step fused: W_hh packed into panels of hidden units,
/// and each panel's units finished by the cell while in L1, panels split across workers. A larger batch
/// multiplies by W_hhᵀ packed once per call through the blocked GEMM, then runs the cell. Either way a row's
/// forward result does not depend on the other rows, so a partial batch or a one-step call gives, bit for bit,
/// the numbers of a full one. (Backward's few-row products group rows into kernels of 4 and 1, which sum in
/// different orders: a partial batch's gradients agree with a full one's to rounding, about 1e-7 relative.)
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class RecurrentLayer
{
    /// <summary>Up to this many rows a step is fused (latency-bound: W_hh streams once per step, the gates stay in L1).</summary>
    public const int FusedBatch = 8;

    private readonly IRecurrentSequence _sequence;

    /// <param name="cell">The cell.</param>
    /// <param name="hidden">H: units of the cell.</param>
    /// <param name="batch">The most rows a call may pass.</param>
    /// <param name="reverse">Whether the direction walks the steps from each row's last valid step back to 0.</param>
    /// <param name="projectionSize">P of an LSTM's projection h = W_hr·(o⊙tanh c), or 0 for none.</param>
    public RecurrentLayer(RecurrentCellKind cell, int hidden, int batch, bool reverse, int projectionSize = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(hidden, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(projectionSize);
        var shape = new RecurrentShape(hidden, projectionSize, batch, reverse);
        _sequence = cell switch
        {
            RecurrentCellKind.SimpleRnnTanh => new RecurrentSequence<SimpleRnnCell<Off>>(shape),
            RecurrentCellKind.SimpleRnnRelu => new RecurrentSequence<SimpleRnnCell<On>>(shape),
            RecurrentCellKind.Lstm => new RecurrentSequence<LstmCell<Off>>(shape),
            RecurrentCellKind.PeepholeLstm => new RecurrentSequence<LstmCell<On>>(shape),
            RecurrentCellKind.LayerNormLstm => new RecurrentSequence<LayerNormLstmCell<Off>>(shape),
            RecurrentCellKind.LayerNormPeepholeLstm => new RecurrentSequence<LayerNormLstmCell<On>>(shape),
            RecurrentCellKind.Gru => new RecurrentSequence<GruCell>(shape),
            _ => throw new ArgumentOutOfRangeException(nameof(cell), cell, "Unknown recurrent cell."),
        };

        if (projectionSize > 0 && _sequence.GateCount != 4)
        {
            throw new ArgumentException("A projection needs an LSTM cell.", nameof(projectionSize));
        }
    }

    /// <summary>
    /// Runs <paramref name="steps"/> steps for the first <paramref name="rows"/> rows. On entry the gates hold the
    /// input part of every step (x·W_ihᵀ + biases) and the states (and cells) hold h0 (c0) at the direction's
    /// initial index; on exit every step's state, the gate activations the backward pass needs, and the output.
    /// </summary>
    public void Forward(int rows, int steps, ReadOnlySpan<int> lengths, in RecurrentSpans spans) =>
        _sequence.Forward(rows, steps, lengths, spans);

    /// <summary>
    /// Back-propagates through the steps of the last <see cref="Forward"/>. On entry the running hidden (and cell)
    /// gradient holds dL/d(final state); on exit dL/d(initial state), the gates' gradients of every step (for the
    /// weight and input gradients the caller computes over all steps), and the cell parameters' gradients added.
    /// </summary>
    public void Backward(int rows, int steps, ReadOnlySpan<int> lengths, in RecurrentSpans spans) =>
        _sequence.Backward(rows, steps, lengths, spans);
}

/// <summary>
/// The buffers and parameters of one direction for <see cref="RecurrentLayer"/>: each a span of the generated
/// code's memory plan, laid out time-major with the call's row count as the batch stride ([T, rows, ·]).
/// Leave empty what the layer does not have. Shapes below use G gates, H units, K = P (projection) or H.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public ref struct RecurrentSpans
{
    /// <summary><see cref="ParameterSet.Version"/> of the set holding the weights: repacking is skipped while it stays.</summary>
    public long ParameterVersion;

    /// <summary>[G·H, K].</summary>
    public ReadOnlySpan<float> WeightHh;

    /// <summary>[G·H]: b_hh, for cells that keep the hidden part apart (GRU); others fold it into the gates.</summary>
    public ReadOnlySpan<float> BiasHh;

    /// <summary>[P, H]: the projection.</summary>
    public ReadOnlySpan<float> WeightHr;

    /// <summary>[H] each: peephole weights.</summary>
    public ReadOnlySpan<float> PeepholeInput;

    public ReadOnlySpan<float> PeepholeForget;

    public ReadOnlySpan<float> PeepholeOutput;

    /// <summary>[G·H] each: layer norm of the hidden product.</summary>
    public ReadOnlySpan<float> NormHiddenWeight;

    public ReadOnlySpan<float> NormHiddenBias;

    /// <summary>[H] each: layer norm of the cell state.</summary>
    public ReadOnlySpan<float> NormCellWeight;

    public ReadOnlySpan<float> NormCellBias;

    /// <summary>[T, rows, G·H]: pre-activations in, activations out.</summary>
    public Span<float> Gates;

    /// <summary>[T, rows, G·H]: h(t−1)·W_hhᵀ (+ b_hh), for cells that keep it apart.</summary>
    public Span<float> HiddenGates;

    /// <summary>[T + 1, rows, K]: forward direction, h0 at 0 and h(t) at t + 1; reverse, h0 at T and h(t) at t.</summary>
    public Span<float> States;

    /// <summary>[T + 1, rows, H], indexed like <see cref="States"/> (LSTM).</summary>
    public Span<float> Cells;

    /// <summary>[T, rows, H]: m(t) = o⊙tanh(c(t)) before the projection.</summary>
    public Span<float> Unprojected;

    /// <summary>[T, rows, 4]: layer-norm statistics of each step.</summary>
    public Span<float> Statistics;

    /// <summary>The layer output, row (t, b) at (t·rows + b)·<see cref="OutputStride"/>: h(t), or 0 at padded steps. May be empty.</summary>
    public Span<float> Output;

    public int OutputStride;

    /// <summary>dL/d(output), laid out like <see cref="Output"/>; may be empty.</summary>
    public ReadOnlySpan<float> OutputGradient;

    /// <summary>[T, rows, G·H]: dL/d(gates' pre-activations), input path.</summary>
    public Span<float> GatesGradient;

    /// <summary>[T, rows, G·H]: dL/d(hidden part), for cells that keep it apart.</summary>
    public Span<float> HiddenGatesGradient;

    /// <summary>[rows, K]: the running dL/dh.</summary>
    public Span<float> HiddenGradient;

    /// <summary>[rows, H]: the running dL/dc (LSTM).</summary>
    public Span<float> CellGradient;

    /// <summary>[T, rows, P]: dL/dh(t) of every step, for the projection's weight gradient.</summary>
    public Span<float> StateGradients;

    /// <summary>[rows, H]: scratch for dL/dm of one step (projection).</summary>
    public Span<float> UnprojectedGradient;

    /// <summary>Gradients of the cell parameters, added to.</summary>
    public Span<float> PeepholeInputGradient;

    public Span<float> PeepholeForgetGradient;

    public Span<float> PeepholeOutputGradient;

    public Span<float> NormHiddenWeightGradient;

    public Span<float> NormHiddenBiasGradient;

    public Span<float> NormCellWeightGradient;

    public Span<float> NormCellBiasGradient;
}

/// <summary>The fixed sizes of one direction.</summary>
internal readonly record struct RecurrentShape(int Hidden, int Projection, int Batch, bool Reverse)
{
    /// <summary>K: the width of h (and of W_hh's rows' inputs).</summary>
    public int State => Projection > 0 ? Projection : Hidden;
}

/// <summary><see cref="RecurrentSequence{TCell}"/> without its cell type, so <see cref="RecurrentLayer"/> holds any.</summary>
internal interface IRecurrentSequence
{
    int GateCount { get; }

    void Forward(int rows, int steps, ReadOnlySpan<int> lengths, in RecurrentSpans spans);

    void Backward(int rows, int steps, ReadOnlySpan<int> lengths, in RecurrentSpans spans);
}
