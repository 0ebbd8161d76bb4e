using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

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
        ReadOnlySpan<float> first = bias1.Slice(0, n);
        if (bias2.IsEmpty)
        {
            for (int r = 0; r < rows; r++)
            {
                Add(first, c.Slice(r * ldc, n));
            }

            return;
        }

        ReadOnlySpan<float> second = bias2.Slice(0, n);
        for (int r = 0; r < rows; r++)
        {
            Span<float> row = c.Slice(r * ldc, n);
            int j = AddPairVector(first, second, row);
            for (; j < n; j++)
            {
                row[j] += first[j] + second[j];
            }
        }
    }

    /// <summary>dst[j] += Σ_r src[r,j] — the bias gradient of a product over all rows.</summary>
    public static void AddColumnSums(int rows, int n, ReadOnlySpan<float> src, int ld, Span<float> dst)
    {
        Span<float> sums = dst.Slice(0, n);
        int r = 0;
        // Four rows per pass: the sums are loaded and stored once per four rows instead of once per row.
        for (; r + 4 <= rows; r += 4)
        {
            ReadOnlySpan<float> block = src.Slice(r * ld, 3 * ld + n);
            int j = AddFourRowsVector(block, ld, sums);
            for (; j < n; j++)
            {
                float s = sums[j];
                s += block[j];
                s += block[ld + j];
                s += block[2 * ld + j];
                s += block[3 * ld + j];
                sums[j] = s;
            }
        }

        for (; r < rows; r++)
        {
            Add(src.Slice(r * ld, n), sums);
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
        Span<float> target = dst.Slice(0, src.Length);
        int i = AddVector(src, target);
        for (; i < src.Length; i++)
        {
            target[i] += src[i];
        }
    }

    /// <summary>x *= y elementwise (dropout masks).</summary>
    public static void Multiply(Span<float> x, ReadOnlySpan<float> y)
    {
        ReadOnlySpan<float> factors = y.Slice(0, x.Length);
        int i = MultiplyVector(x, factors);
        for (; i < x.Length; i++)
        {
            x[i] *= factors[i];
        }
    }

    /// <summary>The vectorised part of <see cref="Add"/> (dst is as long as src); returns where the scalar tail starts.</summary>
    private static int AddVector(ReadOnlySpan<float> src, Span<float> dst)
    {
        int width = Vector<float>.Count;
        if (!Vector.IsHardwareAccelerated)
        {
            return 0;
        }

        ref float s = ref MemoryMarshal.GetReference(src);
        ref float d = ref MemoryMarshal.GetReference(dst);
        int i = 0;
        for (; i <= src.Length - width; i += width)
        {
            nuint k = (nuint)i;
            (Vector.LoadUnsafe(ref d, k) + Vector.LoadUnsafe(ref s, k)).StoreUnsafe(ref d, k);
        }

        return i;
    }

    /// <summary>The vectorised part of <see cref="Multiply"/> (y is as long as x); returns where the scalar tail starts.</summary>
    private static int MultiplyVector(Span<float> x, ReadOnlySpan<float> y)
    {
        int width = Vector<float>.Count;
        if (!Vector.IsHardwareAccelerated)
        {
            return 0;
        }

        ref float a = ref MemoryMarshal.GetReference(x);
        ref float b = ref MemoryMarshal.GetReference(y);
        int i = 0;
        for (; i <= x.Length - width; i += width)
        {
            nuint k = (nuint)i;
            (Vector.LoadUnsafe(ref a, k) * Vector.LoadUnsafe(ref b, k)).StoreUnsafe(ref a, k);
        }

        return i;
    }

    /// <summary>row += first + second (all of row's length) for the vector body; returns where the scalar tail starts.</summary>
    private static int AddPairVector(ReadOnlySpan<float> first, ReadOnlySpan<float> second, Span<float> row)
    {
        int width = Vector<float>.Count;
        if (!Vector.IsHardwareAccelerated)
        {
            return 0;
        }

        ref float b1 = ref MemoryMarshal.GetReference(first);
        ref float b2 = ref MemoryMarshal.GetReference(second);
        ref float c = ref MemoryMarshal.GetReference(row);
        int j = 0;
        for (; j <= row.Length - width; j += width)
        {
            nuint k = (nuint)j;
            (Vector.LoadUnsafe(ref c, k) + (Vector.LoadUnsafe(ref b1, k) + Vector.LoadUnsafe(ref b2, k))).StoreUnsafe(ref c, k);
        }

        return j;
    }

    /// <summary>
    /// sums += rows r..r+3 of <paramref name="block"/> (row stride <paramref name="ld"/>) for the vector body, adding the
    /// rows one after another as the row-by-row loop would, so the result is the same; returns where the scalar tail starts.
    /// </summary>
    private static int AddFourRowsVector(ReadOnlySpan<float> block, int ld, Span<float> sums)
    {
        int width = Vector<float>.Count;
        if (!Vector.IsHardwareAccelerated)
        {
            return 0;
        }

        ref float r0 = ref MemoryMarshal.GetReference(block);
        ref float r1 = ref Unsafe.Add(ref r0, ld);
        ref float r2 = ref Unsafe.Add(ref r0, 2 * ld);
        ref float r3 = ref Unsafe.Add(ref r0, 3 * ld);
        ref float d = ref MemoryMarshal.GetReference(sums);
        int j = 0;
        for (; j <= sums.Length - width; j += width)
        {
            nuint k = (nuint)j;
            Vector<float> acc = Vector.LoadUnsafe(ref d, k);
            acc += Vector.LoadUnsafe(ref r0, k);
            acc += Vector.LoadUnsafe(ref r1, k);
            acc += Vector.LoadUnsafe(ref r2, k);
            acc += Vector.LoadUnsafe(ref r3, k);
            acc.StoreUnsafe(ref d, k);
        }

        return j;
    }
}
