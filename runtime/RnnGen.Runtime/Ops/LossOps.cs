using System;
using System.Numerics;
using System.Runtime.InteropServices;

namespace RnnGen.Kernels;

/// <summary>
/// Losses over time-major predictions [T,B,F] (T = 1 for per-sequence outputs) against batch-first
/// targets, averaged over valid positions; each also writes dL/dprediction.
/// </summary>
public static class LossOps
{
    /// <summary>Mean over valid positions and features of (y − target)².</summary>
    public static float MeanSquaredError(ReadOnlySpan<float> y, ReadOnlySpan<float> target, int steps, int batch, int features,
        ReadOnlySpan<int> lengths, Span<float> dy)
    {
        int valid = CountValid(steps, batch, lengths);
        double sum = 0;
        float scale = 2f / ((float)valid * features);
        for (int t = 0; t < steps; t++)
        {
            for (int b = 0; b < batch; b++)
            {
                Span<float> dRow = dy.Slice((t * batch + b) * features, features);
                if (!IsValid(t, b, lengths))
                {
                    dRow.Clear();
                    continue;
                }

                ReadOnlySpan<float> yRow = y.Slice((t * batch + b) * features, features);
                ReadOnlySpan<float> tRow = target.Slice((b * steps + t) * features, features);
                int j = SquaredErrorVector(yRow, tRow, dRow, scale, ref sum);
                for (; j < features; j++)
                {
                    float diff = yRow[j] - tRow[j];
                    sum += (double)diff * diff;
                    dRow[j] = scale * diff;
                }
            }
        }

        return (float)(sum / ((double)valid * features));
    }

    /// <summary>Mean over valid positions of −log softmax(logits)[target].</summary>
    public static float SoftmaxCrossEntropy(ReadOnlySpan<float> logits, ReadOnlySpan<int> target, int steps, int batch, int classes,
        ReadOnlySpan<int> lengths, Span<float> dLogits)
    {
        int valid = CountValid(steps, batch, lengths);
        float scale = 1f / valid;
        double sum = 0;
        for (int t = 0; t < steps; t++)
        {
            for (int b = 0; b < batch; b++)
            {
                Span<float> dRow = dLogits.Slice((t * batch + b) * classes, classes);
                if (!IsValid(t, b, lengths))
                {
                    dRow.Clear();
                    continue;
                }

                int label = target[b * steps + t];
                if ((uint)label >= (uint)classes)
                {
                    throw new ArgumentOutOfRangeException(nameof(target),
                        $"target[{b}{(steps > 1 ? ", " + t : "")}] = {label} is not a class in [0, {classes}).");
                }

                ReadOnlySpan<float> row = logits.Slice((t * batch + b) * classes, classes);
                float max = float.NegativeInfinity;
                for (int j = 0; j < classes; j++)
                {
                    max = MathF.Max(max, row[j]);
                }

                double z = 0;
                for (int j = 0; j < classes; j++)
                {
                    float e = MathF.Exp(row[j] - max);
                    dRow[j] = e;
                    z += e;
                }

                sum += Math.Log(z) + max - row[label];
                float inv = (float)(1.0 / z) * scale;
                for (int j = 0; j < classes; j++)
                {
                    dRow[j] *= inv;
                }

                dRow[label] -= scale;
            }
        }

        return (float)(sum / valid);
    }

    /// <summary>
    /// The vectorised part of one row of <see cref="MeanSquaredError"/>: the same gradient per element, the squares
    /// summed in double lanes (exact products, so only the order of the additions differs); returns where the scalar tail starts.
    /// </summary>
    private static int SquaredErrorVector(ReadOnlySpan<float> yRow, ReadOnlySpan<float> tRow, Span<float> dRow, float scale, ref double sum)
    {
        int width = Vector<float>.Count;
        if (!Vector.IsHardwareAccelerated || dRow.Length < width)
        {
            return 0;
        }

        ref float y = ref MemoryMarshal.GetReference(yRow);
        ref float target = ref MemoryMarshal.GetReference(tRow);
        ref float d = ref MemoryMarshal.GetReference(dRow);
        Vector<float> factor = new(scale);
        Vector<double> low = Vector<double>.Zero, high = Vector<double>.Zero;
        int j = 0;
        for (; j <= dRow.Length - width; j += width)
        {
            nuint k = (nuint)j;
            Vector<float> diff = Vector.LoadUnsafe(ref y, k) - Vector.LoadUnsafe(ref target, k);
            (factor * diff).StoreUnsafe(ref d, k);
            Vector.Widen(diff, out Vector<double> lo, out Vector<double> hi);
            low += lo * lo;
            high += hi * hi;
        }

        sum += Vector.Sum(low + high);
        return j;
    }

    private static bool IsValid(int t, int b, ReadOnlySpan<int> lengths) => lengths.IsEmpty || t < lengths[b];

    private static int CountValid(int steps, int batch, ReadOnlySpan<int> lengths)
    {
        if (lengths.IsEmpty)
        {
            return steps * batch;
        }

        int valid = 0;
        for (int b = 0; b < batch; b++)
        {
            valid += Math.Min(lengths[b], steps);
        }

        return valid;
    }
}
