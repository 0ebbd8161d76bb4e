using System;
using System.Numerics;
using System.Runtime.InteropServices;

namespace RnnGen;

/// <summary>Gradient rescaling, as torch.nn.utils.clip_grad_norm_.</summary>
public static class GradientClipping
{
    /// <summary>
    /// Computes the L2 norm of all gradients together and, when <c>maxNorm / (norm + 1e-6)</c> is below 1,
    /// scales every gradient by that factor. Returns the norm before clipping. A non-finite norm is
    /// returned as is and leaves the gradients unchanged, so the caller can skip the step.
    /// </summary>
    public static float ClipByGlobalNorm(ParameterSet gradients, float maxNorm)
    {
        ArgumentNullException.ThrowIfNull(gradients);
        if (!(maxNorm >= 0))
        {
            throw new ArgumentOutOfRangeException(nameof(maxNorm), maxNorm, "Must be >= 0.");
        }

        // Padding is zero, so the flat sum equals the sum over tensors.
        Span<float> g = gradients.WritableData;
        float norm = (float)Math.Sqrt(SumOfSquares(g));
        float coefficient = maxNorm / (norm + 1e-6f);
        if (coefficient < 1)
        {
            Scale(g, coefficient);
        }

        return norm;
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
}
