using System;
using System.ComponentModel;

namespace RnnGen.Kernels;

/// <summary>
/// Layer normalisation over the last dimension, as PyTorch's <c>F.layer_norm</c> (biased variance, ε = 1e-5):
/// y = (x − μ)/√(σ² + ε) ⊙ γ + β per row. Statistics are kept per row as (μ, 1/√(σ² + ε)) for the backward pass.
/// Generated code normalises the input projection of a layer-norm LSTM with it; the cell itself uses the row helpers.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static unsafe class LayerNormOps
{
    public const float Epsilon = 1e-5f;

    /// <summary>y[r] = LN(x[r]) for <paramref name="rows"/> rows of <paramref name="n"/> values; statistics [rows, 2].</summary>
    public static void Forward(int rows, int n, ReadOnlySpan<float> x, Span<float> y, Span<float> statistics, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias)
    {
        Require(x.Length, (long)rows * n, nameof(x));
        Require(y.Length, (long)rows * n, nameof(y));
        Require(statistics.Length, 2L * rows, nameof(statistics));
        Require(weight.Length, n, nameof(weight));
        Require(bias.Length, n, nameof(bias));
        fixed (float* px = x, py = y, ps = statistics, pw = weight, pb = bias)
        {
            for (int r = 0; r < rows; r++)
            {
                float* xr = px + ((nint)r * n);
                Statistics(xr, n, ps + (2 * r));
                Normalize(xr, n, ps[2 * r], ps[(2 * r) + 1], pw, pb, py + ((nint)r * n));
            }
        }
    }

    /// <summary>
    /// dx[r] (=) the gradient of LN at x[r] given dy[r]; dWeight += Σ dy⊙x̂, dBias += Σ dy over the rows.
    /// </summary>
    public static void Backward(int rows, int n, ReadOnlySpan<float> dy, ReadOnlySpan<float> x, ReadOnlySpan<float> statistics, ReadOnlySpan<float> weight,
        Span<float> dx, Span<float> dWeight, Span<float> dBias)
    {
        Require(dy.Length, (long)rows * n, nameof(dy));
        Require(x.Length, (long)rows * n, nameof(x));
        Require(statistics.Length, 2L * rows, nameof(statistics));
        Require(weight.Length, n, nameof(weight));
        Require(dx.Length, (long)rows * n, nameof(dx));
        Require(dWeight.Length, n, nameof(dWeight));
        Require(dBias.Length, n, nameof(dBias));
        fixed (float* pdy = dy, px = x, ps = statistics, pw = weight, pdx = dx, pdw = dWeight, pdb = dBias)
        {
            for (int r = 0; r < rows; r++)
            {
                nint at = (nint)r * n;
                Backward(pdy + at, px + at, n, ps[2 * r], ps[(2 * r) + 1], pw, pdx + at, pdw, pdb);
            }
        }
    }

    /// <summary>μ and 1/√(σ² + ε) of x[0, n) into statistics[0], statistics[1] (sums in double).</summary>
    internal static void Statistics(float* x, int n, float* statistics)
    {
        double sum = 0;
        for (int j = 0; j < n; j++)
        {
            sum += x[j];
        }

        double mean = sum / n, squares = 0;
        for (int j = 0; j < n; j++)
        {
            double d = x[j] - mean;
            squares += d * d;
        }

        statistics[0] = (float)mean;
        statistics[1] = (float)(1.0 / Math.Sqrt((squares / n) + Epsilon));
    }

    /// <summary>y = (x − μ)·r ⊙ γ + β.</summary>
    internal static void Normalize(float* x, int n, float mean, float inverse, float* weight, float* bias, float* y)
    {
        for (int j = 0; j < n; j++)
        {
            y[j] = ((x[j] - mean) * inverse * weight[j]) + bias[j];
        }
    }

    /// <summary>One row: dx = r·(g − mean(g) − x̂·mean(g⊙x̂)) with g = dy⊙γ; dWeight += dy⊙x̂, dBias += dy.</summary>
    internal static void Backward(float* dy, float* x, int n, float mean, float inverse, float* weight, float* dx, float* dWeight, float* dBias)
    {
        double sum = 0, dot = 0;
        for (int j = 0; j < n; j++)
        {
            float normalized = (x[j] - mean) * inverse;
            float g = dy[j] * weight[j];
            sum += g;
            dot += (double)g * normalized;
            dWeight[j] += dy[j] * normalized;
            dBias[j] += dy[j];
        }

        float meanG = (float)(sum / n), meanGx = (float)(dot / n);
        for (int j = 0; j < n; j++)
        {
            float normalized = (x[j] - mean) * inverse;
            dx[j] = inverse * ((dy[j] * weight[j]) - meanG - (normalized * meanGx));
        }
    }

    private static void Require(int length, long needed, string name)
    {
        if (length < needed)
        {
            throw new ArgumentException($"Span {name} has {length} elements; this layer norm needs {needed}.", name);
        }
    }
}
