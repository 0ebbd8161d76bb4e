using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace RnnGen.Kernels;

/// <summary>
/// Kernels for a few rows of A (the per-step recurrent product with a small batch): no packing, the
/// weight matrix is streamed once, each block of B rows or columns reused from L1 for every row of A.
/// </summary>
internal static unsafe class GemmSmallM
{
    /// <summary>
    /// C[m,n] (+)= A[m,k] · B[n,k]ᵀ as dot products: 4 rows of B at a time, against 4 (AVX-512), 2 or 1
    /// rows of A, each dot with its own vector accumulator.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AxBt<TOps, TV>(int m, int n, int k, float* a, nint lda, float* b, nint ldb, float* c, nint ldc, bool accumulate)
        where TOps : struct, IVecOps<TV>
        where TV : struct
    {
        int j = 0;
        for (; j + 4 <= n; j += 4)
        {
            float* bj = b + (j * ldb);
            float* cj = c + j;
            int i = 0;
            if (TOps.Count == 16)
            {
                // 32 vector registers: 16 accumulators + 4 rows of A + 1 of B.
                for (; i + 4 <= m; i += 4)
                {
                    Dot4x4<TOps, TV>(k, a + (i * lda), lda, bj, ldb, cj + (i * ldc), ldc, accumulate);
                }
            }

            for (; i + 2 <= m; i += 2)
            {
                Dot2x4<TOps, TV>(k, a + (i * lda), lda, bj, ldb, cj + (i * ldc), ldc, accumulate);
            }

            for (; i < m; i++)
            {
                Dot1x4<TOps, TV>(k, a + (i * lda), bj, ldb, cj + (i * ldc), accumulate);
            }
        }

        for (; j < n; j++)
        {
            for (int i = 0; i < m; i++)
            {
                float s = Dot<TOps, TV>(k, a + (i * lda), b + (j * ldb));
                float* cij = c + (i * ldc) + j;
                *cij = accumulate ? *cij + s : s;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Dot4x4<TOps, TV>(int k, float* a, nint lda, float* b, nint ldb, float* c, nint ldc, bool accumulate)
        where TOps : struct, IVecOps<TV>
        where TV : struct
    {
        int w = TOps.Count;
        float* a1 = a + lda, a2 = a + (2 * lda), a3 = a + (3 * lda);
        float* b1 = b + ldb, b2 = b + (2 * ldb), b3 = b + (3 * ldb);
        TV s00 = TOps.Zero, s01 = TOps.Zero, s02 = TOps.Zero, s03 = TOps.Zero;
        TV s10 = TOps.Zero, s11 = TOps.Zero, s12 = TOps.Zero, s13 = TOps.Zero;
        TV s20 = TOps.Zero, s21 = TOps.Zero, s22 = TOps.Zero, s23 = TOps.Zero;
        TV s30 = TOps.Zero, s31 = TOps.Zero, s32 = TOps.Zero, s33 = TOps.Zero;
        int p = 0;
        for (; p <= k - w; p += w)
        {
            TV x0 = TOps.Load(a + p), x1 = TOps.Load(a1 + p), x2 = TOps.Load(a2 + p), x3 = TOps.Load(a3 + p);
            TV y = TOps.Load(b + p);
            s00 = TOps.Fma(x0, y, s00);
            s10 = TOps.Fma(x1, y, s10);
            s20 = TOps.Fma(x2, y, s20);
            s30 = TOps.Fma(x3, y, s30);
            y = TOps.Load(b1 + p);
            s01 = TOps.Fma(x0, y, s01);
            s11 = TOps.Fma(x1, y, s11);
            s21 = TOps.Fma(x2, y, s21);
            s31 = TOps.Fma(x3, y, s31);
            y = TOps.Load(b2 + p);
            s02 = TOps.Fma(x0, y, s02);
            s12 = TOps.Fma(x1, y, s12);
            s22 = TOps.Fma(x2, y, s22);
            s32 = TOps.Fma(x3, y, s32);
            y = TOps.Load(b3 + p);
            s03 = TOps.Fma(x0, y, s03);
            s13 = TOps.Fma(x1, y, s13);
            s23 = TOps.Fma(x2, y, s23);
            s33 = TOps.Fma(x3, y, s33);
        }

        // Reduce every accumulator before anything that may call out, so none is live across a call
        // (all vector registers are caller-saved; the JIT would otherwise spill them inside the loop).
        Vector128<float> r0 = TOps.Sum4(s00, s01, s02, s03);
        Vector128<float> r1 = TOps.Sum4(s10, s11, s12, s13);
        Vector128<float> r2 = TOps.Sum4(s20, s21, s22, s23);
        Vector128<float> r3 = TOps.Sum4(s30, s31, s32, s33);
        Store4(r0, p, k, a, b, ldb, c, accumulate);
        Store4(r1, p, k, a1, b, ldb, c + ldc, accumulate);
        Store4(r2, p, k, a2, b, ldb, c + (2 * ldc), accumulate);
        Store4(r3, p, k, a3, b, ldb, c + (3 * ldc), accumulate);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Dot2x4<TOps, TV>(int k, float* a, nint lda, float* b, nint ldb, float* c, nint ldc, bool accumulate)
        where TOps : struct, IVecOps<TV>
        where TV : struct
    {
        int w = TOps.Count;
        float* a1 = a + lda;
        float* b1 = b + ldb, b2 = b + (2 * ldb), b3 = b + (3 * ldb);
        TV s00 = TOps.Zero, s01 = TOps.Zero, s02 = TOps.Zero, s03 = TOps.Zero;
        TV s10 = TOps.Zero, s11 = TOps.Zero, s12 = TOps.Zero, s13 = TOps.Zero;
        int p = 0;
        for (; p <= k - w; p += w)
        {
            TV x0 = TOps.Load(a + p), x1 = TOps.Load(a1 + p);
            TV y0 = TOps.Load(b + p), y1 = TOps.Load(b1 + p), y2 = TOps.Load(b2 + p), y3 = TOps.Load(b3 + p);
            s00 = TOps.Fma(x0, y0, s00);
            s01 = TOps.Fma(x0, y1, s01);
            s02 = TOps.Fma(x0, y2, s02);
            s03 = TOps.Fma(x0, y3, s03);
            s10 = TOps.Fma(x1, y0, s10);
            s11 = TOps.Fma(x1, y1, s11);
            s12 = TOps.Fma(x1, y2, s12);
            s13 = TOps.Fma(x1, y3, s13);
        }

        Vector128<float> r0 = TOps.Sum4(s00, s01, s02, s03);
        Vector128<float> r1 = TOps.Sum4(s10, s11, s12, s13);
        Store4(r0, p, k, a, b, ldb, c, accumulate);
        Store4(r1, p, k, a1, b, ldb, c + ldc, accumulate);
    }

    /// <summary>One row of A against 4 rows of B, the depth split over two accumulator sets (8 chains).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Dot1x4<TOps, TV>(int k, float* a, float* b, nint ldb, float* c, bool accumulate)
        where TOps : struct, IVecOps<TV>
        where TV : struct
    {
        int w = TOps.Count;
        float* b1 = b + ldb, b2 = b + (2 * ldb), b3 = b + (3 * ldb);
        TV s0 = TOps.Zero, s1 = TOps.Zero, s2 = TOps.Zero, s3 = TOps.Zero;
        TV t0 = TOps.Zero, t1 = TOps.Zero, t2 = TOps.Zero, t3 = TOps.Zero;
        int p = 0;
        for (; p <= k - (2 * w); p += 2 * w)
        {
            TV x = TOps.Load(a + p);
            s0 = TOps.Fma(x, TOps.Load(b + p), s0);
            s1 = TOps.Fma(x, TOps.Load(b1 + p), s1);
            s2 = TOps.Fma(x, TOps.Load(b2 + p), s2);
            s3 = TOps.Fma(x, TOps.Load(b3 + p), s3);
            x = TOps.Load(a + p + w);
            t0 = TOps.Fma(x, TOps.Load(b + p + w), t0);
            t1 = TOps.Fma(x, TOps.Load(b1 + p + w), t1);
            t2 = TOps.Fma(x, TOps.Load(b2 + p + w), t2);
            t3 = TOps.Fma(x, TOps.Load(b3 + p + w), t3);
        }

        for (; p <= k - w; p += w)
        {
            TV x = TOps.Load(a + p);
            s0 = TOps.Fma(x, TOps.Load(b + p), s0);
            s1 = TOps.Fma(x, TOps.Load(b1 + p), s1);
            s2 = TOps.Fma(x, TOps.Load(b2 + p), s2);
            s3 = TOps.Fma(x, TOps.Load(b3 + p), s3);
        }

        Store4(TOps.Sum4(TOps.Add(s0, t0), TOps.Add(s1, t1), TOps.Add(s2, t2), TOps.Add(s3, t3)), p, k, a, b, ldb, c, accumulate);
    }

    /// <summary>Stores four reduced dots (plus C when accumulating) and adds the scalar depth tail [p, k).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store4(Vector128<float> r, int p, int k, float* a, float* b, nint ldb, float* c, bool accumulate)
    {
        if (accumulate)
        {
            r += Vector128.Load(c);
        }

        r.Store(c);
        if (p < k)
        {
            AddTail4(p, k, a, b, ldb, c);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void AddTail4(int p, int k, float* a, float* b, nint ldb, float* c)
    {
        c[0] += ScalarDot(a, b, p, k);
        c[1] += ScalarDot(a, b + ldb, p, k);
        c[2] += ScalarDot(a, b + (2 * ldb), p, k);
        c[3] += ScalarDot(a, b + (3 * ldb), p, k);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float Dot<TOps, TV>(int k, float* a, float* b)
        where TOps : struct, IVecOps<TV>
        where TV : struct
    {
        int w = TOps.Count;
        TV s = TOps.Zero, t = TOps.Zero;
        int p = 0;
        for (; p <= k - (2 * w); p += 2 * w)
        {
            s = TOps.Fma(TOps.Load(a + p), TOps.Load(b + p), s);
            t = TOps.Fma(TOps.Load(a + p + w), TOps.Load(b + p + w), t);
        }

        for (; p <= k - w; p += w)
        {
            s = TOps.Fma(TOps.Load(a + p), TOps.Load(b + p), s);
        }

        return TOps.Sum(TOps.Add(s, t)) + ScalarDot(a, b, p, k);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float ScalarDot(float* a, float* b, int from, int to)
    {
        float s = 0f;
        for (int p = from; p < to; p++)
        {
            s += a[p] * b[p];
        }

        return s;
    }

    /// <summary>
    /// C[m,n] (+)= A[m,k] · B[k,n] for a few rows: columns in blocks of 2 vectors, rows of A 4 (or 1) at a
    /// time, each B row segment loaded once per block of rows. A column tail narrower than 2 vectors is
    /// copied, zero-padded, into a scratch panel and run through the same kernels.
    /// </summary>
    [SkipLocalsInit]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AxB<TOps, TV>(int m, int n, int k, float* a, nint lda, float* b, nint ldb, float* c, nint ldc, bool accumulate)
        where TOps : struct, IVecOps<TV>
        where TV : struct
    {
        int nr = 2 * TOps.Count;
        int full = n - (n % nr);
        AxBColumns<TOps, TV>(m, full, k, a, lda, b, ldb, c, ldc, accumulate);
        int rest = n - full;
        if (rest == 0)
        {
            return;
        }

        float* panel = GemmScratch.Tail(k * nr);
        for (int p = 0; p < k; p++)
        {
            var d = new Span<float>(panel + ((nint)p * nr), nr);
            new ReadOnlySpan<float>(b + (p * ldb) + full, rest).CopyTo(d);
            d.Slice(rest).Clear();
        }

        float* tile = stackalloc float[4 * 32];
        for (int i = 0; i < m; i += 4)
        {
            int rows = Math.Min(4, m - i);
            AxBColumns<TOps, TV>(rows, nr, k, a + (i * lda), lda, panel, nr, tile, nr, false);
            for (int r = 0; r < rows; r++)
            {
                float* dst = c + ((i + r) * ldc) + full;
                float* src = tile + (r * nr);
                for (int j = 0; j < rest; j++)
                {
                    dst[j] = accumulate ? dst[j] + src[j] : src[j];
                }
            }
        }
    }

    /// <summary>AxB over <paramref name="n"/> columns, a multiple of 2 vectors.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AxBColumns<TOps, TV>(int m, int n, int k, float* a, nint lda, float* b, nint ldb, float* c, nint ldc, bool accumulate)
        where TOps : struct, IVecOps<TV>
        where TV : struct
    {
        int nr = 2 * TOps.Count;
        for (int j = 0; j < n; j += nr)
        {
            int i = 0;
            for (; i + 4 <= m; i += 4)
            {
                Axpy4x2<TOps, TV>(k, a + (i * lda), lda, b + j, ldb, c + (i * ldc) + j, ldc, accumulate);
            }

            for (; i < m; i++)
            {
                Axpy1x2<TOps, TV>(k, a + (i * lda), b + j, ldb, c + (i * ldc) + j, accumulate);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Axpy4x2<TOps, TV>(int k, float* a, nint lda, float* b, nint ldb, float* c, nint ldc, bool accumulate)
        where TOps : struct, IVecOps<TV>
        where TV : struct
    {
        int w = TOps.Count;
        float* a1 = a + lda, a2 = a + (2 * lda), a3 = a + (3 * lda);
        TV s00 = TOps.Zero, s01 = TOps.Zero, s10 = TOps.Zero, s11 = TOps.Zero;
        TV s20 = TOps.Zero, s21 = TOps.Zero, s30 = TOps.Zero, s31 = TOps.Zero;
        for (int p = 0; p < k; p++)
        {
            TV y0 = TOps.Load(b), y1 = TOps.Load(b + w);
            TV x = TOps.Broadcast(a[p]);
            s00 = TOps.Fma(x, y0, s00);
            s01 = TOps.Fma(x, y1, s01);
            x = TOps.Broadcast(a1[p]);
            s10 = TOps.Fma(x, y0, s10);
            s11 = TOps.Fma(x, y1, s11);
            x = TOps.Broadcast(a2[p]);
            s20 = TOps.Fma(x, y0, s20);
            s21 = TOps.Fma(x, y1, s21);
            x = TOps.Broadcast(a3[p]);
            s30 = TOps.Fma(x, y0, s30);
            s31 = TOps.Fma(x, y1, s31);
            b += ldb;
        }

        StorePair<TOps, TV>(c, w, s00, s01, accumulate);
        StorePair<TOps, TV>(c + ldc, w, s10, s11, accumulate);
        StorePair<TOps, TV>(c + (2 * ldc), w, s20, s21, accumulate);
        StorePair<TOps, TV>(c + (3 * ldc), w, s30, s31, accumulate);
    }

    /// <summary>One row: the depth split over two accumulator pairs so four chains are in flight.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Axpy1x2<TOps, TV>(int k, float* a, float* b, nint ldb, float* c, bool accumulate)
        where TOps : struct, IVecOps<TV>
        where TV : struct
    {
        int w = TOps.Count;
        TV s0 = TOps.Zero, s1 = TOps.Zero, t0 = TOps.Zero, t1 = TOps.Zero;
        int p = 0;
        for (; p + 2 <= k; p += 2)
        {
            TV x = TOps.Broadcast(a[p]);
            s0 = TOps.Fma(x, TOps.Load(b), s0);
            s1 = TOps.Fma(x, TOps.Load(b + w), s1);
            x = TOps.Broadcast(a[p + 1]);
            t0 = TOps.Fma(x, TOps.Load(b + ldb), t0);
            t1 = TOps.Fma(x, TOps.Load(b + ldb + w), t1);
            b += 2 * ldb;
        }

        if (p < k)
        {
            TV x = TOps.Broadcast(a[p]);
            s0 = TOps.Fma(x, TOps.Load(b), s0);
            s1 = TOps.Fma(x, TOps.Load(b + w), s1);
        }

        StorePair<TOps, TV>(c, w, TOps.Add(s0, t0), TOps.Add(s1, t1), accumulate);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StorePair<TOps, TV>(float* c, int w, TV v0, TV v1, bool accumulate)
        where TOps : struct, IVecOps<TV>
        where TV : struct
    {
        if (accumulate)
        {
            v0 = TOps.Add(v0, TOps.Load(c));
            v1 = TOps.Add(v1, TOps.Load(c + w));
        }

        TOps.Store(c, v0);
        TOps.Store(c + w, v1);
    }
}
