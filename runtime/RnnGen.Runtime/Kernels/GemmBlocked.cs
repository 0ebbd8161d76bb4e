using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;
using System.Runtime.Intrinsics;

namespace RnnGen.Kernels;

/// <summary>
/// Cache-blocked GEMM (the BLIS/GotoBLAS loop nest): B is packed into NR-wide column panels per
/// (NC, KC) block, A into MR-tall row panels per (MC, KC) block, and a register-blocked MR × NR
/// micro-kernel (MR = 6 rows, NR = 2 vectors: 6×32 floats on AVX-512, 6×16 on AVX2, 6×8 portable;
/// 12 independent accumulators) runs over the packed panels. Edge panels are zero-padded when packed;
/// edge tiles go through a small stack tile.
/// </summary>
/// <remarks>
/// The kernels are <see cref="MethodImplOptions.AggressiveOptimization"/>: compiled fully optimized at their first
/// call, never as tier-0 code, where every vector operation would be a call (a model's first calls ran several
/// times slower until tiering caught up).
/// </remarks>
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

    /// <summary>Floats a packed-A buffer needs past its end: the vectorized packing stores 8 floats where the last panel row has 6.</summary>
    private const int PackASlack = 8;

    /// <summary>
    /// C[m,n] (+)= op(A) · op(B) for m, n, k &gt; 0. A element (i,p) is at <c>a[i*lda+p]</c>, or at
    /// <c>a[p*lda+i]</c> when <paramref name="aTransposed"/>. B element (p,j) is at <c>b[p*ldb+j]</c>,
    /// or at <c>b[j*ldb+p]</c> when <paramref name="bTransposed"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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
    /// <remarks>
    /// Fewer than <see cref="MR"/> rows (a step of a small batch) go through <see cref="FewRows{TOps, TV}"/>, which reads A
    /// in place and computes only the rows there are, in the same order per element; more are packed, and their last
    /// m mod MR rows run with each panel of B while it is in L1 (<see cref="Macro{TOps, TV}"/>), so B streams once.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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
        float* pa = m >= MR ? GemmScratch.PackA((kcMax * mcMax) + PackASlack) : null;
        int panelColumns = b.PaddedColumns;
        for (int pc = 0; pc < k; pc += kcMax)
        {
            int kc = Math.Min(kcMax, k - pc);
            float* pb = b.Data + ((nint)pc * panelColumns) + ((nint)from * kc);
            bool acc = accumulate || pc > 0;
            if (m < MR)
            {
                FewRows<TOps, TV>(m, to - from, kc, a + pc, lda, pb, c + from, ldc, acc);
                continue;
            }

            for (int ic = 0; ic < m; ic += MC)
            {
                int mc = Math.Min(MC, m - ic);
                PackA(a + (ic * lda) + pc, lda, mc, kc, pa);
                Macro<TOps, TV>(mc, to - from, kc, pa, pb, c + (ic * ldc) + from, ldc, acc);
            }
        }
    }

    /// <summary>
    /// C[rows, 0..nc) (+)= A[rows, 0..kc) · (a packed depth block of B) for 1 ≤ rows &lt; <see cref="MR"/>, A read in place.
    /// Each element is one FMA chain over p from zero, then added to C: the micro-kernel's order, so a row's result
    /// does not depend on how many rows the product has. One row takes four panels at a time and two rows two,
    /// so that eight independent chains hide the FMA latency.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void FewRows<TOps, TV>(int rows, int nc, int kc, float* a, nint lda, float* pb, float* c, nint ldc, bool accumulate)
        where TOps : struct, IVecOps<TV>
        where TV : struct
    {
        int nr = 2 * TOps.Count;
        nint panel = (nint)nr * kc;
        int fullColumns = nc / nr * nr;
        int jr = 0;
        if (rows == 1)
        {
            for (; jr + (4 * nr) <= fullColumns; jr += 4 * nr)
            {
                OneRowFourPanels<TOps, TV>(kc, a, pb + ((nint)jr * kc), panel, c + jr, accumulate);
            }
        }
        else if (rows == 2)
        {
            for (; jr + (2 * nr) <= fullColumns; jr += 2 * nr)
            {
                TwoRowsTwoPanels<TOps, TV>(kc, a, lda, pb + ((nint)jr * kc), panel, c + jr, ldc, accumulate);
            }
        }

        for (; jr < fullColumns; jr += nr)
        {
            RowsOnePanel<TOps, TV>(rows, kc, a, lda, 1, pb + ((nint)jr * kc), c + jr, ldc, accumulate);
        }

        if (jr < nc)
        {
            FewRowsEdge<TOps, TV>(rows, nc - jr, kc, a, lda, pb + ((nint)jr * kc), c + jr, ldc, accumulate);
        }
    }

    /// <summary>The last, zero-padded panel of <see cref="FewRows{TOps, TV}"/>: through a tile, then only the columns there are.</summary>
    [SkipLocalsInit]
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void FewRowsEdge<TOps, TV>(int rows, int cols, int kc, float* a, nint lda, float* pb, float* c, nint ldc, bool accumulate)
        where TOps : struct, IVecOps<TV>
        where TV : struct
    {
        int nr = 2 * TOps.Count;
        float* tile = stackalloc float[MR * 32];
        RowsOnePanel<TOps, TV>(rows, kc, a, lda, 1, pb, tile, nr, false);
        StoreTile(tile, nr, c, ldc, rows, cols, accumulate);
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void OneRowFourPanels<TOps, TV>(int kc, float* a, float* pb, nint panel, float* c, bool accumulate)
        where TOps : struct, IVecOps<TV>
        where TV : struct
    {
        int w = TOps.Count;
        float* p1 = pb + panel, p2 = pb + (2 * panel), p3 = pb + (3 * panel);
        TV c00 = TOps.Zero, c01 = TOps.Zero, c10 = TOps.Zero, c11 = TOps.Zero, c20 = TOps.Zero, c21 = TOps.Zero, c30 = TOps.Zero, c31 = TOps.Zero;
        for (nint p = 0; p < kc; p++)
        {
            TV x = TOps.Broadcast(a[p]);
            nint o = p * 2 * w;
            c00 = TOps.Fma(x, TOps.Load(pb + o), c00);
            c01 = TOps.Fma(x, TOps.Load(pb + o + w), c01);
            c10 = TOps.Fma(x, TOps.Load(p1 + o), c10);
            c11 = TOps.Fma(x, TOps.Load(p1 + o + w), c11);
            c20 = TOps.Fma(x, TOps.Load(p2 + o), c20);
            c21 = TOps.Fma(x, TOps.Load(p2 + o + w), c21);
            c30 = TOps.Fma(x, TOps.Load(p3 + o), c30);
            c31 = TOps.Fma(x, TOps.Load(p3 + o + w), c31);
        }

        StoreRow<TOps, TV>(c, w, c00, c01, accumulate);
        StoreRow<TOps, TV>(c + (2 * w), w, c10, c11, accumulate);
        StoreRow<TOps, TV>(c + (4 * w), w, c20, c21, accumulate);
        StoreRow<TOps, TV>(c + (6 * w), w, c30, c31, accumulate);
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void TwoRowsTwoPanels<TOps, TV>(int kc, float* a, nint lda, float* pb, nint panel, float* c, nint ldc, bool accumulate)
        where TOps : struct, IVecOps<TV>
        where TV : struct
    {
        int w = TOps.Count;
        float* a1 = a + lda, p1 = pb + panel;
        TV c00 = TOps.Zero, c01 = TOps.Zero, c02 = TOps.Zero, c03 = TOps.Zero, c10 = TOps.Zero, c11 = TOps.Zero, c12 = TOps.Zero, c13 = TOps.Zero;
        for (nint p = 0; p < kc; p++)
        {
            TV x0 = TOps.Broadcast(a[p]), x1 = TOps.Broadcast(a1[p]);
            nint o = p * 2 * w;
            TV b0 = TOps.Load(pb + o), b1 = TOps.Load(pb + o + w), b2 = TOps.Load(p1 + o), b3 = TOps.Load(p1 + o + w);
            c00 = TOps.Fma(x0, b0, c00);
            c01 = TOps.Fma(x0, b1, c01);
            c02 = TOps.Fma(x0, b2, c02);
            c03 = TOps.Fma(x0, b3, c03);
            c10 = TOps.Fma(x1, b0, c10);
            c11 = TOps.Fma(x1, b1, c11);
            c12 = TOps.Fma(x1, b2, c12);
            c13 = TOps.Fma(x1, b3, c13);
        }

        StoreRow<TOps, TV>(c, w, c00, c01, accumulate);
        StoreRow<TOps, TV>(c + (2 * w), w, c02, c03, accumulate);
        StoreRow<TOps, TV>(c + ldc, w, c10, c11, accumulate);
        StoreRow<TOps, TV>(c + ldc + (2 * w), w, c12, c13, accumulate);
    }

    /// <summary>
    /// 1 to 5 rows × one panel (two vectors), A(r, p) at a[r·<paramref name="rowStride"/> + p·<paramref name="depthStride"/>]
    /// (in place: lda and 1; a packed panel: 1 and MR); rows past <paramref name="rows"/> are neither read nor written.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RowsOnePanel<TOps, TV>(int rows, int kc, float* a, nint rowStride, nint depthStride, float* pb, float* c, nint ldc, bool accumulate)
        where TOps : struct, IVecOps<TV>
        where TV : struct
    {
        switch (rows)
        {
            case 1:
                RowsOnePanel<TOps, TV, Rows1>(kc, a, rowStride, depthStride, pb, c, ldc, accumulate);
                break;
            case 2:
                RowsOnePanel<TOps, TV, Rows2>(kc, a, rowStride, depthStride, pb, c, ldc, accumulate);
                break;
            case 3:
                RowsOnePanel<TOps, TV, Rows3>(kc, a, rowStride, depthStride, pb, c, ldc, accumulate);
                break;
            case 4:
                RowsOnePanel<TOps, TV, Rows4>(kc, a, rowStride, depthStride, pb, c, ldc, accumulate);
                break;
            default:
                RowsOnePanel<TOps, TV, Rows5>(kc, a, rowStride, depthStride, pb, c, ldc, accumulate);
                break;
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void RowsOnePanel<TOps, TV, TRows>(int kc, float* a, nint rowStride, nint depthStride, float* pb, float* c, nint ldc, bool accumulate)
        where TOps : struct, IVecOps<TV>
        where TV : struct
        where TRows : struct, IRowCount
    {
        int w = TOps.Count, r = TRows.Count;
        float* a1 = a + rowStride, a2 = a + (2 * rowStride), a3 = a + (3 * rowStride), a4 = a + (4 * rowStride);
        TV c00 = TOps.Zero, c01 = TOps.Zero, c10 = TOps.Zero, c11 = TOps.Zero, c20 = TOps.Zero, c21 = TOps.Zero;
        TV c30 = TOps.Zero, c31 = TOps.Zero, c40 = TOps.Zero, c41 = TOps.Zero;
        for (nint p = 0; p < kc; p++)
        {
            TV b0 = TOps.Load(pb + (p * 2 * w)), b1 = TOps.Load(pb + (p * 2 * w) + w);
            nint o = p * depthStride;
            TV x = TOps.Broadcast(a[o]);
            c00 = TOps.Fma(x, b0, c00);
            c01 = TOps.Fma(x, b1, c01);
            if (r > 1)
            {
                x = TOps.Broadcast(a1[o]);
                c10 = TOps.Fma(x, b0, c10);
                c11 = TOps.Fma(x, b1, c11);
            }

            if (r > 2)
            {
                x = TOps.Broadcast(a2[o]);
                c20 = TOps.Fma(x, b0, c20);
                c21 = TOps.Fma(x, b1, c21);
            }

            if (r > 3)
            {
                x = TOps.Broadcast(a3[o]);
                c30 = TOps.Fma(x, b0, c30);
                c31 = TOps.Fma(x, b1, c31);
            }

            if (r > 4)
            {
                x = TOps.Broadcast(a4[o]);
                c40 = TOps.Fma(x, b0, c40);
                c41 = TOps.Fma(x, b1, c41);
            }
        }

        StoreRow<TOps, TV>(c, w, c00, c01, accumulate);
        if (r > 1)
        {
            StoreRow<TOps, TV>(c + ldc, w, c10, c11, accumulate);
        }

        if (r > 2)
        {
            StoreRow<TOps, TV>(c + (2 * ldc), w, c20, c21, accumulate);
        }

        if (r > 3)
        {
            StoreRow<TOps, TV>(c + (3 * ldc), w, c30, c31, accumulate);
        }

        if (r > 4)
        {
            StoreRow<TOps, TV>(c + (4 * ldc), w, c40, c41, accumulate);
        }
    }

    /// <summary>A row count as a type, so the JIT drops the unused accumulators of <see cref="RowsOnePanel{TOps, TV, TRows}"/>.</summary>
    private interface IRowCount
    {
        static abstract int Count { get; }
    }

    private readonly struct Rows1 : IRowCount
    {
        public static int Count
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => 1;
        }
    }

    private readonly struct Rows2 : IRowCount
    {
        public static int Count
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => 2;
        }
    }

    private readonly struct Rows3 : IRowCount
    {
        public static int Count
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => 3;
        }
    }

    private readonly struct Rows4 : IRowCount
    {
        public static int Count
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => 4;
        }
    }

    private readonly struct Rows5 : IRowCount
    {
        public static int Count
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => 5;
        }
    }

    /// <summary>Packs all of B (k × n, element (p,j) at b[p·ldb+j], or b[j·ldb+p] when transposed) block by depth block into <paramref name="dst"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Macro<TOps, TV>(int mc, int nc, int kc, float* pa, float* pb, float* c, nint ldc, bool accumulate)
        where TOps : struct, IVecOps<TV>
        where TV : struct
    {
        int nr = 2 * TOps.Count;
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
                else if (nrr == nr)
                {
                    // The last rows: only those there are, straight from the packed panel (row r, depth p at ap[p·MR + r]).
                    RowsOnePanel<TOps, TV>(mrr, kc, ap, 1, MR, bp, cp, ldc, accumulate);
                }
                else
                {
                    EdgeTile<TOps, TV>(kc, ap, bp, cp, ldc, mrr, nrr, accumulate);
                }
            }
        }
    }

    /// <summary>An edge tile (fewer than MR rows or NR columns): the full micro-kernel into a tile, then the part there is.</summary>
    [SkipLocalsInit]
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void EdgeTile<TOps, TV>(int kc, float* ap, float* bp, float* c, nint ldc, int rows, int cols, bool accumulate)
        where TOps : struct, IVecOps<TV>
        where TV : struct
    {
        int nr = 2 * TOps.Count;
        float* tile = stackalloc float[MR * 32];
        if (rows == MR)
        {
            MicroKernel<TOps, TV>(kc, ap, bp, tile, nr, false);
        }
        else
        {
            RowsOnePanel<TOps, TV>(rows, kc, ap, 1, MR, bp, tile, nr, false);
        }

        StoreTile(tile, nr, c, ldc, rows, cols, accumulate);
    }

    /// <summary>6 × (2 vectors) register tile over a packed A panel (6 floats per step) and a packed B panel (2 vectors per step).</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
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

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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

    /// <summary>Packs A[0..mc, 0..kc] (row i at a + i·lda) into MR-row panels: panel[p·MR + r], zero past row mc.</summary>
    /// <remarks>
    /// A full panel goes 8 depths at a time through an 8 × 8 register transpose (the 6 rows and 2 copies of the last),
    /// whose 8-float rows are stored in depth order at MR apart: each one's 2 extra floats are overwritten by the next
    /// store, the next panel or the tail, or land in the <see cref="PackASlack"/> floats past the end.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackA(float* a, nint lda, int mc, int kc, float* dst)
    {
        for (int ir = 0; ir < mc; ir += MR)
        {
            int rows = Math.Min(MR, mc - ir);
            float* panel = dst + ((nint)ir * kc);
            float* src = a + (ir * lda);
            int p = 0;
            if (rows == MR && Transpose.Vectorized)
            {
                for (; p + 8 <= kc; p += 8)
                {
                    Transpose.Block6x8(src + p, lda, panel + (p * MR), MR);
                }
            }

            for (; p < kc; p++)
            {
                float* d = panel + (p * MR);
                int r = 0;
                for (; r < rows; r++)
                {
                    d[r] = src[(r * lda) + p];
                }

                for (; r < MR; r++)
                {
                    d[r] = 0f;
                }
            }
        }
    }

    /// <summary>Packs A[0..mc, 0..kc] stored transposed (element (i,p) at a + p·lda + i) into MR-row panels.</summary>
    /// <remarks>
    /// A panel row is 6 consecutive floats of the source: copied as 8-float vectors in depth order (the 2 extra floats
    /// are overwritten as in <see cref="PackA"/>) where 8 floats of the source row are there to read.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackATransposed(float* a, nint lda, int mc, int kc, float* dst)
    {
        for (int ir = 0; ir < mc; ir += MR)
        {
            int rows = Math.Min(MR, mc - ir);
            float* panel = dst + ((nint)ir * kc);
            if (rows == MR && ir + 8 <= mc && Vector256.IsHardwareAccelerated)
            {
                float* src = a + ir;
                for (int p = 0; p < kc; p++)
                {
                    Vector256.Store(Vector256.Load(src + (p * lda)), panel + (p * MR));
                }

                continue;
            }

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
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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
