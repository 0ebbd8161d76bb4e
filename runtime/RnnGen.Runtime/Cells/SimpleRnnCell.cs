using System;

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

            Span<float> g = gates.Slice((b * hidden) + from, units);
            for (int j = 0; j < units; j++)
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
