using System;

namespace RnnGen.Kernels;

/// <summary>One Elman RNN time step over a batch: h' = act(pre). Ended rows keep their state and output 0.</summary>
public static class SimpleRnnCell
{
    /// <param name="gates">[B,H]: in, x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh; out, the new hidden state.</param>
    public static void Forward(int batch, int hidden, int t, ReadOnlySpan<int> lengths, Nonlinearity nonlinearity, Span<float> gates,
        ReadOnlySpan<float> hPrev, Span<float> hNext, Span<float> y, int yStride)
    {
        for (int b = 0; b < batch; b++)
        {
            Span<float> hOut = hNext.Slice(b * hidden, hidden);
            Span<float> yRow = y.IsEmpty ? default : y.Slice(b * yStride, hidden);
            if (t >= lengths[b])
            {
                hPrev.Slice(b * hidden, hidden).CopyTo(hOut);
                yRow.Clear();
                continue;
            }

            Span<float> g = gates.Slice(b * hidden, hidden);
            for (int j = 0; j < hidden; j++)
            {
                float h = nonlinearity == Nonlinearity.Relu ? Activations.Relu(g[j]) : Activations.Tanh(g[j]);
                g[j] = h;
                hOut[j] = h;
                if (!yRow.IsEmpty)
                {
                    yRow[j] = h;
                }
            }
        }
    }

    /// <summary>Back-propagates one step: dGates = (dh + dy)·act'(h); dh becomes 0 for valid rows (the caller adds dGates·W_hh).</summary>
    public static void Backward(int batch, int hidden, int t, ReadOnlySpan<int> lengths, Nonlinearity nonlinearity, ReadOnlySpan<float> gates,
        ReadOnlySpan<float> dy, int dyStride, Span<float> dh, Span<float> dGates)
    {
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
            for (int j = 0; j < hidden; j++)
            {
                float dhj = dhRow[j] + (dyRow.IsEmpty ? 0f : dyRow[j]);
                float derivative = nonlinearity == Nonlinearity.Relu ? (h[j] > 0f ? 1f : 0f) : 1f - h[j] * h[j];
                dg[j] = dhj * derivative;
                dhRow[j] = 0f;
            }
        }
    }
}
