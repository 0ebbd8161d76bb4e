using System;
using System.Numerics;
using System.Runtime.InteropServices;

namespace RnnGen;

/// <summary>Gradient clipping, as torch.nn.utils.clip_grad_norm_ and clip_grad_value_.</summary>
public static class GradientClipping
{
    /// <summary>
    /// Computes the L2 norm of all gradients together and, when <c>maxNorm / (norm + 1e-6)</c> is below 1,
    /// scales every gradient by that factor. Returns the norm before clipping. A non-finite norm is
    /// returned as is and leaves the gradients unchanged, so the caller can skip the step (torch 1.13
    /// would scale them by NaN).
    /// </summary>
    public static float ClipByGlobalNorm(ParameterSet gradients, float maxNorm)
    {
        ArgumentNullException.ThrowIfNull(gradients);
        return ClipByGlobalNorm([gradients], maxNorm);
    }

    /// <summary>
    /// One norm over several sets, as if their tensors were one list (torch's clip_grad_norm_ over the
    /// parameters of several modules, e.g. an encoder's and a decoder's gradients), then the same
    /// scaling of every set as <see cref="ClipByGlobalNorm(ParameterSet, float)"/>. Returns the total norm
    /// before clipping; 0 for no sets.
    /// </summary>
    public static float ClipByGlobalNorm(ReadOnlySpan<ParameterSet> gradientSets, float maxNorm)
    {
        if (!(maxNorm >= 0))
        {
            throw new ArgumentOutOfRangeException(nameof(maxNorm), maxNorm, "Must be >= 0.");
        }

        for (int i = 0; i < gradientSets.Length; i++)
        {
            if (gradientSets[i] is null)
            {
                throw new ArgumentNullException(nameof(gradientSets), $"Gradient set {i} is null.");
            }

            for (int j = 0; j < i; j++)
            {
                if (ReferenceEquals(gradientSets[i], gradientSets[j]))
                {
                    throw new ArgumentException($"Gradient sets {j} and {i} are the same set; it would be counted and scaled twice.", nameof(gradientSets));
                }
            }
        }

        // Padding is zero, so the flat sums equal the sums over tensors.
        double sum = 0;
        foreach (ParameterSet set in gradientSets)
        {
            sum += SumOfSquares(set.ReadOnlyData);
        }

        float norm = (float)Math.Sqrt(sum);
        float coefficient = maxNorm / (norm + 1e-6f);
        if (coefficient < 1)
        {
            foreach (ParameterSet set in gradientSets)
            {
                Scale(set.WritableData, coefficient);
            }
        }

        return norm;
    }

    /// <summary>
    /// Clamps every gradient to <c>[-clipValue, clipValue]</c> (torch's clip_grad_value_). NaN stays NaN,
    /// as in torch's clamp.
    /// </summary>
    public static void ClipByValue(ParameterSet gradients, float clipValue)
    {
        ArgumentNullException.ThrowIfNull(gradients);
        if (!(clipValue >= 0))
        {
            throw new ArgumentOutOfRangeException(nameof(clipValue), clipValue, "Must be >= 0.");
        }

        Clamp(gradients.WritableData, clipValue);
    }

    // Accumulates in double: the norm of a million float gradients stays exact to float precision.
    private static double SumOfSquares(ReadOnlySpan<float> x)
    {
        double sum = 0;
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            ReadOnlySpan<Vector<float>> xv = MemoryMarshal.Cast<float, Vector<float>>(x);
            Vector<double> low = Vector<double>.Zero;
            Vector<double> high = Vector<double>.Zero;
            foreach (Vector<float> v in xv)
            {
                Vector.Widen(v, out Vector<double> a, out Vector<double> b);
                low += a * a;
                high += b * b;
            }

            sum = Vector.Sum(low + high);
            i = xv.Length * Vector<float>.Count;
        }

        for (; i < x.Length; i++)
        {
            sum += (double)x[i] * x[i];
        }

        return sum;
    }

    private static void Scale(Span<float> x, float factor)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            Span<Vector<float>> xv = MemoryMarshal.Cast<float, Vector<float>>(x);
            for (int k = 0; k < xv.Length; k++)
            {
                xv[k] *= factor;
            }

            i = xv.Length * Vector<float>.Count;
        }

        for (; i < x.Length; i++)
        {
            x[i] *= factor;
        }
    }

    // Written as compare-and-select, not Min/Max, so that NaN passes through on every instruction set.
    private static void Clamp(Span<float> x, float limit)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            Span<Vector<float>> xv = MemoryMarshal.Cast<float, Vector<float>>(x);
            var high = new Vector<float>(limit);
            var low = new Vector<float>(-limit);
            for (int k = 0; k < xv.Length; k++)
            {
                Vector<float> v = xv[k];
                v = Vector.ConditionalSelect(Vector.GreaterThan(v, high), high, v);
                xv[k] = Vector.ConditionalSelect(Vector.LessThan(v, low), low, v);
            }

            i = xv.Length * Vector<float>.Count;
        }

        for (; i < x.Length; i++)
        {
            float v = x[i];
            v = v > limit ? limit : v;
            x[i] = v < -limit ? -limit : v;
        }
    }
}
