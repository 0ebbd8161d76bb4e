using System.Runtime.CompilerServices;

namespace RnnGen.Kernels;

/// <summary>
/// One panel of the per-step product h·W_hhᵀ for a few batch rows: every vector of the panel gets its
/// own accumulator per row (3 or 4 per row), the weights stream from the packed panel once per row
/// group, and each h value is broadcast once. Every output is one chain of FMAs over the inputs in
/// order, whatever the row group, so a row's result does not depend on how many rows the batch has
/// (a partial batch, or a one-step <c>Step</c>, gives exactly the numbers of a full <c>Forward</c>).
/// </summary>
internal static unsafe class RecurrentProduct
{
    /// <summary>
    /// tile[r·(V·W) + v·W + lane] = Σ_p h[r·ldh + p] · panel[p·V·W + v·W + lane] for r &lt; rows (1, 2, or 4
    /// on 512-bit vectors), where V = <paramref name="vectors"/> (3 or 4).
    /// </summary>
    public static void Panel<TOps, TV>(int rows, int vectors, int k, float* h, nint ldh, float* panel, float* tile)
        where TOps : struct, IVecOps<TV>
        where TV : struct
    {
        if (vectors == 4)
        {
            Dispatch<TOps, TV, Four>(rows, k, h, ldh, panel, tile);
        }
        else
        {
            Dispatch<TOps, TV, Three>(rows, k, h, ldh, panel, tile);
        }
    }

    /// <summary>Rows one pass can take at this vector width (register budget: 32 vectors on AVX-512, 16 otherwise).</summary>
    public static int MaxRows<TOps, TV>()
        where TOps : struct, IVecOps<TV>
        where TV : struct => TOps.Count == 16 ? 4 : 2;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Dispatch<TOps, TV, TV4>(int rows, int k, float* h, nint ldh, float* panel, float* tile)
        where TOps : struct, IVecOps<TV>
        where TV : struct
        where TV4 : struct, IPanelVectors
    {
        switch (rows)
        {
            case 1:
                OneRow<TOps, TV, TV4>(k, h, panel, tile);
                break;
            case 2:
                TwoRows<TOps, TV, TV4>(k, h, ldh, panel, tile);
                break;
            default:
                FourRows<TOps, TV, TV4>(k, h, ldh, panel, tile);
                break;
        }
    }

    private static void OneRow<TOps, TV, TV4>(int k, float* h, float* panel, float* tile)
        where TOps : struct, IVecOps<TV>
        where TV : struct
        where TV4 : struct, IPanelVectors
    {
        int w = TOps.Count;
        int stride = TV4.Count * w;
        TV a0 = TOps.Zero, a1 = TOps.Zero, a2 = TOps.Zero, a3 = TOps.Zero;
        for (int p = 0; p < k; p++)
        {
            float* w0 = panel + ((nint)p * stride);
            TV x = TOps.Broadcast(h[p]);
            a0 = TOps.Fma(x, TOps.Load(w0), a0);
            a1 = TOps.Fma(x, TOps.Load(w0 + w), a1);
            a2 = TOps.Fma(x, TOps.Load(w0 + (2 * w)), a2);
            if (TV4.Count == 4)
            {
                a3 = TOps.Fma(x, TOps.Load(w0 + (3 * w)), a3);
            }
        }

        StoreRow<TOps, TV, TV4>(tile, a0, a1, a2, a3);
    }

    private static void TwoRows<TOps, TV, TV4>(int k, float* h, nint ldh, float* panel, float* tile)
        where TOps : struct, IVecOps<TV>
        where TV : struct
        where TV4 : struct, IPanelVectors
    {
        int w = TOps.Count;
        int stride = TV4.Count * w;
        float* h1 = h + ldh;
        TV a0 = TOps.Zero, a1 = TOps.Zero, a2 = TOps.Zero, a3 = TOps.Zero;
        TV b0 = TOps.Zero, b1 = TOps.Zero, b2 = TOps.Zero, b3 = TOps.Zero;
        for (int p = 0; p < k; p++)
        {
            float* w0 = panel + ((nint)p * stride);
            TV x = TOps.Broadcast(h[p]);
            TV y = TOps.Broadcast(h1[p]);
            TV v = TOps.Load(w0);
            a0 = TOps.Fma(x, v, a0);
            b0 = TOps.Fma(y, v, b0);
            v = TOps.Load(w0 + w);
            a1 = TOps.Fma(x, v, a1);
            b1 = TOps.Fma(y, v, b1);
            v = TOps.Load(w0 + (2 * w));
            a2 = TOps.Fma(x, v, a2);
            b2 = TOps.Fma(y, v, b2);
            if (TV4.Count == 4)
            {
                v = TOps.Load(w0 + (3 * w));
                a3 = TOps.Fma(x, v, a3);
                b3 = TOps.Fma(y, v, b3);
            }
        }

        StoreRow<TOps, TV, TV4>(tile, a0, a1, a2, a3);
        StoreRow<TOps, TV, TV4>(tile + stride, b0, b1, b2, b3);
    }

    private static void FourRows<TOps, TV, TV4>(int k, float* h, nint ldh, float* panel, float* tile)
        where TOps : struct, IVecOps<TV>
        where TV : struct
        where TV4 : struct, IPanelVectors
    {
        int w = TOps.Count;
        int stride = TV4.Count * w;
        float* h1 = h + ldh, h2 = h + (2 * ldh), h3 = h + (3 * ldh);
        TV a0 = TOps.Zero, a1 = TOps.Zero, a2 = TOps.Zero, a3 = TOps.Zero;
        TV b0 = TOps.Zero, b1 = TOps.Zero, b2 = TOps.Zero, b3 = TOps.Zero;
        TV c0 = TOps.Zero, c1 = TOps.Zero, c2 = TOps.Zero, c3 = TOps.Zero;
        TV d0 = TOps.Zero, d1 = TOps.Zero, d2 = TOps.Zero, d3 = TOps.Zero;
        for (int p = 0; p < k; p++)
        {
            float* w0 = panel + ((nint)p * stride);
            TV x0 = TOps.Broadcast(h[p]);
            TV x1 = TOps.Broadcast(h1[p]);
            TV x2 = TOps.Broadcast(h2[p]);
            TV x3 = TOps.Broadcast(h3[p]);
            TV v = TOps.Load(w0);
            a0 = TOps.Fma(x0, v, a0);
            b0 = TOps.Fma(x1, v, b0);
            c0 = TOps.Fma(x2, v, c0);
            d0 = TOps.Fma(x3, v, d0);
            v = TOps.Load(w0 + w);
            a1 = TOps.Fma(x0, v, a1);
            b1 = TOps.Fma(x1, v, b1);
            c1 = TOps.Fma(x2, v, c1);
            d1 = TOps.Fma(x3, v, d1);
            v = TOps.Load(w0 + (2 * w));
            a2 = TOps.Fma(x0, v, a2);
            b2 = TOps.Fma(x1, v, b2);
            c2 = TOps.Fma(x2, v, c2);
            d2 = TOps.Fma(x3, v, d2);
            if (TV4.Count == 4)
            {
                v = TOps.Load(w0 + (3 * w));
                a3 = TOps.Fma(x0, v, a3);
                b3 = TOps.Fma(x1, v, b3);
                c3 = TOps.Fma(x2, v, c3);
                d3 = TOps.Fma(x3, v, d3);
            }
        }

        StoreRow<TOps, TV, TV4>(tile, a0, a1, a2, a3);
        StoreRow<TOps, TV, TV4>(tile + stride, b0, b1, b2, b3);
        StoreRow<TOps, TV, TV4>(tile + (2 * stride), c0, c1, c2, c3);
        StoreRow<TOps, TV, TV4>(tile + (3 * stride), d0, d1, d2, d3);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow<TOps, TV, TV4>(float* row, TV v0, TV v1, TV v2, TV v3)
        where TOps : struct, IVecOps<TV>
        where TV : struct
        where TV4 : struct, IPanelVectors
    {
        int w = TOps.Count;
        TOps.Store(row, v0);
        TOps.Store(row + w, v1);
        TOps.Store(row + (2 * w), v2);
        if (TV4.Count == 4)
        {
            TOps.Store(row + (3 * w), v3);
        }
    }

    /// <summary>Vectors per panel row as a type, so the JIT drops the fourth accumulator for a GRU.</summary>
    private interface IPanelVectors
    {
        static abstract int Count { get; }
    }

    private readonly struct Three : IPanelVectors
    {
        public static int Count => 3;
    }

    private readonly struct Four : IPanelVectors
    {
        public static int Count => 4;
    }
}
