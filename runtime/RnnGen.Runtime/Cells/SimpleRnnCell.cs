using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace RnnGen.Kernels;

/// <summary>One Elman RNN time step over a batch: h' = act(pre). Ended rows keep their state and output 0.</summary>
public static class SimpleRnnCell
{
    /// <param name="gates">[B,H]: in, x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh; out, the new hidden state.</param>
    public static void Forward(int batch, int hidden, int t, ReadOnlySpan<int> lengths, Nonlinearity nonlinearity, Span<float> gates,
        ReadOnlySpan<float> hPrev, Span<float> hNext, Span<float> y, int yStride) =>
        ForwardUnits(batch, hidden, t, lengths, nonlinearity, gates, hPrev, hNext, y, yStride, 0, hidden);

    /// <summary>
    /// The whole step with the recurrent product fused in: <paramref name="gates"/> holds x·W_ihᵀ + b_ih + b_hh
    /// on entry; h·W_hhᵀ is added panel by panel from <paramref name="weightHh"/> and each panel's units
    /// finish at once. Same result as <see cref="Gemm.AxBt"/> followed by <see cref="Forward"/>.
    /// </summary>
    public static unsafe void Step(RecurrentWeights weightHh, int batch, int t, ReadOnlySpan<int> lengths, Nonlinearity nonlinearity, Span<float> gates,
        ReadOnlySpan<float> hPrev, Span<float> hNext, Span<float> y, int yStride)
    {
        RecurrentStep.Validate(weightHh, 1, batch, t, lengths, gates.Length, hPrev.Length, hNext.Length, y.Length, yStride);
        fixed (int* pl = lengths)
        fixed (float* pg = gates, php = hPrev, phn = hNext, py = y)
        {
            RecurrentStep step = weightHh.Step;
            step.Kind = CellKind.SimpleRnn;
            step.Nonlinearity = nonlinearity;
            step.Batch = batch;
            step.Time = t;
            step.Lengths = pl;
            step.Gates = pg;
            step.StatePrev = php;
            step.StateNext = phn;
            step.Output = py;
            step.OutputLength = y.Length;
            step.OutputStride = yStride;
            step.Run();
        }
    }

    /// <summary><see cref="Forward"/> restricted to hidden units [from, to) of every row.</summary>
    internal static void ForwardUnits(int batch, int hidden, int t, ReadOnlySpan<int> lengths, Nonlinearity nonlinearity, Span<float> gates,
        ReadOnlySpan<float> hPrev, Span<float> hNext, Span<float> y, int yStride, int from, int to)
    {
        bool relu = nonlinearity == Nonlinearity.Relu;
        int units = to - from;
        for (int b = 0; b < batch; b++)
        {
            Span<float> hOut = hNext.Slice((b * hidden) + from, units);
            Span<float> yRow = y.IsEmpty ? default : y.Slice((b * yStride) + from, units);
            if (t >= lengths[b])
            {
                hPrev.Slice((b * hidden) + from, units).CopyTo(hOut);
                yRow.Clear();
                continue;
            }

            // Units are independent, so the row routine runs on the slice.
            Span<float> g = gates.Slice((b * hidden) + from, units);
            if (relu)
            {
                ForwardRow(units, g, hOut, yRow, relu: true);
            }
            else
            {
                ForwardRow(units, g, hOut, yRow, relu: false);
            }
        }
    }

    /// <summary>
    /// One valid row: the vector body, then the scalar tail. Inlined at both call sites with a constant
    /// <paramref name="relu"/>, so neither loop tests it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ForwardRow(int hidden, Span<float> g, Span<float> hOut, Span<float> yRow, bool relu)
    {
        int j = ForwardVector(hidden, g, hOut, yRow, relu);
        for (; j < hidden; j++)
        {
            float h = relu ? Activations.Relu(g[j]) : Activations.Tanh(g[j]);
            g[j] = h;
            hOut[j] = h;
            if (!yRow.IsEmpty)
            {
                yRow[j] = h;
            }
        }
    }

    /// <summary>The vectorised part of <see cref="ForwardRow"/>; returns where the scalar tail starts.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int ForwardVector(int hidden, Span<float> g, Span<float> hOut, Span<float> yRow, bool relu)
    {
        int width = Vector<float>.Count;
        if (!Vector.IsHardwareAccelerated || hidden < width)
        {
            return 0;
        }

        ref float g0 = ref MemoryMarshal.GetReference(g);
        ref float h1 = ref MemoryMarshal.GetReference(hOut);
        bool writeY = !yRow.IsEmpty;
        ref float y = ref MemoryMarshal.GetReference(yRow);
        int j = 0;
        for (; j <= hidden - width; j += width)
        {
            nuint k = (nuint)j;
            Vector<float> pre = Vector.LoadUnsafe(ref g0, k);
            Vector<float> h = relu ? Activations.Relu(pre) : Activations.Tanh(pre);
            h.StoreUnsafe(ref g0, k);
            h.StoreUnsafe(ref h1, k);
            if (writeY)
            {
                h.StoreUnsafe(ref y, k);
            }
        }

        return j;
    }

    /// <summary>Back-propagates one step: dGates = (dh + dy)·act'(h); dh becomes 0 for valid rows (the caller adds dGates·W_hh).</summary>
    public static void Backward(int batch, int hidden, int t, ReadOnlySpan<int> lengths, Nonlinearity nonlinearity, ReadOnlySpan<float> gates,
        ReadOnlySpan<float> dy, int dyStride, Span<float> dh, Span<float> dGates)
    {
        bool relu = nonlinearity == Nonlinearity.Relu;
        for (int b = 0; b < batch; b++)
        {
            Span<float> dg = dGates.Slice(b * hidden, hidden);
            if (t >= lengths[b])
            {
                dg.Clear();
                continue;
            }

            ReadOnlySpan<float> h = gates.Slice(b * hidden, hidden);
            ReadOnlySpan<float> dyRow = dy.IsEmpty ? default : dy.Slice(b * dyStride, hidden);
            Span<float> dhRow = dh.Slice(b * hidden, hidden);
            // Four specialised copies: both flags are constants inside each inlined row.
            if (relu)
            {
                if (dy.IsEmpty)
                {
                    BackwardRow(hidden, h, dyRow, dhRow, dg, withDy: false, relu: true);
                }
                else
                {
                    BackwardRow(hidden, h, dyRow, dhRow, dg, withDy: true, relu: true);
                }
            }
            else if (dy.IsEmpty)
            {
                BackwardRow(hidden, h, dyRow, dhRow, dg, withDy: false, relu: false);
            }
            else
            {
                BackwardRow(hidden, h, dyRow, dhRow, dg, withDy: true, relu: false);
            }
        }
    }

    /// <summary>One valid row: the vector body, then the scalar tail; <paramref name="withDy"/> and <paramref name="relu"/> are constants once inlined.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void BackwardRow(int hidden, ReadOnlySpan<float> h, ReadOnlySpan<float> dyRow, Span<float> dhRow, Span<float> dg,
        bool withDy, bool relu)
    {
        int j = BackwardVector(hidden, h, dyRow, dhRow, dg, withDy, relu);
        for (; j < hidden; j++)
        {
            float dhj = dhRow[j];
            if (withDy)
            {
                dhj += dyRow[j];
            }

            float derivative = relu ? (h[j] > 0f ? 1f : 0f) : 1f - h[j] * h[j];
            dg[j] = dhj * derivative;
            dhRow[j] = 0f;
        }
    }

    /// <summary>The vectorised part of <see cref="BackwardRow"/>, same arithmetic; returns where the scalar tail starts.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int BackwardVector(int hidden, ReadOnlySpan<float> hRow, ReadOnlySpan<float> dyRow, Span<float> dhRow, Span<float> dgRow,
        bool withDy, bool relu)
    {
        int width = Vector<float>.Count;
        if (!Vector.IsHardwareAccelerated || hidden < width)
        {
            return 0;
        }

        ref float h0 = ref MemoryMarshal.GetReference(hRow);
        ref float dyr = ref MemoryMarshal.GetReference(dyRow);
        ref float dhs = ref MemoryMarshal.GetReference(dhRow);
        ref float dgs = ref MemoryMarshal.GetReference(dgRow);
        int j = 0;
        for (; j <= hidden - width; j += width)
        {
            nuint k = (nuint)j;
            Vector<float> dhj = Vector.LoadUnsafe(ref dhs, k);
            if (withDy)
            {
                dhj += Vector.LoadUnsafe(ref dyr, k);
            }

            Vector<float> h = Vector.LoadUnsafe(ref h0, k);
            Vector<float> derivative = relu
                ? Vector.ConditionalSelect(Vector.GreaterThan(h, Vector<float>.Zero), Vector<float>.One, Vector<float>.Zero)
                : Vector<float>.One - h * h;
            (dhj * derivative).StoreUnsafe(ref dgs, k);
            Vector<float>.Zero.StoreUnsafe(ref dhs, k);
        }

        return j;
    }
}
