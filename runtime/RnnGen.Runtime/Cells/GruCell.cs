using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace RnnGen.Kernels;

/// <summary>
/// One GRU time step over a batch (PyTorch gate order r, z, n; the reset gate multiplies
/// W_hn·h + b_hn). Rows whose sequence has ended keep their state, output 0 and get no gradient.
/// </summary>
public static class GruCell
{
    /// <param name="gates">[B,3H]: in, x·W_ihᵀ + b_ih; out, the activations r, z, n.</param>
    /// <param name="hGates">[B,3H]: h·W_hhᵀ + b_hh, kept for the backward pass.</param>
    public static void Forward(int batch, int hidden, int t, ReadOnlySpan<int> lengths, Span<float> gates, ReadOnlySpan<float> hGates,
        ReadOnlySpan<float> hPrev, Span<float> hNext, Span<float> y, int yStride) =>
        ForwardUnits(batch, hidden, t, lengths, gates, hGates, hPrev, hNext, y, yStride, 0, hidden);

    /// <summary>
    /// The whole step with the recurrent product fused in: <paramref name="hGates"/> holds b_hh on entry and
    /// h·W_hhᵀ is added panel by panel from <paramref name="weightHh"/>; each panel's units finish at once.
    /// Same result as <see cref="Gemm.AxBt"/> into hGates followed by <see cref="Forward"/>.
    /// </summary>
    public static unsafe void Step(RecurrentWeights weightHh, int batch, int t, ReadOnlySpan<int> lengths, Span<float> gates, Span<float> hGates,
        ReadOnlySpan<float> hPrev, Span<float> hNext, Span<float> y, int yStride)
    {
        RecurrentStep.Validate(weightHh, 3, batch, t, lengths, gates.Length, hPrev.Length, hNext.Length, y.Length, yStride);
        RecurrentStep.Require(hGates.Length, (long)batch * 3 * weightHh.Hidden, "hGates");
        fixed (int* pl = lengths)
        fixed (float* pg = gates, phg = hGates, php = hPrev, phn = hNext, py = y)
        {
            RecurrentStep step = weightHh.Step;
            step.Kind = CellKind.Gru;
            step.Batch = batch;
            step.Time = t;
            step.Lengths = pl;
            step.Gates = pg;
            step.HiddenGates = phg;
            step.StatePrev = php;
            step.StateNext = phn;
            step.Output = py;
            step.OutputLength = y.Length;
            step.OutputStride = yStride;
            step.Run();
        }
    }

    /// <summary><see cref="Forward"/> restricted to hidden units [from, to) of every row.</summary>
    internal static void ForwardUnits(int batch, int hidden, int t, ReadOnlySpan<int> lengths, Span<float> gates, ReadOnlySpan<float> hGates,
        ReadOnlySpan<float> hPrev, Span<float> hNext, Span<float> y, int yStride, int from, int to)
    {
        int h3 = 3 * hidden, units = to - from;
        for (int b = 0; b < batch; b++)
        {
            ReadOnlySpan<float> hIn = hPrev.Slice(b * hidden, hidden);
            Span<float> hOut = hNext.Slice(b * hidden, hidden);
            Span<float> yRow = y.IsEmpty ? default : y.Slice(b * yStride, hidden);
            if (t >= lengths[b])
            {
                hIn.Slice(from, units).CopyTo(hOut.Slice(from, units));
                if (!yRow.IsEmpty)
                {
                    yRow.Slice(from, units).Clear();
                }

                continue;
            }

            Span<float> g = gates.Slice(b * h3, h3);
            ReadOnlySpan<float> hg = hGates.Slice(b * h3, h3);
            int j = ForwardVector(hidden, from, to, g, hg, hIn, hOut, yRow);
            for (; j < to; j++)
            {
                float r = Activations.Sigmoid(g[j] + hg[j]);
                float z = Activations.Sigmoid(g[hidden + j] + hg[hidden + j]);
                float n = Activations.Tanh(g[2 * hidden + j] + r * hg[2 * hidden + j]);
                g[j] = r;
                g[hidden + j] = z;
                g[2 * hidden + j] = n;
                float h = (1f - z) * n + z * hIn[j];
                hOut[j] = h;
                if (!yRow.IsEmpty)
                {
                    yRow[j] = h;
                }
            }
        }
    }

    /// <summary>The vectorised part of units [from, to) of one row; returns where the scalar tail starts.</summary>
    private static int ForwardVector(int hidden, int from, int to, Span<float> g, ReadOnlySpan<float> hg, ReadOnlySpan<float> hIn, Span<float> hOut, Span<float> yRow)
    {
        int width = Vector<float>.Count;
        if (!Vector.IsHardwareAccelerated || to - from < width)
        {
            return from;
        }

        ref float gr = ref MemoryMarshal.GetReference(g);
        ref float gz = ref Unsafe.Add(ref gr, hidden);
        ref float gn = ref Unsafe.Add(ref gr, 2 * hidden);
        ref float hr = ref MemoryMarshal.GetReference(hg);
        ref float hz = ref Unsafe.Add(ref hr, hidden);
        ref float hn = ref Unsafe.Add(ref hr, 2 * hidden);
        ref float h0 = ref MemoryMarshal.GetReference(hIn);
        ref float h1 = ref MemoryMarshal.GetReference(hOut);
        bool writeY = !yRow.IsEmpty;
        ref float y = ref MemoryMarshal.GetReference(yRow);
        int j = from;
        for (; j <= to - width; j += width)
        {
            nuint k = (nuint)j;
            Vector<float> r = Activations.Sigmoid(Vector.LoadUnsafe(ref gr, k) + Vector.LoadUnsafe(ref hr, k));
            Vector<float> z = Activations.Sigmoid(Vector.LoadUnsafe(ref gz, k) + Vector.LoadUnsafe(ref hz, k));
            Vector<float> n = Activations.Tanh(Vector.LoadUnsafe(ref gn, k) + r * Vector.LoadUnsafe(ref hn, k));
            r.StoreUnsafe(ref gr, k);
            z.StoreUnsafe(ref gz, k);
            n.StoreUnsafe(ref gn, k);
            Vector<float> h = (Vector<float>.One - z) * n + z * Vector.LoadUnsafe(ref h0, k);
            h.StoreUnsafe(ref h1, k);
            if (writeY)
            {
                h.StoreUnsafe(ref y, k);
            }
        }

        return j;
    }

    /// <summary>
    /// Back-propagates one step. dh holds dL/dh_t on entry and the direct part of dL/dh_{t-1} (z·dh) on
    /// exit; dGx receives the gradient of x·W_ihᵀ + b_ih and dGh that of h·W_hhᵀ + b_hh; the caller adds dGh·W_hh.
    /// </summary>
    public static void Backward(int batch, int hidden, int t, ReadOnlySpan<int> lengths, ReadOnlySpan<float> gates, ReadOnlySpan<float> hGates,
        ReadOnlySpan<float> hPrev, ReadOnlySpan<float> dy, int dyStride, Span<float> dh, Span<float> dGx, Span<float> dGh)
    {
        int h3 = 3 * hidden;
        for (int b = 0; b < batch; b++)
        {
            Span<float> dx = dGx.Slice(b * h3, h3);
            Span<float> dhh = dGh.Slice(b * h3, h3);
            if (t >= lengths[b])
            {
                dx.Clear();
                dhh.Clear();
                continue;
            }

            ReadOnlySpan<float> g = gates.Slice(b * h3, h3);
            ReadOnlySpan<float> hg = hGates.Slice(b * h3, h3);
            ReadOnlySpan<float> hIn = hPrev.Slice(b * hidden, hidden);
            Span<float> dhRow = dh.Slice(b * hidden, hidden);
            if (dy.IsEmpty)
            {
                BackwardRow(hidden, g, hg, hIn, default, dhRow, dx, dhh, withDy: false);
            }
            else
            {
                BackwardRow(hidden, g, hg, hIn, dy.Slice(b * dyStride, hidden), dhRow, dx, dhh, withDy: true);
            }
        }
    }

    /// <summary>
    /// One valid row: the vector body, then the scalar tail. Inlined at both call sites with a constant
    /// <paramref name="withDy"/>, so neither loop tests it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void BackwardRow(int hidden, ReadOnlySpan<float> g, ReadOnlySpan<float> hg, ReadOnlySpan<float> hIn,
        ReadOnlySpan<float> dyRow, Span<float> dhRow, Span<float> dx, Span<float> dhh, bool withDy)
    {
        int j = BackwardVector(hidden, g, hg, hIn, dyRow, dhRow, dx, dhh, withDy);
        for (; j < hidden; j++)
        {
            float r = g[j], z = g[hidden + j], n = g[2 * hidden + j];
            float dhj = dhRow[j];
            if (withDy)
            {
                dhj += dyRow[j];
            }

            float dnPre = dhj * (1f - z) * (1f - n * n);
            float dzPre = dhj * (hIn[j] - n) * z * (1f - z);
            float drPre = dnPre * hg[2 * hidden + j] * r * (1f - r);
            dx[j] = drPre;
            dx[hidden + j] = dzPre;
            dx[2 * hidden + j] = dnPre;
            dhh[j] = drPre;
            dhh[hidden + j] = dzPre;
            dhh[2 * hidden + j] = dnPre * r;
            dhRow[j] = dhj * z;
        }
    }

    /// <summary>The vectorised part of <see cref="BackwardRow"/>, same arithmetic order; returns where the scalar tail starts.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int BackwardVector(int hidden, ReadOnlySpan<float> g, ReadOnlySpan<float> hg, ReadOnlySpan<float> hIn,
        ReadOnlySpan<float> dyRow, Span<float> dhRow, Span<float> dx, Span<float> dhh, bool withDy)
    {
        int width = Vector<float>.Count;
        if (!Vector.IsHardwareAccelerated || hidden < width)
        {
            return 0;
        }

        ref float gr = ref MemoryMarshal.GetReference(g);
        ref float gz = ref Unsafe.Add(ref gr, hidden);
        ref float gn = ref Unsafe.Add(ref gr, 2 * hidden);
        ref float hn = ref Unsafe.Add(ref MemoryMarshal.GetReference(hg), 2 * hidden);
        ref float xr = ref MemoryMarshal.GetReference(dx);
        ref float xz = ref Unsafe.Add(ref xr, hidden);
        ref float xn = ref Unsafe.Add(ref xr, 2 * hidden);
        ref float hhr = ref MemoryMarshal.GetReference(dhh);
        ref float hhz = ref Unsafe.Add(ref hhr, hidden);
        ref float hhn = ref Unsafe.Add(ref hhr, 2 * hidden);
        ref float h0 = ref MemoryMarshal.GetReference(hIn);
        ref float dyr = ref MemoryMarshal.GetReference(dyRow);
        ref float dhs = ref MemoryMarshal.GetReference(dhRow);
        Vector<float> one = Vector<float>.One;
        int j = 0;
        for (; j <= hidden - width; j += width)
        {
            nuint k = (nuint)j;
            Vector<float> r = Vector.LoadUnsafe(ref gr, k);
            Vector<float> z = Vector.LoadUnsafe(ref gz, k);
            Vector<float> n = Vector.LoadUnsafe(ref gn, k);
            Vector<float> dhj = Vector.LoadUnsafe(ref dhs, k);
            if (withDy)
            {
                dhj += Vector.LoadUnsafe(ref dyr, k);
            }

            Vector<float> dnPre = dhj * (one - z) * (one - n * n);
            Vector<float> dzPre = dhj * (Vector.LoadUnsafe(ref h0, k) - n) * z * (one - z);
            Vector<float> drPre = dnPre * Vector.LoadUnsafe(ref hn, k) * r * (one - r);
            drPre.StoreUnsafe(ref xr, k);
            dzPre.StoreUnsafe(ref xz, k);
            dnPre.StoreUnsafe(ref xn, k);
            drPre.StoreUnsafe(ref hhr, k);
            dzPre.StoreUnsafe(ref hhz, k);
            (dnPre * r).StoreUnsafe(ref hhn, k);
            (dhj * z).StoreUnsafe(ref dhs, k);
        }

        return j;
    }
}
