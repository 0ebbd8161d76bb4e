using System;

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
        ReadOnlySpan<float> cPrev, Span<float> cNext, ReadOnlySpan<float> hPrev, Span<float> hNext, Span<float> y, int yStride)
    {
        int h4 = 4 * hidden;
        for (int b = 0; b < batch; b++)
        {
            Span<float> hOut = hNext.Slice(b * hidden, hidden);
            Span<float> cOut = cNext.Slice(b * hidden, hidden);
            Span<float> yRow = y.IsEmpty ? default : y.Slice(b * yStride, hidden);
            if (t >= lengths[b])
            {
                hPrev.Slice(b * hidden, hidden).CopyTo(hOut);
                cPrev.Slice(b * hidden, hidden).CopyTo(cOut);
                yRow.Clear();
                continue;
            }

            Span<float> g = gates.Slice(b * h4, h4);
            ReadOnlySpan<float> cIn = cPrev.Slice(b * hidden, hidden);
            for (int j = 0; j < hidden; j++)
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
                cOut[j] = c;
                float h = o * Activations.Tanh(c);
                hOut[j] = h;
                if (!yRow.IsEmpty)
                {
                    yRow[j] = h;
                }
            }
        }
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
            ReadOnlySpan<float> dyRow = dy.IsEmpty ? default : dy.Slice(b * dyStride, hidden);
            Span<float> dhRow = dh.Slice(b * hidden, hidden);
            Span<float> dcRow = dc.Slice(b * hidden, hidden);
            for (int j = 0; j < hidden; j++)
            {
                float i = g[j], f = g[hidden + j], gg = g[2 * hidden + j], o = g[3 * hidden + j];
                float dhj = dhRow[j] + (dyRow.IsEmpty ? 0f : dyRow[j]);
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
    }
}
