using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;
using System.Runtime.Intrinsics;

namespace RnnGen.Kernels;

/// <summary>
/// A recurrent weight W_hh [G·H, K] (PyTorch layout; K = H, or the projection size P) repacked for the
/// per-step product h·W_hhᵀ of a small batch. Hidden units are cut into panels of <see cref="UnitsPerPanel"/> units; a panel holds,
/// for each input p in turn, the weights of every gate for those units (<see cref="PanelVectors"/>
/// vectors, contiguous). One panel therefore yields complete gate pre-activations for its units, so the
/// cell can finish them while they are still in L1, and the weights stream through memory in order.
/// </summary>
/// <remarks>
/// The recurrence driver packs once per call, when the parameters changed since the last pack (see
/// <see cref="PackedVersion"/>). Units past H in the last panel are zero-padded.
/// </remarks>
internal sealed unsafe class RecurrentWeights
{
    private readonly AlignedBuffer _panels;

    /// <summary>The first float of the panels (the buffer is pinned for its lifetime).</summary>
    private readonly float* _base;

    /// <param name="gateCount">Gates per unit: 4 for an LSTM, 3 for a GRU, 1 for a plain RNN.</param>
    /// <param name="hidden">H: hidden units.</param>
    /// <param name="inputs">K: the inputs of W_hh (H, or the projection size).</param>
    public RecurrentWeights(int gateCount, int hidden, int inputs)
        : this(gateCount, hidden, inputs, Vector512.IsHardwareAccelerated ? 16 : Avx2.IsSupported && Fma.IsSupported ? 8 : 4)
    {
    }

    /// <summary>Panels for <see cref="RecurrentProduct"/> at <paramref name="width"/> floats per vector (4, 8 or 16), so tests can run the narrower ones.</summary>
    internal RecurrentWeights(int gateCount, int hidden, int inputs, int width)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(gateCount, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(gateCount, 4);
        ArgumentOutOfRangeException.ThrowIfLessThan(hidden, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(inputs, 1);
        if (width is not (4 or 8 or 16))
        {
            throw new ArgumentOutOfRangeException(nameof(width), width, "A vector holds 4, 8 or 16 floats.");
        }

        GateCount = gateCount;
        Hidden = hidden;
        Inputs = inputs;
        Width = width;

        // Enough independent accumulators to hide the FMA latency: a one-gate cell takes four vectors of units.
        UnitVectors = gateCount == 1 ? 4 : 1;
        UnitsPerPanel = UnitVectors * Width;
        PanelVectors = gateCount * UnitVectors;
        Panels = (hidden + UnitsPerPanel - 1) / UnitsPerPanel;
        FullPanels = hidden / UnitsPerPanel;
        PanelLength = inputs * PanelVectors * Width;
        _panels = new AlignedBuffer(checked(Panels * PanelLength));
        fixed (float* start = _panels.Span)
        {
            _base = start;
        }
    }

    /// <summary>Gates per hidden unit.</summary>
    public int GateCount { get; }

    /// <summary>Hidden units H.</summary>
    public int Hidden { get; }

    /// <summary>Inputs K of W_hh.</summary>
    public int Inputs { get; }

    /// <summary>The parameter version packed last (<see cref="ParameterSet.Version"/>); −1 before the first pack.</summary>
    public long PackedVersion { get; private set; } = -1;

    /// <summary>Floats per vector the panels were laid out for (16, 8 or 4, chosen by the hardware).</summary>
    internal int Width { get; }

    /// <summary>Vectors of units per gate in one panel.</summary>
    internal int UnitVectors { get; }

    /// <summary>Hidden units per panel.</summary>
    internal int UnitsPerPanel { get; }

    /// <summary>Vectors per input row of a panel: GateCount · UnitVectors.</summary>
    internal int PanelVectors { get; }

    /// <summary>Number of panels covering H.</summary>
    internal int Panels { get; }

    /// <summary>Panels without padding units: H / <see cref="UnitsPerPanel"/>.</summary>
    internal int FullPanels { get; }

    /// <summary>Floats per panel: K inputs × PanelVectors vectors.</summary>
    internal int PanelLength { get; }

    /// <summary>The first float of panel <paramref name="panel"/> (the buffer is pinned).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal float* Panel(int panel) => _base + ((nint)panel * PanelLength);

    /// <summary>
    /// Repacks <paramref name="weightHh"/> ([G·H, K], row-major) into panels, unless <paramref name="version"/> is the
    /// version packed last time (a negative version always packs).
    /// </summary>
    public void Pack(ReadOnlySpan<float> weightHh, long version) => Pack(weightHh, version, Transpose.Vectorized);

    /// <summary><see cref="Pack(ReadOnlySpan{float}, long)"/> with or without the register transpose (tests run both; true requires <see cref="Transpose.Vectorized"/>).</summary>
    internal void Pack(ReadOnlySpan<float> weightHh, long version, bool registerTranspose)
    {
        if (weightHh.Length != GateCount * Hidden * Inputs)
        {
            throw new ArgumentException($"weight_hh has {weightHh.Length} elements; expected [{GateCount * Hidden}, {Inputs}] = {GateCount * Hidden * Inputs}.", nameof(weightHh));
        }

        if (version >= 0 && version == PackedVersion)
        {
            return;
        }

        fixed (float* source = weightHh, packed = _panels.Span)
        {
            for (int panel = 0; panel < Panels; panel++)
            {
                for (int v = 0; v < PanelVectors; v++)
                {
                    PackVector(source, packed + ((nint)panel * PanelLength), panel, v, registerTranspose);
                }
            }
        }

        PackedVersion = version;
    }

    /// <summary>
    /// Column block v of one panel: panel[p·V·W + v·W + lane] = W_hh[gate·H + unit, p], unit = first unit + lane,
    /// zero past H. Full 8 × 8 blocks go through a register transpose.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void PackVector(float* source, float* panel, int panelIndex, int v, bool registerTranspose)
    {
        int h = Hidden, k = Inputs, w = Width;
        nint rowFloats = PanelVectors * w;
        int gate = v / UnitVectors;
        int firstUnit = (panelIndex * UnitsPerPanel) + ((v % UnitVectors) * w);
        float* column = panel + (v * w);
        int lane = 0;
        if (registerTranspose)
        {
            for (; lane + 8 <= w && firstUnit + lane + 8 <= h; lane += 8)
            {
                float* rows = source + ((nint)((gate * h) + firstUnit + lane) * k);
                int p = 0;
                for (; p + 8 <= k; p += 8)
                {
                    Transpose.Block8x8(rows + p, k, column + (p * rowFloats) + lane, rowFloats);
                }

                for (; p < k; p++)
                {
                    for (int l = 0; l < 8; l++)
                    {
                        column[(p * rowFloats) + lane + l] = rows[(l * (nint)k) + p];
                    }
                }
            }
        }

        for (; lane < w; lane++)
        {
            int unit = firstUnit + lane;
            float* row = source + ((nint)((gate * h) + unit) * k);
            for (int p = 0; p < k; p++)
            {
                column[(p * rowFloats) + lane] = unit < h ? row[p] : 0f;
            }
        }
    }
}
