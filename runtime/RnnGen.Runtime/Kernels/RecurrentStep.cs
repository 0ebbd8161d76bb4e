using System;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace RnnGen.Kernels;

/// <summary>
/// One fused recurrent time step for a small batch: for each panel of hidden units, the product
/// h·W_hhᵀ for every batch row is added to that panel's gate pre-activations, and the cell finishes
/// those units at once, while they are in L1. Panels are independent, so a step splits across workers
/// by panel with no effect on the result; odd steps walk the panels backwards so that the panels used
/// last (still in cache) are used first.
/// </summary>
/// <remarks>
/// An instance belongs to one <see cref="RecurrentWeights"/> and carries one step's arguments as
/// pointers (the cells' <c>Step</c> methods validate the spans and pin them for the call).
/// </remarks>
internal sealed unsafe class RecurrentStep : IParallelWork
{
    private readonly RecurrentWeights _weights;

    public RecurrentStep(RecurrentWeights weights) => _weights = weights;

    public CellKind Kind;
    public Nonlinearity Nonlinearity;
    public int Batch;
    public int Time;
    public int* Lengths;

    /// <summary>[B, G·H]: x·W_ihᵀ + biases; the cell writes its activations here.</summary>
    public float* Gates;

    /// <summary>GRU only, [B, 3H]: b_hh on entry; h·W_hhᵀ is added (the reset gate scales it).</summary>
    public float* HiddenGates;

    public float* CellPrev;
    public float* CellNext;
    public float* StatePrev;
    public float* StateNext;

    /// <summary>Null when the layer returns no sequence.</summary>
    public float* Output;
    public int OutputLength;
    public int OutputStride;

    /// <summary>Runs the step with the arguments set, split by panel over the workers when it is large enough.</summary>
    public void Run()
    {
        int parts = Parts(Batch);
        if (parts == 1)
        {
            Execute(0, 1);
        }
        else
        {
            WorkerPool.Run(this, parts);
        }
    }

    /// <summary>
    /// How many parts a step of <paramref name="batch"/> rows splits into now: the product h·W_hhᵀ weighed like
    /// any other product (an H = 64 RNN step stays on one thread, an H = 256 LSTM step splits), one panel at least per part.
    /// </summary>
    internal int Parts(int batch)
    {
        RecurrentWeights w = _weights;
        return GemmParallel.Parts(batch, w.GateCount * w.Hidden, w.Hidden, w.Panels);
    }

    /// <summary>Runs panels [part·P/parts, (part+1)·P/parts) of the step.</summary>
    public void Execute(int part, int parts)
    {
        int panels = _weights.Panels;
        int first = (int)((long)part * panels / parts), end = (int)((long)(part + 1) * panels / parts);
        bool backwards = (Time & 1) == 1;
        for (int i = first; i < end; i++)
        {
            int panel = backwards ? end - 1 - (i - first) : i;
            if (Vector512.IsHardwareAccelerated)
            {
                Product<Vec512Ops, Vector512<float>>(panel);
            }
            else if (Avx2.IsSupported && Fma.IsSupported)
            {
                Product<Vec256Ops, Vector256<float>>(panel);
            }
            else
            {
                Product<Vec128Ops, Vector128<float>>(panel);
            }

            Finish(panel);
        }
    }

    [System.Runtime.CompilerServices.SkipLocalsInit]
    private void Product<TOps, TV>(int panel)
        where TOps : struct, IVecOps<TV>
        where TV : struct
    {
        RecurrentWeights weights = _weights;
        int h = weights.Hidden, w = TOps.Count, vectors = weights.PanelVectors, unitVectors = weights.UnitVectors;
        int ld = weights.GateCount * h;
        float* target = Kind == CellKind.Gru ? HiddenGates : Gates;
        float* weightPanel = weights.Panel(panel);
        float* tile = stackalloc float[4 * 4 * 16];
        int maxRows = RecurrentProduct.MaxRows<TOps, TV>();
        for (int r0 = 0; r0 < Batch;)
        {
            int left = Batch - r0;
            int rows = left >= 4 && maxRows == 4 ? 4 : left >= 2 ? 2 : 1;
            RecurrentProduct.Panel<TOps, TV>(rows, vectors, h, StatePrev + ((nint)r0 * h), h, weightPanel, tile);

            // Add the tile into the gate rows: vector v is gate v / unitVectors, units from firstUnit.
            for (int v = 0; v < vectors; v++)
            {
                int firstUnit = (panel * weights.UnitsPerPanel) + ((v % unitVectors) * w);
                int count = Math.Min(w, h - firstUnit);
                if (count <= 0)
                {
                    continue;
                }

                for (int r = 0; r < rows; r++)
                {
                    float* src = tile + (r * vectors * w) + (v * w);
                    float* dst = target + ((nint)(r0 + r) * ld) + ((v / unitVectors) * h) + firstUnit;
                    if (count == w)
                    {
                        TOps.Store(dst, TOps.Add(TOps.Load(dst), TOps.Load(src)));
                    }
                    else
                    {
                        for (int j = 0; j < count; j++)
                        {
                            dst[j] += src[j];
                        }
                    }
                }
            }

            r0 += rows;
        }
    }

    /// <summary>The cell's pointwise step for this panel's units, every row.</summary>
    private void Finish(int panel)
    {
        int h = _weights.Hidden, g = _weights.GateCount;
        int from = panel * _weights.UnitsPerPanel, to = Math.Min(h, from + _weights.UnitsPerPanel);
        int bh = Batch * h;
        var lengths = new ReadOnlySpan<int>(Lengths, Batch);
        var gates = new Span<float>(Gates, Batch * g * h);
        var hPrev = new ReadOnlySpan<float>(StatePrev, bh);
        var hNext = new Span<float>(StateNext, bh);
        Span<float> y = Output == null ? default : new Span<float>(Output, OutputLength);
        switch (Kind)
        {
            case CellKind.Lstm:
                LstmCell.ForwardUnits(Batch, h, Time, lengths, gates, new ReadOnlySpan<float>(CellPrev, bh), new Span<float>(CellNext, bh), hPrev, hNext, y, OutputStride, from, to);
                break;
            case CellKind.Gru:
                GruCell.ForwardUnits(Batch, h, Time, lengths, gates, new ReadOnlySpan<float>(HiddenGates, Batch * g * h), hPrev, hNext, y, OutputStride, from, to);
                break;
            default:
                SimpleRnnCell.ForwardUnits(Batch, h, Time, lengths, Nonlinearity, gates, hPrev, hNext, y, OutputStride, from, to);
                break;
        }
    }

    /// <summary>Checks a step's spans against the packed weights before they are pinned.</summary>
    public static void Validate(RecurrentWeights weights, int gateCount, int batch, int t, ReadOnlySpan<int> lengths, int gatesLength, int statePrevLength,
        int stateNextLength, int outputLength, int outputStride)
    {
        ArgumentNullException.ThrowIfNull(weights);
        int h = weights.Hidden;
        if (weights.GateCount != gateCount)
        {
            throw new ArgumentException($"The packed weights have {weights.GateCount} gates per unit; this cell needs {gateCount}.", nameof(weights));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(t);
        Require(lengths.Length, batch, "lengths");
        Require(gatesLength, (long)batch * gateCount * h, "gates");
        Require(statePrevLength, (long)batch * h, "hPrev");
        Require(stateNextLength, (long)batch * h, "hNext");
        if (outputLength != 0)
        {
            if (outputStride < h)
            {
                throw new ArgumentOutOfRangeException(nameof(outputStride), $"The output row stride {outputStride} is less than H = {h}.");
            }

            Require(outputLength, ((long)(batch - 1) * outputStride) + h, "y");
        }
    }

    public static void Require(int length, long needed, string name)
    {
        if (length < needed)
        {
            throw new ArgumentException($"Span {name} has {length} elements; this step needs {needed}.", name);
        }
    }
}

/// <summary>The cell a <see cref="RecurrentStep"/> finishes.</summary>
internal enum CellKind
{
    SimpleRnn,
    Lstm,
    Gru,
}
