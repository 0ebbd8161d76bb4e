using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace RnnGen.Kernels;

/// <summary>
/// Cache-blocked GEMM (the BLIS/GotoBLAS loop nest): B is packed into NR-wide column panels per
/// (NC, KC) block, A into MR-tall row panels per (MC, KC) block, and a register-blocked MR × NR
/// micro-kernel (MR = 6 rows, NR = 2 vectors: 6×32 floats on AVX-512, 6×16 on AVX2, 6×8 portable;
/// 12 independent accumulators) runs over the packed panels. Edge panels are zero-padded when packed;
/// edge tiles go through a small stack tile.
/// </summary>
internal static unsafe class GemmBlocked
{
    /// <summary>Rows per micro-tile.</summary>
    public const int MR = 6;

    /// <summary>Depth per packed block: a KC × NR panel of B stays in L1.</summary>
    public const int KC = 256;

    /// <summary>Rows of A per packed block (a multiple of MR): MC × KC floats stay in L2.</summary>
    public const int MC = 144;

    /// <summary>Columns of B per packed block (a multiple of every NR): KC × NC floats (1 MB) stay in L2/L3.</summary>
    public const int NC = 1024;

    /// <summary>
    /// C[m,n] (+)= op(A) · op(B) for m, n, k &gt; 0. A element (i,p) is at <c>a[i*lda+p]</c>, or at
    /// <c>a[p*lda+i]</c> when <paramref name="aTransposed"/>. B element (p,j) is at <c>b[p*ldb+j]</c>,
    /// or at <c>b[j*ldb+p]</c> when <paramref name="bTransposed"/>.
    /// </summary>
    public static void Run<TOps, TV>(int m, int n, int k, float* a, nint lda, bool aTransposed, float* b, nint ldb, bool bTransposed, float* c, nint ldc, bool accumulate)
        where TOps : struct, IVecOps<TV>
        where TV : struct
    {
        int nr = 2 * TOps.Count;
        int kBlocks = (k + KC - 1) / KC;
        int kcMax = (k + kBlocks - 1) / kBlocks; // balanced depth blocks
        int ncMax = Math.Min(NC, RoundUp(n, nr));
        int mcMax = Math.Min(MC, RoundUp(m, MR));
        float* pb = GemmScratch.PackB(kcMax * ncMax);
        float* pa = GemmScratch.PackA(kcMax * mcMax);

        for (int jc = 0; jc < n; jc += NC)
        {
            int nc = Math.Min(NC, n - jc);
            for (int pc = 0; pc < k; pc += kcMax)
            {
                int kc = Math.Min(kcMax, k - pc);
                if (bTransposed)
                {
                    PackBTransposed(b + (jc * ldb) + pc, ldb, nc, kc, nr, pb);
                }
                else
                {
                    PackB(b + (pc * ldb) + jc, ldb, nc, kc, nr, pb);
                }

                bool acc = accumulate || pc > 0;
                for (int ic = 0; ic < m; ic += MC)
                {
                    int mc = Math.Min(MC, m - ic);
                    if (aTransposed)
                    {
                        PackATransposed(a + (pc * lda) + ic, lda, mc, kc, pa);
                    }
                    else
                    {
                        PackA(a + (ic * lda) + pc, lda, mc, kc, pa);
                    }

                    Macro<TOps, TV>(mc, nc, kc, pa, pb, c + (ic * ldc) + jc, ldc, acc);
                }
            }
        }
    }

    /// <summary>Depth of each packed block for depth k: k cut into equal blocks of at most <see cref="KC"/>.</summary>
    public static int DepthBlock(int k)
    {
        int kBlocks = (k + KC - 1) / KC;
        return (k + kBlocks - 1) / kBlocks;
    }

    /// <summary>
    /// C[m, from..to) (+)= A[m,k] · B[k, from..to) with B already packed (<see cref="PackedMatrix"/>: for each depth
    /// block, all of B's NR-column panels; <paramref name="from"/> is a multiple of NR). Sums each element in the
    /// same order as <see cref="Run{TOps, TV}"/>, so the two agree bit for bit.
    /// </summary>
    public static void RunPacked<TOps, TV>(int m, int k, float* a, nint lda, PackedMatrix b, int from, int to, float* c, nint ldc, bool accumulate)
        where TOps : struct, IVecOps<TV>
        where TV : struct
    {
        if (b.PanelWidth != 2 * TOps.Count)
        {
            throw new ArgumentException($"The PackedMatrix has panels of {b.PanelWidth} columns; this kernel reads {2 * TOps.Count}.", nameof(b));
        }

        int kcMax = DepthBlock(k);
        int mcMax = Math.Min(MC, RoundUp(m, MR));
        float* pa = GemmScratch.PackA(kcMax * mcMax);
        int panelColumns = b.PaddedColumns;
        for (int pc = 0; pc < k; pc += kcMax)
        {
            int kc = Math.Min(kcMax, k - pc);
            float* pb = b.Data + ((nint)pc * panelColumns) + ((nint)from * kc);
            bool acc = accumulate || pc > 0;
            for (int ic = 0; ic < m; ic += MC)
            {
                int mc = Math.Min(MC, m - ic);
                PackA(a + (ic * lda) + pc, lda, mc, kc, pa);
                Macro<TOps, TV>(mc, to - from, kc, pa, pb, c + (ic * ldc) + from, ldc, acc);
            }
        }
    }

    /// <summary>Packs all of B (k × n, element (p,j) at b[p·ldb+j], or b[j·ldb+p] when transposed) block by depth block into <paramref name="dst"/>.</summary>
    public static void PackAll(float* b, nint ldb, bool transposed, int k, int n, int nr, float* dst)
    {
        int kcMax = DepthBlock(k);
        int padded = RoundUp(n, nr);
        for (int pc = 0; pc < k; pc += kcMax)
        {
            int kc = Math.Min(kcMax, k - pc);
            float* block = dst + ((nint)pc * padded);
            for (int jc = 0; jc < n; jc += NC)
            {
                int nc = Math.Min(NC, n - jc);
                if (transposed)
                {
                    PackBTransposed(b + (jc * ldb) + pc, ldb, nc, kc, nr, block + ((nint)jc * kc));
                }
                else
                {
                    PackB(b + (pc * ldb) + jc, ldb, nc, kc, nr, block + ((nint)jc * kc));
                }
            }
        }
    }

    [SkipLocalsInit]
    private static void Macro<TOps, TV>(int mc, int nc, int kc, float* pa, float* pb, float* c, nint ldc, bool accumulate)
        where TOps : struct, IVecOps<TV>
        where TV : struct
    {
        int nr = 2 * TOps.Count;
        float* tile = stackalloc float[MR * 32];
        for (int jr = 0; jr < nc; jr += nr)
        {
            int nrr = Math.Min(nr, nc - jr);
            float* bp = pb + ((nint)jr * kc);
            for (int ir = 0; ir < mc; ir += MR)
            {
                int mrr = Math.Min(MR, mc - ir);
                float* ap = pa + ((nint)ir * kc);
                float* cp = c + (ir * ldc) + jr;
                if (mrr == MR && nrr == nr)
                {
                    MicroKernel<TOps, TV>(kc, ap, bp, cp, ldc, accumulate);
                }
                else
                {
                    MicroKernel<TOps, TV>(kc, ap, bp, tile, nr, false);
                    StoreTile(tile, nr, cp, ldc, mrr, nrr, accumulate);
                }
            }
        }
    }

    /// <summary>6 × (2 vectors) register tile over a packed A panel (6 floats per step) and a packed B panel (2 vectors per step).</summary>
    private static void MicroKernel<TOps, TV>(int kc, float* pa, float* pb, float* c, nint ldc, bool accumulate)
        where TOps : struct, IVecOps<TV>
        where TV : struct
    {
        int w = TOps.Count;
        TV c00 = TOps.Zero, c01 = TOps.Zero, c10 = TOps.Zero, c11 = TOps.Zero, c20 = TOps.Zero, c21 = TOps.Zero;
        TV c30 = TOps.Zero, c31 = TOps.Zero, c40 = TOps.Zero, c41 = TOps.Zero, c50 = TOps.Zero, c51 = TOps.Zero;
        for (int p = 0; p < kc; p++)
        {
            TV b0 = TOps.Load(pb);
            TV b1 = TOps.Load(pb + w);
            TV x = TOps.Broadcast(pa[0]);
            c00 = TOps.Fma(x, b0, c00);
            c01 = TOps.Fma(x, b1, c01);
            x = TOps.Broadcast(pa[1]);
            c10 = TOps.Fma(x, b0, c10);
            c11 = TOps.Fma(x, b1, c11);
            x = TOps.Broadcast(pa[2]);
            c20 = TOps.Fma(x, b0, c20);
            c21 = TOps.Fma(x, b1, c21);
            x = TOps.Broadcast(pa[3]);
            c30 = TOps.Fma(x, b0, c30);
            c31 = TOps.Fma(x, b1, c31);
            x = TOps.Broadcast(pa[4]);
            c40 = TOps.Fma(x, b0, c40);
            c41 = TOps.Fma(x, b1, c41);
            x = TOps.Broadcast(pa[5]);
            c50 = TOps.Fma(x, b0, c50);
            c51 = TOps.Fma(x, b1, c51);
            pa += MR;
            pb += 2 * w;
        }

        StoreRow<TOps, TV>(c, w, c00, c01, accumulate);
        StoreRow<TOps, TV>(c + ldc, w, c10, c11, accumulate);
        StoreRow<TOps, TV>(c + (2 * ldc), w, c20, c21, accumulate);
        StoreRow<TOps, TV>(c + (3 * ldc), w, c30, c31, accumulate);
        StoreRow<TOps, TV>(c + (4 * ldc), w, c40, c41, accumulate);
        StoreRow<TOps, TV>(c + (5 * ldc), w, c50, c51, accumulate);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow<TOps, TV>(float* c, int w, TV v0, TV v1, bool accumulate)
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

    private static void StoreTile(float* tile, int ldt, float* c, nint ldc, int rows, int cols, bool accumulate)
    {
        for (int r = 0; r < rows; r++)
        {
            float* src = tile + (r * ldt);
            float* dst = c + (r * ldc);
            if (accumulate)
            {
                for (int j = 0; j < cols; j++)
                {
                    dst[j] += src[j];
                }
            }
            else
            {
                new ReadOnlySpan<float>(src, cols).CopyTo(new Span<float>(dst, cols));
            }
        }
    }

    /// <summary>Packs A[0..mc, 0..kc] (row i at a + i·lda) into MR-row panels: panel[p·MR + r].</summary>
    private static void PackA(float* a, nint lda, int mc, int kc, float* dst)
    {
        for (int ir = 0; ir < mc; ir += MR)
        {
            int rows = Math.Min(MR, mc - ir);
            float* panel = dst + ((nint)ir * kc);
            for (int r = 0; r < rows; r++)
            {
                float* src = a + ((ir + r) * lda);
                float* d = panel + r;
                for (int p = 0; p < kc; p++)
                {
                    d[p * MR] = src[p];
                }
            }

            for (int r = rows; r < MR; r++)
            {
                for (int p = 0; p < kc; p++)
                {
                    panel[(p * MR) + r] = 0f;
                }
            }
        }
    }

    /// <summary>Packs A[0..mc, 0..kc] stored transposed (element (i,p) at a + p·lda + i) into MR-row panels.</summary>
    private static void PackATransposed(float* a, nint lda, int mc, int kc, float* dst)
    {
        for (int ir = 0; ir < mc; ir += MR)
        {
            int rows = Math.Min(MR, mc - ir);
            float* panel = dst + ((nint)ir * kc);
            for (int p = 0; p < kc; p++)
            {
                float* src = a + (p * lda) + ir;
                float* d = panel + (p * MR);
                int r = 0;
                for (; r < rows; r++)
                {
                    d[r] = src[r];
                }

                for (; r < MR; r++)
                {
                    d[r] = 0f;
                }
            }
        }
    }

    /// <summary>Packs B[0..kc, 0..nc] (row p at b + p·ldb) into NR-column panels: panel[p·NR + j].</summary>
    private static void PackB(float* b, nint ldb, int nc, int kc, int nr, float* dst)
    {
        for (int jr = 0; jr < nc; jr += nr)
        {
            int cols = Math.Min(nr, nc - jr);
            float* panel = dst + ((nint)jr * kc);
            for (int p = 0; p < kc; p++)
            {
                var d = new Span<float>(panel + (p * nr), nr);
                new ReadOnlySpan<float>(b + (p * ldb) + jr, cols).CopyTo(d);
                if (cols < nr)
                {
                    d.Slice(cols).Clear();
                }
            }
        }
    }

    /// <summary>Packs B[0..kc, 0..nc] stored as rows of the transpose (element (p,j) at b + j·ldb + p) into NR-column panels.</summary>
    /// <remarks>
    /// A transpose: 8 (AVX) or 4 (SSE) rows of the stored matrix at a time are read as vectors and transposed in
    /// registers into 8 or 4 consecutive columns of the panel; leftover rows and the depth tail go element by element.
    /// </remarks>
    private static void PackBTransposed(float* b, nint ldb, int nc, int kc, int nr, float* dst) =>
        PackBTransposed(b, ldb, nc, kc, nr, dst, Avx.IsSupported ? 8 : Sse.IsSupported ? 4 : 1);

    /// <summary>
    /// <see cref="PackBTransposed(float*, nint, int, int, int, float*)"/> with the register transpose chosen by the caller:
    /// <paramref name="registerRows"/> 8 (AVX), 4 (SSE) or 1 (element by element), so tests run every path on one machine.
    /// </summary>
    internal static void PackBTransposed(float* b, nint ldb, int nc, int kc, int nr, float* dst, int registerRows)
    {
        for (int jr = 0; jr < nc; jr += nr)
        {
            int cols = Math.Min(nr, nc - jr);
            float* panel = dst + ((nint)jr * kc);
            int j = 0;
            if (registerRows == 8)
            {
                for (; j + 8 <= cols; j += 8)
                {
                    TransposeRows8(b + ((jr + j) * ldb), ldb, kc, panel + j, nr);
                }
            }
            else if (registerRows == 4)
            {
                for (; j + 4 <= cols; j += 4)
                {
                    TransposeRows4(b + ((jr + j) * ldb), ldb, kc, panel + j, nr);
                }
            }

            for (; j < cols; j++)
            {
                float* src = b + ((jr + j) * ldb);
                float* d = panel + j;
                for (int p = 0; p < kc; p++)
                {
                    d[p * nr] = src[p];
                }
            }

            for (; j < nr; j++)
            {
                for (int p = 0; p < kc; p++)
                {
                    panel[(p * nr) + j] = 0f;
                }
            }
        }
    }

    /// <summary>Rows 0..7 of src (kc floats each, ldb apart) become columns 0..7 of dst (kc rows, nr apart).</summary>
    private static void TransposeRows8(float* src, nint ldb, int kc, float* dst, int nr)
    {
        int p = 0;
        for (; p + 8 <= kc; p += 8)
        {
            Transpose.Block8x8(src + p, ldb, dst + (p * nr), nr);
        }

        for (; p < kc; p++)
        {
            float* d = dst + (p * nr);
            for (int r = 0; r < 8; r++)
            {
                d[r] = src[(r * ldb) + p];
            }
        }
    }

    /// <summary>Rows 0..3 of src become columns 0..3 of dst (the SSE form of <see cref="TransposeRows8"/>).</summary>
    private static void TransposeRows4(float* src, nint ldb, int kc, float* dst, int nr)
    {
        float* s0 = src, s1 = src + ldb, s2 = src + (2 * ldb), s3 = src + (3 * ldb);
        int p = 0;
        for (; p + 4 <= kc; p += 4)
        {
            Vector128<float> r0 = Sse.LoadVector128(s0 + p), r1 = Sse.LoadVector128(s1 + p);
            Vector128<float> r2 = Sse.LoadVector128(s2 + p), r3 = Sse.LoadVector128(s3 + p);
            Vector128<float> ab0 = Sse.UnpackLow(r0, r1);  // a0 b0 a1 b1
            Vector128<float> ab1 = Sse.UnpackHigh(r0, r1); // a2 b2 a3 b3
            Vector128<float> cd0 = Sse.UnpackLow(r2, r3);
            Vector128<float> cd1 = Sse.UnpackHigh(r2, r3);
            float* d = dst + (p * nr);
            Sse.Store(d, Sse.MoveLowToHigh(ab0, cd0));             // a0 b0 c0 d0
            Sse.Store(d + nr, Sse.MoveHighToLow(cd0, ab0));        // a1 b1 c1 d1
            Sse.Store(d + (2 * nr), Sse.MoveLowToHigh(ab1, cd1));
            Sse.Store(d + (3 * nr), Sse.MoveHighToLow(cd1, ab1));
        }

        for (; p < kc; p++)
        {
            float* d = dst + (p * nr);
            d[0] = s0[p];
            d[1] = s1[p];
            d[2] = s2[p];
            d[3] = s3[p];
        }
    }

    private static int RoundUp(int x, int multiple) => (x + multiple - 1) / multiple * multiple;
}
