using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace RnnGen.Kernels;

/// <summary>
/// The recurrence driver (oneDNN's "RNN driver"): walks the time steps, runs the products h(t−1)·W_hhᵀ and
/// dGates·W_hh, handles padding, the projection and the layer output, splits fused steps over the workers,
/// and calls <typeparamref name="TCell"/> only for the pointwise math of valid rows. It knows no cell.
/// </summary>
/// <remarks>
/// Padding (PyTorch packed-sequence semantics): at a step t ≥ lengths[b], row b keeps its state, outputs 0 and
/// receives no gradient; the reverse direction therefore starts at each row's last valid step.
/// One instance serves one model instance, which runs one call at a time; a call's step arguments live in
/// fields so that a fused step dispatched to the workers allocates nothing.
/// </remarks>
internal sealed unsafe class RecurrentSequence<TCell> : IRecurrentSequence, IParallelWork
    where TCell : struct, IRecurrentCell
{
    private readonly RecurrentShape _shape;
    private readonly bool _fused;

    /// <summary>W_hh in panels of hidden units (fused steps).</summary>
    private readonly RecurrentWeights? _panels;

    /// <summary>W_hhᵀ for a large batch's step products, and W_hh for its backward products.</summary>
    private readonly PackedMatrix? _forwardWeights;
    private readonly PackedMatrix? _backwardWeights;

    /// <summary>W_hrᵀ for the projection.</summary>
    private readonly PackedMatrix? _projection;

    /// <summary>Fused steps: each row's cell pointers for the step being run, set once per step.</summary>
    private readonly CellRow[] _cellRows = [];

    /// <summary>Fused steps: panels whose products run before the cell finishes their units (their gates stay in L1).</summary>
    private readonly int _groupPanels;

    // The step being run: base pointers of row 0 (rows are contiguous at the strides below).
    private CellParameters _parameters;
    private int _rows;
    private int _time;
    private int* _lengths;
    private float* _gates;
    private float* _hiddenGates;
    private float* _statePrev;
    private float* _stateNext;
    private float* _cellPrev;
    private float* _cellNext;
    private float* _cellOutput;
    private float* _statistics;

    /// <summary>Gate floats (all rows) per group of panels in a fused step.</summary>
    private const int GroupFloats = 4096;

    public RecurrentSequence(RecurrentShape shape)
    {
        _shape = shape;
        int gh = TCell.GateCount * shape.Hidden;
        _fused = shape.Batch <= RecurrentLayer.FusedBatch && TCell.UnitLocal;
        if (_fused)
        {
            _panels = new RecurrentWeights(TCell.GateCount, shape.Hidden, shape.State);
            _cellRows = new CellRow[shape.Batch];

            // About 16 KB of gates per group over all rows: small layers finish a whole step in one group.
            _groupPanels = Math.Max(1, GroupFloats / (_panels.PanelVectors * _panels.Width * shape.Batch));
        }
        else
        {
            _forwardWeights = new PackedMatrix(shape.State, gh);
            _backwardWeights = new PackedMatrix(gh, shape.State);
        }

        if (shape.Projection > 0)
        {
            _projection = new PackedMatrix(shape.Hidden, shape.Projection);
        }
    }

    public int GateCount => TCell.GateCount;

    private int Hidden
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => _shape.Hidden;
    }

    private int State
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => _shape.State;
    }

    private int GateWidth
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => TCell.GateCount * _shape.Hidden;
    }

    public void Forward(int rows, int steps, ReadOnlySpan<int> lengths, in RecurrentSpans s)
    {
        ValidateForward(rows, steps, lengths, s);
        Pack(s);
        WithParameters(s, CallBody.Forward, rows, steps, lengths);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void RunForward(int rows, int steps, ReadOnlySpan<int> lengths, in RecurrentSpans s)
    {
        int h = Hidden, k = State, gh = GateWidth, p = _shape.Projection;
        fixed (int* pl = lengths)
        fixed (float* gates = s.Gates, hiddenGates = s.HiddenGates, states = s.States, cells = s.Cells, unprojected = s.Unprojected,
            statistics = s.Statistics, output = s.Output, biasHh = s.BiasHh)
        {
            _rows = rows;
            _lengths = pl;

            // A fused step's split depends only on the shape and the rows: decided once per call.
            int parts = _fused ? GemmParallel.Parts(rows, gh, k, _panels!.Panels) : 1;
            for (int i = 0; i < steps; i++)
            {
                int t = _shape.Reverse ? steps - 1 - i : i;
                int before = _shape.Reverse ? t + 1 : t, after = _shape.Reverse ? t : t + 1;
                _time = t;
                _gates = gates + ((nint)t * rows * gh);
                _hiddenGates = hiddenGates == null ? null : hiddenGates + ((nint)t * rows * gh);
                _statePrev = states + ((nint)before * rows * k);
                _stateNext = states + ((nint)after * rows * k);
                _cellPrev = cells == null ? null : cells + ((nint)before * rows * h);
                _cellNext = cells == null ? null : cells + ((nint)after * rows * h);
                _cellOutput = p > 0 ? unprojected + ((nint)t * rows * h) : _stateNext;
                _statistics = statistics == null ? null : statistics + ((nint)t * rows * 4);
                if (TCell.SeparateHiddenGates)
                {
                    StartHiddenGates(rows, biasHh);
                }

                if (_fused)
                {
                    for (int b = 0; b < rows; b++)
                    {
                        SetRow(ref _cellRows[b], b);
                    }

                    if (parts > 1)
                    {
                        WorkerPool.Run(this, parts);
                    }
                    else if (_groupPanels >= _panels!.Panels)
                    {
                        RunGroup(0, _panels.Panels, (t & 1) == 1); // a small layer: the whole step in one group
                    }
                    else
                    {
                        Execute(0, 1);
                    }
                }
                else
                {
                    float* target = TCell.SeparateHiddenGates ? _hiddenGates : _gates;
                    PackedProduct.Run(rows, _statePrev, k, _forwardWeights!, target, gh, accumulate: true);
                    for (int b = 0; b < rows; b++)
                    {
                        if (Valid(b))
                        {
                            CellRow row = Row(b);
                            TCell.Forward(ref row, _parameters, 0, h);
                        }
                        else
                        {
                            Pad(b, 0, h);
                        }
                    }
                }

                if (p > 0)
                {
                    Project(rows);
                }

                if (output != null)
                {
                    WriteOutput(output + ((nint)t * rows * s.OutputStride), s.OutputStride);
                }
            }
        }
    }

    public void Backward(int rows, int steps, ReadOnlySpan<int> lengths, in RecurrentSpans s)
    {
        ValidateBackward(rows, steps, lengths, s);
        if (!_fused)
        {
            _backwardWeights!.Pack(s.WeightHh, transposed: false, s.ParameterVersion);
        }

        WithParameters(s, CallBody.Backward, rows, steps, lengths);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void RunBackward(int rows, int steps, ReadOnlySpan<int> lengths, in RecurrentSpans s)
    {
        int h = Hidden, k = State, gh = GateWidth, p = _shape.Projection;
        fixed (int* pl = lengths)
        fixed (float* gates = s.Gates, hiddenGates = s.HiddenGates, states = s.States, cells = s.Cells, statistics = s.Statistics,
            outputGradient = s.OutputGradient, dGates = s.GatesGradient, dHiddenGates = s.HiddenGatesGradient, dh = s.HiddenGradient,
            dc = s.CellGradient, stateGradients = s.StateGradients, dm = s.UnprojectedGradient, weightHh = s.WeightHh, weightHr = s.WeightHr)
        {
            _rows = rows;
            _lengths = pl;
            for (int i = 0; i < steps; i++)
            {
                int t = _shape.Reverse ? i : steps - 1 - i;
                int before = _shape.Reverse ? t + 1 : t, after = _shape.Reverse ? t : t + 1;
                _time = t;
                _gates = gates + ((nint)t * rows * gh);
                _hiddenGates = hiddenGates == null ? null : hiddenGates + ((nint)t * rows * gh);
                _statePrev = states + ((nint)before * rows * k);
                _cellPrev = cells == null ? null : cells + ((nint)before * rows * h);
                _cellNext = cells == null ? null : cells + ((nint)after * rows * h);
                _statistics = statistics == null ? null : statistics + ((nint)t * rows * 4);
                float* stepGates = dGates + ((nint)t * rows * gh);
                float* stepHiddenGates = dHiddenGates == null ? null : dHiddenGates + ((nint)t * rows * gh);

                if (outputGradient != null)
                {
                    AddOutputGradient(outputGradient + ((nint)t * rows * s.OutputStride), s.OutputStride, dh);
                }

                // dL/d(cell output): dh itself, or through the projection h = W_hr·m.
                float* cellOutputGradient = dh;
                if (p > 0)
                {
                    float* saved = stateGradients + ((nint)t * rows * p);
                    for (int b = 0; b < rows; b++)
                    {
                        var row = new Span<float>(saved + ((nint)b * p), p);
                        if (Valid(b))
                        {
                            new ReadOnlySpan<float>(dh + ((nint)b * p), p).CopyTo(row);
                        }
                        else
                        {
                            row.Clear();
                        }
                    }

                    Gemm.AxB(rows, h, p, new ReadOnlySpan<float>(dh, rows * p), p, new ReadOnlySpan<float>(weightHr, p * h), h, new Span<float>(dm, rows * h), h, accumulate: false);
                    cellOutputGradient = dm;
                }

                int outputWidth = p > 0 ? h : k;
                for (int b = 0; b < rows; b++)
                {
                    if (Valid(b))
                    {
                        CellRow row = Row(b);
                        row.GatesGradient = stepGates + ((nint)b * gh);
                        row.HiddenGatesGradient = stepHiddenGates == null ? null : stepHiddenGates + ((nint)b * gh);
                        row.CellGradient = dc == null ? null : dc + ((nint)b * h);
                        row.OutputGradient = cellOutputGradient + ((nint)b * outputWidth);
                        TCell.Backward(ref row, _parameters);
                        if (p > 0)
                        {
                            // Only through W_hh does h(t−1) reach step t's projected output.
                            new Span<float>(dh + ((nint)b * k), k).Clear();
                        }
                    }
                    else
                    {
                        new Span<float>(stepGates + ((nint)b * gh), gh).Clear();
                        if (stepHiddenGates != null)
                        {
                            new Span<float>(stepHiddenGates + ((nint)b * gh), gh).Clear();
                        }
                    }
                }

                // dL/dh(t−1) += dRecurrent·W_hh (padded rows add zeros and keep their gradient).
                float* recurrent = TCell.SeparateHiddenGates ? stepHiddenGates : stepGates;
                if (_fused)
                {
                    Gemm.AxB(rows, k, gh, new ReadOnlySpan<float>(recurrent, rows * gh), gh, new ReadOnlySpan<float>(weightHh, gh * k), k,
                        new Span<float>(dh, rows * k), k, accumulate: true);
                }
                else
                {
                    PackedProduct.Run(rows, recurrent, gh, _backwardWeights!, dh, k, accumulate: true);
                }
            }
        }
    }

    /// <summary>
    /// Runs panels [part·P/parts, (part+1)·P/parts) of the fused step set up by <see cref="Forward"/>: group by group,
    /// the products of the group's panels, then the cell over their units for every row.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Execute(int part, int parts)
    {
        int panels = _panels!.Panels;
        int first = parts == 1 ? 0 : (int)((long)part * panels / parts), end = parts == 1 ? panels : (int)((long)(part + 1) * panels / parts);
        int group = _groupPanels, groups = group >= end - first ? 1 : (end - first + group - 1) / group;

        // Odd steps walk the panels backwards, so the panels used last (still in cache) come first.
        bool backwards = (_time & 1) == 1;
        for (int i = 0; i < groups; i++)
        {
            int g = backwards ? groups - 1 - i : i;
            int from = first + (g * group);
            RunGroup(from, Math.Min(end, from + group), backwards);
        }
    }

    /// <summary>The products of panels [from, to) for every row, then the cell over their units.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void RunGroup(int from, int to, bool backwards)
    {
        if (Vector512.IsHardwareAccelerated)
        {
            Products<Vec512Ops, Vector512<float>>(from, to, backwards);
        }
        else if (Avx2.IsSupported && Fma.IsSupported)
        {
            Products<Vec256Ops, Vector256<float>>(from, to, backwards);
        }
        else
        {
            Products<Vec128Ops, Vector128<float>>(from, to, backwards);
        }

        int unitFrom = from * _panels!.UnitsPerPanel, unitTo = Math.Min(Hidden, to * _panels.UnitsPerPanel);
        for (int b = 0; b < _rows; b++)
        {
            if (Valid(b))
            {
                TCell.Forward(ref _cellRows[b], _parameters, unitFrom, unitTo);
            }
            else
            {
                Pad(b, unitFrom, unitTo);
            }
        }
    }

    /// <summary>Adds h(t−1)·W_hhᵀ for panels [from, to) of every row into the gates (or the hidden gates).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Products<TOps, TV>(int from, int to, bool backwards)
        where TOps : struct, IVecOps<TV>
        where TV : struct
    {
        RecurrentWeights weights = _panels!;
        int k = State, vectors = weights.PanelVectors, units = weights.UnitsPerPanel, rows = _rows;
        nint ld = GateWidth, panelLength = weights.PanelLength;

        // Vector v of a panel is gate v / UnitVectors, units v % UnitVectors · W on from the panel's first unit.
        nint vectorStride = weights.UnitVectors == 1 ? Hidden : TOps.Count;
        float* target = TCell.SeparateHiddenGates ? _hiddenGates : _gates;
        float* h = _statePrev;
        int full = Math.Min(to, weights.FullPanels);
        if (rows == 1)
        {
            // Two panels at a time give a single row enough independent FMA chains.
            int count = full - from;
            for (int i = 0; i + 1 < count; i += 2)
            {
                int panel = backwards ? full - 2 - i : from + i;
                RecurrentProduct.AddOneRowTwoPanels<TOps, TV>(vectors, k, h, weights.Panel(panel), panelLength, target + ((nint)panel * units), vectorStride, units);
            }

            if ((count & 1) == 1)
            {
                int panel = backwards ? from : full - 1;
                RecurrentProduct.AddRows<TOps, TV>(1, vectors, k, h, k, weights.Panel(panel), target + ((nint)panel * units), ld, vectorStride);
            }
        }
        else
        {
            int maxRows = RecurrentProduct.MaxRows<TOps, TV>();
            for (int i = from; i < full; i++)
            {
                int panel = backwards ? full - 1 - (i - from) : i;
                float* weightPanel = weights.Panel(panel);
                for (int r0 = 0; r0 < rows;)
                {
                    int left = rows - r0;
                    int group = left >= 4 && maxRows == 4 ? 4 : left >= 2 ? 2 : 1;
                    RecurrentProduct.AddRows<TOps, TV>(group, vectors, k, h + ((nint)r0 * k), k, weightPanel, target + (r0 * ld) + ((nint)panel * units), ld, vectorStride);
                    r0 += group;
                }
            }
        }

        if (to > full)
        {
            PartialPanel<TOps, TV>(full);
        }
    }

    /// <summary>The last panel when H is not a whole number of panels: through a tile, then only the units there are.</summary>
    [SkipLocalsInit]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void PartialPanel<TOps, TV>(int panel)
        where TOps : struct, IVecOps<TV>
        where TV : struct
    {
        RecurrentWeights weights = _panels!;
        int h = Hidden, k = State, w = TOps.Count, vectors = weights.PanelVectors, unitVectors = weights.UnitVectors;
        int ld = GateWidth;
        float* target = TCell.SeparateHiddenGates ? _hiddenGates : _gates;
        float* tile = stackalloc float[4 * 16];
        for (int r = 0; r < _rows; r++)
        {
            RecurrentProduct.Panel<TOps, TV>(1, vectors, k, _statePrev + ((nint)r * k), k, weights.Panel(panel), tile);

            // Vector v of the tile is gate v / unitVectors, units from firstUnit.
            for (int v = 0; v < vectors; v++)
            {
                int firstUnit = (panel * weights.UnitsPerPanel) + ((v % unitVectors) * w);
                int count = Math.Min(w, h - firstUnit);
                float* src = tile + (v * w);
                float* dst = target + ((nint)r * ld) + ((v / unitVectors) * h) + firstUnit;
                for (int j = 0; j < count; j++)
                {
                    dst[j] += src[j];
                }
            }
        }
    }

    private bool Valid(int b) => _time < _lengths[b];

    /// <summary>Row b's pointers at the current step.</summary>
    private CellRow Row(int b)
    {
        CellRow row = default;
        SetRow(ref row, b);
        return row;
    }

    /// <summary>Sets <paramref name="row"/> to row b's pointers at the current step (in place: no struct copies).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void SetRow(ref CellRow row, int b)
    {
        int h = Hidden, gh = GateWidth;
        row.Hidden = h;
        row.Gates = _gates + ((nint)b * gh);
        row.HiddenGates = _hiddenGates == null ? null : _hiddenGates + ((nint)b * gh);
        row.StatePrev = _statePrev + ((nint)b * State);
        row.CellPrev = _cellPrev == null ? null : _cellPrev + ((nint)b * h);
        row.CellNext = _cellNext == null ? null : _cellNext + ((nint)b * h);
        row.Output = _cellOutput + ((nint)b * h);
        row.Statistics = _statistics == null ? null : _statistics + ((nint)b * 4);
    }

    /// <summary>A padded row keeps its state over units [from, to); m (before a projection) is 0 there.</summary>
    private void Pad(int b, int from, int to)
    {
        int h = Hidden, units = to - from;
        nint at = ((nint)b * h) + from;
        if (_cellPrev != null)
        {
            new ReadOnlySpan<float>(_cellPrev + at, units).CopyTo(new Span<float>(_cellNext + at, units));
        }

        if (_shape.Projection > 0)
        {
            new Span<float>(_cellOutput + at, units).Clear();
        }
        else
        {
            new ReadOnlySpan<float>(_statePrev + at, units).CopyTo(new Span<float>(_stateNext + at, units));
        }
    }

    /// <summary>The hidden gates of every row start from b_hh (or 0); the step's product adds to them.</summary>
    private void StartHiddenGates(int rows, float* biasHh)
    {
        int gh = GateWidth;
        for (int b = 0; b < rows; b++)
        {
            var row = new Span<float>(_hiddenGates + ((nint)b * gh), gh);
            if (biasHh != null)
            {
                new ReadOnlySpan<float>(biasHh, gh).CopyTo(row);
            }
            else
            {
                row.Clear();
            }
        }
    }

    /// <summary>h(t) = m(t)·W_hrᵀ; padded rows keep h(t−1).</summary>
    private void Project(int rows)
    {
        int p = _shape.Projection;
        PackedProduct.Run(rows, _cellOutput, Hidden, _projection!, _stateNext, p, accumulate: false);
        for (int b = 0; b < rows; b++)
        {
            if (!Valid(b))
            {
                new ReadOnlySpan<float>(_statePrev + ((nint)b * p), p).CopyTo(new Span<float>(_stateNext + ((nint)b * p), p));
            }
        }
    }

    /// <summary>Output row b = h(t) for a valid row, 0 for a padded one.</summary>
    private void WriteOutput(float* output, int stride)
    {
        int k = State;
        for (int b = 0; b < _rows; b++)
        {
            float* row = output + ((nint)b * stride);
            if (Valid(b))
            {
                Copy(_stateNext + ((nint)b * k), row, k);
            }
            else
            {
                new Span<float>(row, k).Clear();
            }
        }
    }

    /// <summary>dst[0..n) = src[0..n) in vectors: a few hundred floats per step, where a library copy's call and checks would dominate.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Copy(float* src, float* dst, int n)
    {
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i <= n - 16; i += 16)
            {
                Vector512.Store(Vector512.Load(src + i), dst + i);
            }
        }

        if (Vector256.IsHardwareAccelerated)
        {
            for (; i <= n - 8; i += 8)
            {
                Vector256.Store(Vector256.Load(src + i), dst + i);
            }
        }

        for (; i < n; i++)
        {
            dst[i] = src[i];
        }
    }

    /// <summary>dL/dh(t) += dL/dy(t) for valid rows.</summary>
    private void AddOutputGradient(float* outputGradient, int stride, float* dh)
    {
        int k = State;
        for (int b = 0; b < _rows; b++)
        {
            if (Valid(b))
            {
                SequenceOps.Add(new ReadOnlySpan<float>(outputGradient + ((nint)b * stride), k), new Span<float>(dh + ((nint)b * k), k));
            }
        }
    }

    /// <summary>Pins the cell parameters and their gradients for the call and runs <paramref name="body"/> with them set.</summary>
    private void WithParameters(in RecurrentSpans s, CallBody body, int rows, int steps, ReadOnlySpan<int> lengths)
    {
        fixed (float* pi = s.PeepholeInput, pf = s.PeepholeForget, po = s.PeepholeOutput, nhw = s.NormHiddenWeight, nhb = s.NormHiddenBias,
            ncw = s.NormCellWeight, ncb = s.NormCellBias, dpi = s.PeepholeInputGradient, dpf = s.PeepholeForgetGradient, dpo = s.PeepholeOutputGradient,
            dnhw = s.NormHiddenWeightGradient, dnhb = s.NormHiddenBiasGradient, dncw = s.NormCellWeightGradient, dncb = s.NormCellBiasGradient)
        {
            _parameters = new CellParameters
            {
                PeepholeInput = pi,
                PeepholeForget = pf,
                PeepholeOutput = po,
                NormHiddenWeight = nhw,
                NormHiddenBias = nhb,
                NormCellWeight = ncw,
                NormCellBias = ncb,
                PeepholeInputGradient = dpi,
                PeepholeForgetGradient = dpf,
                PeepholeOutputGradient = dpo,
                NormHiddenWeightGradient = dnhw,
                NormHiddenBiasGradient = dnhb,
                NormCellWeightGradient = dncw,
                NormCellBiasGradient = dncb,
            };
            try
            {
                if (body == CallBody.Forward)
                {
                    RunForward(rows, steps, lengths, s);
                }
                else
                {
                    RunBackward(rows, steps, lengths, s);
                }
            }
            finally
            {
                _parameters = default;
            }
        }
    }

    private enum CallBody
    {
        Forward,
        Backward,
    }

    private void Pack(in RecurrentSpans s)
    {
        if (_fused)
        {
            _panels!.Pack(s.WeightHh, s.ParameterVersion);
        }
        else
        {
            _forwardWeights!.Pack(s.WeightHh, transposed: true, s.ParameterVersion);
        }

        _projection?.Pack(s.WeightHr, transposed: true, s.ParameterVersion);
    }

    private void ValidateForward(int rows, int steps, ReadOnlySpan<int> lengths, in RecurrentSpans s)
    {
        ValidateCommon(rows, steps, lengths, s);
        if (!s.Output.IsEmpty)
        {
            if (s.OutputStride < State)
            {
                throw new ArgumentOutOfRangeException(nameof(s.OutputStride), $"The output row stride {s.OutputStride} is less than the state width {State}.");
            }

            RecurrentChecks.Require(s.Output.Length, (((long)steps * rows) - 1) * s.OutputStride + State, nameof(s.Output), "[T, rows, stride]");
        }
    }

    private void ValidateBackward(int rows, int steps, ReadOnlySpan<int> lengths, in RecurrentSpans s)
    {
        ValidateCommon(rows, steps, lengths, s);
        int h = Hidden, k = State, gh = GateWidth, p = _shape.Projection;
        long stepRows = (long)steps * rows;
        RecurrentChecks.Require(s.GatesGradient.Length, stepRows * gh, nameof(s.GatesGradient), "[T, rows, G·H]");
        RecurrentChecks.Require(s.HiddenGradient.Length, (long)rows * k, nameof(s.HiddenGradient), "[rows, K]");
        if (TCell.SeparateHiddenGates)
        {
            RecurrentChecks.Require(s.HiddenGatesGradient.Length, stepRows * gh, nameof(s.HiddenGatesGradient), "[T, rows, G·H]");
        }

        if (TCell.HasCellState)
        {
            RecurrentChecks.Require(s.CellGradient.Length, (long)rows * h, nameof(s.CellGradient), "[rows, H]");
        }

        if (p > 0)
        {
            RecurrentChecks.Require(s.StateGradients.Length, stepRows * p, nameof(s.StateGradients), "[T, rows, P]");
            RecurrentChecks.Require(s.UnprojectedGradient.Length, (long)rows * h, nameof(s.UnprojectedGradient), "[rows, H]");
        }

        if (!s.OutputGradient.IsEmpty)
        {
            RecurrentChecks.Require(s.OutputGradient.Length, (((long)steps * rows) - 1) * s.OutputStride + k, nameof(s.OutputGradient), "[T, rows, stride]");
        }

        RequireParameterGradient(s.PeepholeInput, s.PeepholeInputGradient, nameof(s.PeepholeInputGradient));
        RequireParameterGradient(s.PeepholeForget, s.PeepholeForgetGradient, nameof(s.PeepholeForgetGradient));
        RequireParameterGradient(s.PeepholeOutput, s.PeepholeOutputGradient, nameof(s.PeepholeOutputGradient));
        RequireParameterGradient(s.NormHiddenWeight, s.NormHiddenWeightGradient, nameof(s.NormHiddenWeightGradient));
        RequireParameterGradient(s.NormHiddenBias, s.NormHiddenBiasGradient, nameof(s.NormHiddenBiasGradient));
        RequireParameterGradient(s.NormCellWeight, s.NormCellWeightGradient, nameof(s.NormCellWeightGradient));
        RequireParameterGradient(s.NormCellBias, s.NormCellBiasGradient, nameof(s.NormCellBiasGradient));
    }

    private void ValidateCommon(int rows, int steps, ReadOnlySpan<int> lengths, in RecurrentSpans s)
    {
        if (rows < 1 || rows > _shape.Batch)
        {
            throw new ArgumentOutOfRangeException(nameof(rows), $"rows = {rows} is outside 1..{_shape.Batch}.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        RecurrentChecks.Require(lengths.Length, rows, nameof(lengths), "[rows]");
        int h = Hidden, k = State, gh = GateWidth, p = _shape.Projection;
        long stepRows = (long)steps * rows;
        RecurrentChecks.Require(s.WeightHh.Length, (long)gh * k, nameof(s.WeightHh), "[G·H, K]");
        RecurrentChecks.Require(s.Gates.Length, stepRows * gh, nameof(s.Gates), "[T, rows, G·H]");
        RecurrentChecks.Require(s.States.Length, (steps + 1L) * rows * k, nameof(s.States), "[T + 1, rows, K]");
        if (TCell.SeparateHiddenGates)
        {
            RecurrentChecks.Require(s.HiddenGates.Length, stepRows * gh, nameof(s.HiddenGates), "[T, rows, G·H]");
        }

        if (TCell.HasCellState)
        {
            RecurrentChecks.Require(s.Cells.Length, (steps + 1L) * rows * h, nameof(s.Cells), "[T + 1, rows, H]");
        }

        if (p > 0)
        {
            RecurrentChecks.Require(s.WeightHr.Length, (long)p * h, nameof(s.WeightHr), "[P, H]");
            RecurrentChecks.Require(s.Unprojected.Length, stepRows * h, nameof(s.Unprojected), "[T, rows, H]");
        }

        if (!TCell.UnitLocal)
        {
            RecurrentChecks.Require(s.Statistics.Length, stepRows * 4, nameof(s.Statistics), "[T, rows, 4]");
        }

        RecurrentChecks.RequireOptional(s.BiasHh, gh, nameof(s.BiasHh));
        TCell.Validate(s, h);
    }

    private static void RequireParameterGradient(ReadOnlySpan<float> parameter, ReadOnlySpan<float> gradient, string name)
    {
        if (!parameter.IsEmpty && gradient.Length != parameter.Length)
        {
            throw new ArgumentException($"RecurrentSpans.{name} has {gradient.Length} elements; it must match its parameter's {parameter.Length}.", name);
        }
    }
}

/// <summary>Span checks shared by the driver and the cells; messages name the span and the shape it needs.</summary>
internal static class RecurrentChecks
{
    /// <summary>Throws unless <paramref name="length"/> ≥ <paramref name="needed"/>; the message names the span and its shape.</summary>
    public static void Require(int length, long needed, string name, string shape)
    {
        if (length < needed)
        {
            throw new ArgumentException($"RecurrentSpans.{name} has {length} elements; this layer needs {needed} = {shape}.", name);
        }
    }

    public static void RequireOptional(ReadOnlySpan<float> span, int length, string name)
    {
        if (!span.IsEmpty && span.Length != length)
        {
            throw new ArgumentException($"RecurrentSpans.{name} has {span.Length} elements; this layer needs {length}.", name);
        }
    }


    /// <summary>Throws unless the span has exactly <paramref name="length"/> elements (a parameter the cell needs).</summary>
    public static void RequireExact(ReadOnlySpan<float> span, int length, string name)
    {
        if (span.Length != length)
        {
            throw new ArgumentException($"RecurrentSpans.{name} has {span.Length} elements; this cell needs {length}.", name);
        }
    }
}
