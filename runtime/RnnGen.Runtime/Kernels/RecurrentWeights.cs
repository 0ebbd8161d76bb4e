using System;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace RnnGen.Kernels;

/// <summary>
/// A recurrent weight W_hh [G·H, H] (PyTorch layout) repacked for the per-step product h·W_hhᵀ of a
/// small batch. Hidden units are cut into panels of <see cref="UnitsPerPanel"/> units; a panel holds,
/// for each input p in turn, the weights of every gate for those units (<see cref="PanelVectors"/>
/// vectors, contiguous). One panel therefore yields complete gate pre-activations for its units, so the
/// cell can finish them while they are still in L1, and the weights stream through memory in order.
/// </summary>
/// <remarks>
/// Generated code packs once per <c>Forward</c> (weights may change between calls) and then calls the
/// cells' <c>Step</c> overloads. Units past H in the last panel are zero-padded.
/// </remarks>
public sealed unsafe class RecurrentWeights
{
    private readonly AlignedBuffer _panels;

    private readonly PackedSource _source;

    /// <param name="gateCount">Gates per unit: 4 for an LSTM, 3 for a GRU, 1 for a plain RNN.</param>
    /// <param name="hidden">H: hidden units, and the inputs of W_hh.</param>
    public RecurrentWeights(int gateCount, int hidden)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(gateCount, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(gateCount, 4);
        ArgumentOutOfRangeException.ThrowIfLessThan(hidden, 1);
        GateCount = gateCount;
        Hidden = hidden;
        Width = Vector512.IsHardwareAccelerated ? 16 : Avx2.IsSupported && Fma.IsSupported ? 8 : 4;

        // Enough independent accumulators to hide the FMA latency: a one-gate cell takes four vectors of units.
        UnitVectors = gateCount == 1 ? 4 : 1;
        UnitsPerPanel = UnitVectors * Width;
        PanelVectors = gateCount * UnitVectors;
        Panels = (hidden + UnitsPerPanel - 1) / UnitsPerPanel;
        _panels = new AlignedBuffer(checked(Panels * PanelLength));
        _source = new PackedSource(checked(gateCount * hidden * hidden));
        Step = new RecurrentStep(this);
    }

    /// <summary>The reusable step these weights drive (one model instance runs one step at a time).</summary>
    internal RecurrentStep Step { get; }

    /// <summary>Gates per hidden unit.</summary>
    public int GateCount { get; }

    /// <summary>Hidden units H.</summary>
    public int Hidden { get; }

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

    /// <summary>Floats per panel: H inputs × PanelVectors vectors.</summary>
    internal int PanelLength => Hidden * PanelVectors * Width;

    /// <summary>The first float of panel <paramref name="panel"/> (the buffer is pinned).</summary>
    internal float* Panel(int panel)
    {
        fixed (float* start = _panels.Span)
        {
            return start + ((nint)panel * PanelLength);
        }
    }

    /// <summary>
    /// Repacks <paramref name="weightHh"/> ([G·H, H], row-major) into panels, unless it is bit for bit the
    /// matrix packed last time: comparing costs a fraction of packing, and inference repeats the same weights.
    /// </summary>
    public void Pack(ReadOnlySpan<float> weightHh)
    {
        if (weightHh.Length != _source.Length)
        {
            throw new ArgumentException($"weight_hh has {weightHh.Length} elements; expected [{GateCount * Hidden}, {Hidden}] = {_source.Length}.", nameof(weightHh));
        }

        if (_source.Unchanged(weightHh))
        {
            return;
        }

        fixed (float* source = weightHh, packed = _panels.Span)
        {
            for (int panel = 0; panel < Panels; panel++)
            {
                for (int v = 0; v < PanelVectors; v++)
                {
                    PackVector(source, packed + ((nint)panel * PanelLength), panel, v);
                }
            }
        }
    }

    /// <summary>
    /// Column block v of one panel: panel[p·V·W + v·W + lane] = W_hh[gate·H + unit, p], unit = first unit + lane,
    /// zero past H. Full 8 × 8 blocks go through a register transpose.
    /// </summary>
    private void PackVector(float* source, float* panel, int panelIndex, int v)
    {
        int h = Hidden, w = Width;
        nint rowFloats = PanelVectors * w;
        int gate = v / UnitVectors;
        int firstUnit = (panelIndex * UnitsPerPanel) + ((v % UnitVectors) * w);
        float* column = panel + (v * w);
        int lane = 0;
        if (Transpose.Vectorized)
        {
            for (; lane + 8 <= w && firstUnit + lane + 8 <= h; lane += 8)
            {
                float* rows = source + ((nint)((gate * h) + firstUnit + lane) * h);
                int p = 0;
                for (; p + 8 <= h; p += 8)
                {
                    Transpose.Block8x8(rows + p, h, column + (p * rowFloats) + lane, rowFloats);
                }

                for (; p < h; p++)
                {
                    for (int l = 0; l < 8; l++)
                    {
                        column[(p * rowFloats) + lane + l] = rows[(l * (nint)h) + p];
                    }
                }
            }
        }

        for (; lane < w; lane++)
        {
            int unit = firstUnit + lane;
            float* row = source + ((nint)((gate * h) + unit) * h);
            for (int p = 0; p < h; p++)
            {
                column[(p * rowFloats) + lane] = unit < h ? row[p] : 0f;
            }
        }
    }
}
