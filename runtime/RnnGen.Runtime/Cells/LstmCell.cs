using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace RnnGen.Kernels;

/// <summary>
/// One LSTM time step over a batch (PyTorch gate order i, f, g, o). Rows whose sequence has ended
/// (<c>t ≥ lengths[b]</c>) keep their state, output 0 and receive no gradient.
/// </summary>
public static class LstmCell
{
    /// <param name="gates">[B,4H]: in, the pre-activations x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh; out, the activations i, f, g, o.</param>
    /// <param name="y">Row b of the layer output starts at b·yStride; empty when the layer returns no sequence.</param>
    public static void Forward(int batch, int hidden, int t, ReadOnlySpan<int> lengths, Span<float> gates,
        ReadOnlySpan<float> cPrev, Span<float> cNext, ReadOnlySpan<float> hPrev, Span<float> hNext, Span<float> y, int yStride) =>
        ForwardUnits(batch, hidden, t, lengths, gates, cPrev, cNext, hPrev, hNext, y, yStride, 0, hidden);

    /// <summary>
    /// The whole step with the recurrent product fused in: <paramref name="gates"/> holds x·W_ihᵀ + b_ih + b_hh
    /// on entry; h·W_hhᵀ is added panel by panel from <paramref name="weightHh"/> and each panel's units
    /// finish at once. Same result as <see cref="Gemm.AxBt"/> followed by <see cref="Forward"/>.
    /// </summary>
    public static unsafe void Step(RecurrentWeights weightHh, int batch, int t, ReadOnlySpan<int> lengths, Span<float> gates,
        ReadOnlySpan<float> cPrev, Span<float> cNext, ReadOnlySpan<float> hPrev, Span<float> hNext, Span<float> y, int yStride)
    {
        RecurrentStep.Validate(weightHh, 4, batch, t, lengths, gates.Length, hPrev.Length, hNext.Length, y.Length, yStride);
        RecurrentStep.Require(cPrev.Length, (long)batch * weightHh.Hidden, "cPrev");
        RecurrentStep.Require(cNext.Length, (long)batch * weightHh.Hidden, "cNext");
        fixed (int* pl = lengths)
        fixed (float* pg = gates, pcp = cPrev, pcn = cNext, php = hPrev, phn = hNext, py = y)
        {
            RecurrentStep step = weightHh.Step;
            step.Kind = CellKind.Lstm;
            step.Batch = batch;
            step.Time = t;
            step.Lengths = pl;
            step.Gates = pg;
            step.CellPrev = pcp;
            step.CellNext = pcn;
            step.StatePrev = php;
            step.StateNext = phn;
            step.Output = py;
            step.OutputLength = y.Length;
            step.OutputStride = yStride;
            step.Run();
        }
    }

    /// <summary><see cref="Forward"/> restricted to hidden units [from, to) of every row.</summary>
    internal static void ForwardUnits(int batch, int hidden, int t, ReadOnlySpan<int> lengths, Span<float> gates,
        ReadOnlySpan<float> cPrev, Span<float> cNext, ReadOnlySpan<float> hPrev, Span<float> hNext, Span<float> y, int yStride, int from, int to)
    {
        int h4 = 4 * hidden, units = to - from;
        for (int b = 0; b < batch; b++)
        {
            Span<float> hOut = hNext.Slice((b * hidden) + from, units);
            Span<float> cOut = cNext.Slice((b * hidden) + from, units);
            Span<float> yRow = y.IsEmpty ? default : y.Slice((b * yStride) + from, units);
            if (t >= lengths[b])
            {
                hPrev.Slice((b * hidden) + from, units).CopyTo(hOut);
                cPrev.Slice((b * hidden) + from, units).CopyTo(cOut);
                yRow.Clear();
                continue;
            }

            Span<float> g = gates.Slice(b * h4, h4);
            ReadOnlySpan<float> cIn = cPrev.Slice(b * hidden, hidden);
            int j = ForwardVector(hidden, from, to, g, cIn, cNext.Slice(b * hidden, hidden), hNext.Slice(b * hidden, hidden), y.IsEmpty ? default : y.Slice(b * yStride, hidden));
            for (; j < to; j++)
            {
                float i = Activations.Sigmoid(g[j]);
                float f = Activations.Sigmoid(g[hidden + j]);
                float gg = Activations.Tanh(g[2 * hidden + j]);
                float o = Activations.Sigmoid(g[3 * hidden + j]);
                g[j] = i;
                g[hidden + j] = f;
                g[2 * hidden + j] = gg;
                g[3 * hidden + j] = o;
                float c = f * cIn[j] + i * gg;
                cOut[j - from] = c;
                float h = o * Activations.Tanh(c);
                hOut[j - from] = h;
                if (!yRow.IsEmpty)
                {
                    yRow[j - from] = h;
                }
            }
        }
    }

    /// <summary>The vectorised part of units [from, to) of one row (whole rows passed); returns where the scalar tail starts.</summary>
    private static int ForwardVector(int hidden, int from, int to, Span<float> g, ReadOnlySpan<float> cIn, Span<float> cOut, Span<float> hOut, Span<float> yRow)
    {
        int width = Vector<float>.Count;
        if (!Vector.IsHardwareAccelerated || to - from < width)
        {
            return from;
        }

        ref float gi = ref MemoryMarshal.GetReference(g);
        ref float gf = ref Unsafe.Add(ref gi, hidden);
        ref float gg = ref Unsafe.Add(ref gi, 2 * hidden);
        ref float go = ref Unsafe.Add(ref gi, 3 * hidden);
        ref float c0 = ref MemoryMarshal.GetReference(cIn);
        ref float c1 = ref MemoryMarshal.GetReference(cOut);
        ref float h1 = ref MemoryMarshal.GetReference(hOut);
        bool writeY = !yRow.IsEmpty;
        ref float y = ref MemoryMarshal.GetReference(yRow);
        int j = from;
        for (; j <= to - width; j += width)
        {
            nuint k = (nuint)j;
            Vector<float> i = Activations.Sigmoid(Vector.LoadUnsafe(ref gi, k));
            Vector<float> f = Activations.Sigmoid(Vector.LoadUnsafe(ref gf, k));
            Vector<float> n = Activations.Tanh(Vector.LoadUnsafe(ref gg, k));
            Vector<float> o = Activations.Sigmoid(Vector.LoadUnsafe(ref go, k));
            i.StoreUnsafe(ref gi, k);
            f.StoreUnsafe(ref gf, k);
            n.StoreUnsafe(ref gg, k);
            o.StoreUnsafe(ref go, k);
            Vector<float> c = f * Vector.LoadUnsafe(ref c0, k) + i * n;
            c.StoreUnsafe(ref c1, k);
            Vector<float> h = o * Activations.Tanh(c);
            h.StoreUnsafe(ref h1, k);
            if (writeY)
            {
                h.StoreUnsafe(ref y, k);
            }
        }

        return j;
    }

    /// <summary>
    /// Back-propagates one step. On entry <paramref name="dh"/> and <paramref name="dc"/> hold dL/dh_t and
    /// dL/dc_t from later steps; <paramref name="dy"/> (row stride <paramref name="dyStride"/>, may be empty)
    /// adds the gradient of this step's output. On exit dc holds dL/dc_{t-1}, dGates the pre-activation
    /// gradients, and dh the part of dL/dh_{t-1} that does not pass through W_hh (0 for valid rows);
    /// the caller adds dGates·W_hh.
    /// </summary>
    public static void Backward(int batch, int hidden, int t, ReadOnlySpan<int> lengths, ReadOnlySpan<float> gates,
        ReadOnlySpan<float> cPrev, ReadOnlySpan<float> cNext, ReadOnlySpan<float> dy, int dyStride,
        Span<float> dh, Span<float> dc, Span<float> dGates)
    {
        int h4 = 4 * hidden;
        for (int b = 0; b < batch; b++)
        {
            Span<float> dg = dGates.Slice(b * h4, h4);
            if (t >= lengths[b])
            {
                dg.Clear();
                continue;
            }

            ReadOnlySpan<float> g = gates.Slice(b * h4, h4);
            ReadOnlySpan<float> cIn = cPrev.Slice(b * hidden, hidden);
            ReadOnlySpan<float> cOut = cNext.Slice(b * hidden, hidden);
            Span<float> dhRow = dh.Slice(b * hidden, hidden);
            Span<float> dcRow = dc.Slice(b * hidden, hidden);
            if (dy.IsEmpty)
            {
                BackwardRow(hidden, g, cIn, cOut, default, dhRow, dcRow, dg, withDy: false);
            }
            else
            {
                BackwardRow(hidden, g, cIn, cOut, dy.Slice(b * dyStride, hidden), dhRow, dcRow, dg, withDy: true);
            }
        }
    }

    /// <summary>
    /// One valid row: the vector body, then the scalar tail. Inlined at both call sites with a constant
    /// <paramref name="withDy"/>, so neither loop tests it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void BackwardRow(int hidden, ReadOnlySpan<float> g, ReadOnlySpan<float> cIn, ReadOnlySpan<float> cOut,
        ReadOnlySpan<float> dyRow, Span<float> dhRow, Span<float> dcRow, Span<float> dg, bool withDy)
    {
        int j = BackwardVector(hidden, g, cIn, cOut, dyRow, dhRow, dcRow, dg, withDy);
        for (; j < hidden; j++)
        {
            float i = g[j], f = g[hidden + j], gg = g[2 * hidden + j], o = g[3 * hidden + j];
            float dhj = dhRow[j];
            if (withDy)
            {
                dhj += dyRow[j];
            }

            float tc = Activations.Tanh(cOut[j]);
            float dcj = dcRow[j] + dhj * o * (1f - tc * tc);
            dg[j] = dcj * gg * i * (1f - i);
            dg[hidden + j] = dcj * cIn[j] * f * (1f - f);
            dg[2 * hidden + j] = dcj * i * (1f - gg * gg);
            dg[3 * hidden + j] = dhj * tc * o * (1f - o);
            dcRow[j] = dcj * f;
            dhRow[j] = 0f;
        }
    }

    /// <summary>The vectorised part of <see cref="BackwardRow"/>, same arithmetic order; returns where the scalar tail starts.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int BackwardVector(int hidden, ReadOnlySpan<float> g, ReadOnlySpan<float> cIn, ReadOnlySpan<float> cOut,
        ReadOnlySpan<float> dyRow, Span<float> dhRow, Span<float> dcRow, Span<float> dg, bool withDy)
    {
        int width = Vector<float>.Count;
        if (!Vector.IsHardwareAccelerated || hidden < width)
        {
            return 0;
        }

        ref float gi = ref MemoryMarshal.GetReference(g);
        ref float gf = ref Unsafe.Add(ref gi, hidden);
        ref float gg = ref Unsafe.Add(ref gi, 2 * hidden);
        ref float go = ref Unsafe.Add(ref gi, 3 * hidden);
        ref float dgi = ref MemoryMarshal.GetReference(dg);
        ref float dgf = ref Unsafe.Add(ref dgi, hidden);
        ref float dgn = ref Unsafe.Add(ref dgi, 2 * hidden);
        ref float dgo = ref Unsafe.Add(ref dgi, 3 * hidden);
        ref float c0 = ref MemoryMarshal.GetReference(cIn);
        ref float c1 = ref MemoryMarshal.GetReference(cOut);
        ref float dyr = ref MemoryMarshal.GetReference(dyRow);
        ref float dhs = ref MemoryMarshal.GetReference(dhRow);
        ref float dcs = ref MemoryMarshal.GetReference(dcRow);
        Vector<float> one = Vector<float>.One;
        int j = 0;
        for (; j <= hidden - width; j += width)
        {
            nuint k = (nuint)j;
            Vector<float> i = Vector.LoadUnsafe(ref gi, k);
            Vector<float> f = Vector.LoadUnsafe(ref gf, k);
            Vector<float> n = Vector.LoadUnsafe(ref gg, k);
            Vector<float> o = Vector.LoadUnsafe(ref go, k);
            Vector<float> dhj = Vector.LoadUnsafe(ref dhs, k);
            if (withDy)
            {
                dhj += Vector.LoadUnsafe(ref dyr, k);
            }

            Vector<float> tc = Activations.Tanh(Vector.LoadUnsafe(ref c1, k));
            Vector<float> dcj = Vector.LoadUnsafe(ref dcs, k) + dhj * o * (one - tc * tc);
            (dcj * n * i * (one - i)).StoreUnsafe(ref dgi, k);
            (dcj * Vector.LoadUnsafe(ref c0, k) * f * (one - f)).StoreUnsafe(ref dgf, k);
            (dcj * i * (one - n * n)).StoreUnsafe(ref dgn, k);
            (dhj * tc * o * (one - o)).StoreUnsafe(ref dgo, k);
            (dcj * f).StoreUnsafe(ref dcs, k);
            Vector<float>.Zero.StoreUnsafe(ref dhs, k);
        }

        return j;
    }
}
