using System;
using System.ComponentModel;
using System.Runtime.CompilerServices;

namespace RnnGen.Kernels;

/// <summary>
/// Losses over time-major predictions [T,B,F] (T = 1 for per-sequence outputs) against batch-first targets,
/// each the mean over valid positions (t &lt; lengths[b]) like PyTorch's reduction='mean', and each writing
/// dL/dprediction (0 at padded positions). Every loss takes the same leading arguments, so generated code
/// calls any of them alike; the element-wise ones share one loop and differ by a rule.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class LossOps
{
    /// <summary>Mean over valid positions and features of (y − target)² (PyTorch's <c>MSELoss</c>).</summary>
    public static float MeanSquaredError(ReadOnlySpan<float> y, ReadOnlySpan<float> target, int steps, int batch, int features,
        ReadOnlySpan<int> lengths, Span<float> dy) =>
        Elementwise<SquaredError>(y, target, steps, batch, features, lengths, dy, 0f);

    /// <summary>Mean over valid positions and features of |y − target| (PyTorch's <c>L1Loss</c>; gradient 0 where equal).</summary>
    public static float MeanAbsoluteError(ReadOnlySpan<float> y, ReadOnlySpan<float> target, int steps, int batch, int features,
        ReadOnlySpan<int> lengths, Span<float> dy) =>
        Elementwise<AbsoluteError>(y, target, steps, batch, features, lengths, dy, 0f);

    /// <summary>Huber loss with threshold <paramref name="delta"/>: ½d² where |d| ≤ δ, δ(|d| − ½δ) beyond (PyTorch's <c>HuberLoss</c>).</summary>
    public static float Huber(ReadOnlySpan<float> y, ReadOnlySpan<float> target, int steps, int batch, int features,
        ReadOnlySpan<int> lengths, Span<float> dy, float delta)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(delta);
        return Elementwise<HuberRule>(y, target, steps, batch, features, lengths, dy, delta);
    }

    /// <summary>
    /// Binary cross-entropy of σ(y) against targets in [0, 1], computed from the logits y in one stable step:
    /// max(y, 0) − y·t + log(1 + e^−|y|) (PyTorch's <c>BCEWithLogitsLoss</c>); gradient σ(y) − t.
    /// </summary>
    public static float BinaryCrossEntropyWithLogits(ReadOnlySpan<float> y, ReadOnlySpan<float> target, int steps, int batch, int features,
        ReadOnlySpan<int> lengths, Span<float> dy) =>
        Elementwise<BinaryCrossEntropy>(y, target, steps, batch, features, lengths, dy, 0f);

    /// <summary>
    /// Throws unless every target at a valid position is a class in [0, classes) or <paramref name="ignoreIndex"/>;
    /// generated code calls it before anything is written.
    /// </summary>
    public static void RequireClasses(ReadOnlySpan<int> target, int steps, int batch, int classes, ReadOnlySpan<int> lengths, int ignoreIndex = -100)
    {
        for (int b = 0; b < batch; b++)
        {
            for (int t = 0; t < steps; t++)
            {
                int label = target[(b * steps) + t];
                if (IsValid(t, b, lengths) && label != ignoreIndex && (uint)label >= (uint)classes)
                {
                    throw new ArgumentOutOfRangeException(nameof(target),
                        $"target[{b}{(steps > 1 ? ", " + t : "")}] = {label} is neither a class in [0, {classes}) nor the ignore index {ignoreIndex}.");
                }
            }
        }
    }

    /// <summary>
    /// Mean over valid positions whose class is not <paramref name="ignoreIndex"/> of −log softmax(logits)[target]
    /// (PyTorch's <c>CrossEntropyLoss</c>); 0, with a zero gradient, when every position is padded or ignored.
    /// </summary>
    public static float SoftmaxCrossEntropy(ReadOnlySpan<float> logits, ReadOnlySpan<int> target, int steps, int batch, int classes,
        ReadOnlySpan<int> lengths, Span<float> dLogits, int ignoreIndex = -100)
    {
        RequireClasses(target, steps, batch, classes, lengths, ignoreIndex);
        int counted = 0;
        for (int b = 0; b < batch; b++)
        {
            for (int t = 0; t < steps; t++)
            {
                if (IsValid(t, b, lengths) && target[(b * steps) + t] != ignoreIndex)
                {
                    counted++;
                }
            }
        }

        float scale = counted == 0 ? 0f : 1f / counted;
        double sum = 0;
        for (int t = 0; t < steps; t++)
        {
            for (int b = 0; b < batch; b++)
            {
                Span<float> dRow = dLogits.Slice(((t * batch) + b) * classes, classes);
                int label = target[(b * steps) + t];
                if (!IsValid(t, b, lengths) || label == ignoreIndex)
                {
                    dRow.Clear();
                    continue;
                }

                ReadOnlySpan<float> row = logits.Slice(((t * batch) + b) * classes, classes);
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
                float inverse = (float)(1.0 / z) * scale;
                for (int j = 0; j < classes; j++)
                {
                    dRow[j] *= inverse;
                }

                dRow[label] -= scale;
            }
        }

        return counted == 0 ? 0f : (float)(sum / counted);
    }

    /// <summary>The loop every element-wise loss shares: the rule's value summed in double, its gradient scaled by 1/N.</summary>
    private static float Elementwise<TRule>(ReadOnlySpan<float> y, ReadOnlySpan<float> target, int steps, int batch, int features,
        ReadOnlySpan<int> lengths, Span<float> dy, float option)
        where TRule : struct, IElementLoss
    {
        long count = (long)CountValid(steps, batch, lengths) * features;
        float scale = 1f / count;
        double sum = 0;
        for (int t = 0; t < steps; t++)
        {
            for (int b = 0; b < batch; b++)
            {
                Span<float> dRow = dy.Slice(((t * batch) + b) * features, features);
                if (!IsValid(t, b, lengths))
                {
                    dRow.Clear();
                    continue;
                }

                ReadOnlySpan<float> yRow = y.Slice(((t * batch) + b) * features, features);
                ReadOnlySpan<float> tRow = target.Slice(((b * steps) + t) * features, features);
                for (int j = 0; j < features; j++)
                {
                    sum += TRule.Value(yRow[j], tRow[j], option, out float gradient);
                    dRow[j] = scale * gradient;
                }
            }
        }

        return (float)(sum / count);
    }

    /// <summary>One element of an element-wise loss: its value, and dValue/dy.</summary>
    private interface IElementLoss
    {
        static abstract double Value(float y, float target, float option, out float gradient);
    }

    private readonly struct SquaredError : IElementLoss
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static double Value(float y, float target, float option, out float gradient)
        {
            float d = y - target;
            gradient = 2f * d;
            return (double)d * d;
        }
    }

    private readonly struct AbsoluteError : IElementLoss
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static double Value(float y, float target, float option, out float gradient)
        {
            float d = y - target;
            gradient = MathF.Sign(d);
            return Math.Abs((double)d);
        }
    }

    private readonly struct HuberRule : IElementLoss
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static double Value(float y, float target, float delta, out float gradient)
        {
            float d = y - target;
            if (MathF.Abs(d) <= delta)
            {
                gradient = d;
                return 0.5 * d * d;
            }

            gradient = delta * MathF.Sign(d);
            return delta * (Math.Abs((double)d) - (0.5 * delta));
        }
    }

    private readonly struct BinaryCrossEntropy : IElementLoss
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static double Value(float y, float target, float option, out float gradient)
        {
            gradient = Activations.Sigmoid(y) - target;
            return Math.Max(y, 0.0) - ((double)y * target) + Math.Log(1 + Math.Exp(-Math.Abs((double)y)));
        }
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
