using System;

namespace RnnGen.Kernels;

/// <summary>Layout changes, biases, reductions and padding masks on [T,B,F] (time-major) activations.</summary>
public static class SequenceOps
{
    /// <summary>dst[t,b,:] = src[b,t,:] — the user's batch-first tensor into the time-major layout the steps use.</summary>
    public static void BatchToTimeMajor(ReadOnlySpan<float> src, Span<float> dst, int batch, int steps, int features)
    {
        for (int b = 0; b < batch; b++)
        {
            for (int t = 0; t < steps; t++)
            {
                src.Slice((b * steps + t) * features, features).CopyTo(dst.Slice((t * batch + b) * features, features));
            }
        }
    }

    /// <summary>dst[b,t,:] = src[t,b,:].</summary>
    public static void TimeToBatchMajor(ReadOnlySpan<float> src, Span<float> dst, int steps, int batch, int features)
    {
        for (int t = 0; t < steps; t++)
        {
            for (int b = 0; b < batch; b++)
            {
                src.Slice((t * batch + b) * features, features).CopyTo(dst.Slice((b * steps + t) * features, features));
            }
        }
    }

    /// <summary>Sets x[t,b,:] to zero wherever t ≥ lengths[b].</summary>
    public static void ZeroPaddedRows(Span<float> x, int steps, int batch, int features, ReadOnlySpan<int> lengths)
    {
        for (int t = 0; t < steps; t++)
        {
            for (int b = 0; b < batch; b++)
            {
                if (t >= lengths[b])
                {
                    x.Slice((t * batch + b) * features, features).Clear();
                }
            }
        }
    }

    /// <summary>c[r,:] = bias (every row gets the same vector).</summary>
    public static void BroadcastRows(int rows, int n, ReadOnlySpan<float> bias, Span<float> c, int ldc)
    {
        for (int r = 0; r < rows; r++)
        {
            bias.Slice(0, n).CopyTo(c.Slice(r * ldc, n));
        }
    }

    /// <summary>c[r,:] += bias1 + bias2 (the second may be empty).</summary>
    public static void AddBiasRows(int rows, int n, ReadOnlySpan<float> bias1, ReadOnlySpan<float> bias2, Span<float> c, int ldc)
    {
        for (int r = 0; r < rows; r++)
        {
            Span<float> row = c.Slice(r * ldc, n);
            for (int j = 0; j < n; j++)
            {
                row[j] += bias1[j] + (bias2.IsEmpty ? 0f : bias2[j]);
            }
        }
    }

    /// <summary>dst[j] += Σ_r src[r,j] — the bias gradient of a product over all rows.</summary>
    public static void AddColumnSums(int rows, int n, ReadOnlySpan<float> src, int ld, Span<float> dst)
    {
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> row = src.Slice(r * ld, n);
            for (int j = 0; j < n; j++)
            {
                dst[j] += row[j];
            }
        }
    }

    /// <summary>Copies the [B,H] block of each direction's state into its column range of a [B, D·H] tensor.</summary>
    public static void CopyColumns(int rows, int n, ReadOnlySpan<float> src, int lds, Span<float> dst, int ldd)
    {
        for (int r = 0; r < rows; r++)
        {
            src.Slice(r * lds, n).CopyTo(dst.Slice(r * ldd, n));
        }
    }

    /// <summary>dst[r,:] += src[r,:] on a column range (the gradient of one direction's part of a [B, D·H] tensor).</summary>
    public static void AddColumns(int rows, int n, ReadOnlySpan<float> src, int lds, Span<float> dst, int ldd)
    {
        for (int r = 0; r < rows; r++)
        {
            Add(src.Slice(r * lds, n), dst.Slice(r * ldd, n));
        }
    }

    /// <summary>dst += src elementwise.</summary>
    public static void Add(ReadOnlySpan<float> src, Span<float> dst)
    {
        for (int i = 0; i < src.Length; i++)
        {
            dst[i] += src[i];
        }
    }

    /// <summary>x *= y elementwise (dropout masks).</summary>
    public static void Multiply(Span<float> x, ReadOnlySpan<float> y)
    {
        for (int i = 0; i < x.Length; i++)
        {
            x[i] *= y[i];
        }
    }
}
