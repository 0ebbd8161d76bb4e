using System.Runtime.CompilerServices;

namespace RnnGen.Kernels;

/// <summary>
/// The per-step product h·W_hhᵀ of a small batch over <see cref="RecurrentWeights"/> panels: every vector of a panel
/// gets its own accumulator per row, the weights stream from the packed panel once per row group, each h value is
/// broadcast once, and the sums are added straight into the gates. Every output is one chain of FMAs over the inputs
/// in order, started from zero and then added to its gate, whatever the row group or the number of panels taken at
/// once, so a row's result does not depend on how many rows the batch has (a partial batch, or a one-step
/// <c>Step</c>, gives exactly the numbers of a full <c>Forward</c>).
/// </summary>
internal static unsafe class RecurrentProduct
{
    /// <summary>
    /// tile[r·(V·W) + v·W + lane] = Σ_p h[r·ldh + p] · panel[p·V·W + v·W + lane] for r &lt; rows (1, 2, or 4
    /// on 512-bit vectors), where V = <paramref name="vectors"/> (3 or 4): the form for a panel whose last units are
    /// padding (the caller adds only the units there are), and the reference shape the tests check.
    /// </summary>
    public static void Panel<TOps, TV>(int rows, int vectors, int k, float* h, nint ldh, float* panel, float* tile)
        where TOps : struct, IVecOps<TV>
        where TV : struct
    {
        int stride = vectors * TOps.Count;
        for (int r = 0; r < rows; r++)
        {
            if (vectors == 4)
            {
                Rows<TOps, TV, Four, One, ToTile>(k, h + (r * ldh), 0, panel, tile + (r * stride), 0, TOps.Count);
            }
            else
            {
                Rows<TOps, TV, Three, One, ToTile>(k, h + (r * ldh), 0, panel, tile + (r * stride), 0, TOps.Count);
            }
        }
    }

    /// <summary>Rows one pass can take at this vector width (register budget: 32 vectors on AVX-512, 16 otherwise).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int MaxRows<TOps, TV>()
        where TOps : struct, IVecOps<TV>
        where TV : struct => TOps.Count == 16 ? 4 : 2;

    /// <summary>
    /// For one row and two whole panels (<paramref name="panel"/> and the next, <paramref name="panelLength"/> floats on):
    /// target[q·<paramref name="panelUnits"/> + v·<paramref name="vectorStride"/> + lane] += Σ_p h[p] · panel_q[p·V·W + v·W + lane].
    /// Two panels give a single row 6 or 8 independent FMA chains.
    /// </summary>
    public static void AddOneRowTwoPanels<TOps, TV>(int vectors, int k, float* h, float* panel, nint panelLength, float* target, nint vectorStride, nint panelUnits)
        where TOps : struct, IVecOps<TV>
        where TV : struct
    {
        if (vectors == 4)
        {
            OneRowTwoPanels<TOps, TV, Four>(k, h, panel, panelLength, target, vectorStride, panelUnits);
        }
        else
        {
            OneRowTwoPanels<TOps, TV, Three>(k, h, panel, panelLength, target, vectorStride, panelUnits);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void OneRowTwoPanels<TOps, TV, TV4>(int k, float* h, float* panel, nint panelLength, float* target, nint vectorStride, nint panelUnits)
        where TOps : struct, IVecOps<TV>
        where TV : struct
        where TV4 : struct, IPanelVectors
    {
        int w = TOps.Count;
        nint stride = TV4.Count * w;
        float* second = panel + panelLength;
        TV a0 = TOps.Zero, a1 = TOps.Zero, a2 = TOps.Zero, a3 = TOps.Zero;
        TV b0 = TOps.Zero, b1 = TOps.Zero, b2 = TOps.Zero, b3 = TOps.Zero;
        for (nint p = 0; p < k; p++)
        {
            float* w0 = panel + (p * stride);
            float* w1 = second + (p * stride);
            TV x = TOps.Broadcast(h[p]);
            a0 = TOps.Fma(x, TOps.Load(w0), a0);
            a1 = TOps.Fma(x, TOps.Load(w0 + w), a1);
            a2 = TOps.Fma(x, TOps.Load(w0 + (2 * w)), a2);
            if (TV4.Count == 4)
            {
                a3 = TOps.Fma(x, TOps.Load(w0 + (3 * w)), a3);
            }

            b0 = TOps.Fma(x, TOps.Load(w1), b0);
            b1 = TOps.Fma(x, TOps.Load(w1 + w), b1);
            b2 = TOps.Fma(x, TOps.Load(w1 + (2 * w)), b2);
            if (TV4.Count == 4)
            {
                b3 = TOps.Fma(x, TOps.Load(w1 + (3 * w)), b3);
            }
        }

        Finish<TOps, TV, TV4, AddToGates>(target, vectorStride, a0, a1, a2, a3);
        Finish<TOps, TV, TV4, AddToGates>(target + panelUnits, vectorStride, b0, b1, b2, b3);
    }

    /// <summary>
    /// For <paramref name="rows"/> rows (1, 2, or 4 on 512-bit vectors) and one whole panel:
    /// target[r·<paramref name="ld"/> + v·<paramref name="vectorStride"/> + lane] += Σ_p h[r·ldh + p] · panel[p·V·W + v·W + lane].
    /// </summary>
    public static void AddRows<TOps, TV>(int rows, int vectors, int k, float* h, nint ldh, float* panel, float* target, nint ld, nint vectorStride)
        where TOps : struct, IVecOps<TV>
        where TV : struct
    {
        if (vectors == 4)
        {
            AddRows<TOps, TV, Four>(rows, k, h, ldh, panel, target, ld, vectorStride);
        }
        else
        {
            AddRows<TOps, TV, Three>(rows, k, h, ldh, panel, target, ld, vectorStride);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddRows<TOps, TV, TV4>(int rows, int k, float* h, nint ldh, float* panel, float* target, nint ld, nint vectorStride)
        where TOps : struct, IVecOps<TV>
        where TV : struct
        where TV4 : struct, IPanelVectors
    {
        switch (rows)
        {
            case 1:
                Rows<TOps, TV, TV4, One, AddToGates>(k, h, ldh, panel, target, ld, vectorStride);
                break;
            case 2:
                Rows<TOps, TV, TV4, Two, AddToGates>(k, h, ldh, panel, target, ld, vectorStride);
                break;
            default:
                Rows<TOps, TV, TV4, FourRows, AddToGates>(k, h, ldh, panel, target, ld, vectorStride);
                break;
        }
    }

    /// <summary>
    /// The kernel: R rows (1, 2, 4) × one panel of V vectors; then the sums stored to a tile or added to the targets.
    /// Sums of row r, vector v go to target + r·ld + v·vectorStride.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Rows<TOps, TV, TV4, TRows, TMode>(int k, float* h, nint ldh, float* panel, float* target, nint ld, nint vectorStride)
        where TOps : struct, IVecOps<TV>
        where TV : struct
        where TV4 : struct, IPanelVectors
        where TRows : struct, IPanelVectors
        where TMode : struct, IStoreMode
    {
        int w = TOps.Count;
        int rows = TRows.Count;
        nint stride = TV4.Count * w;
        float* h1 = h + ldh, h2 = h + (2 * ldh), h3 = h + (3 * ldh);
        TV a0 = TOps.Zero, a1 = TOps.Zero, a2 = TOps.Zero, a3 = TOps.Zero;
        TV b0 = TOps.Zero, b1 = TOps.Zero, b2 = TOps.Zero, b3 = TOps.Zero;
        TV c0 = TOps.Zero, c1 = TOps.Zero, c2 = TOps.Zero, c3 = TOps.Zero;
        TV d0 = TOps.Zero, d1 = TOps.Zero, d2 = TOps.Zero, d3 = TOps.Zero;
        for (nint p = 0; p < k; p++)
        {
            float* w0 = panel + (p * stride);
            TV x0 = TOps.Broadcast(h[p]);
            TV x1 = rows > 1 ? TOps.Broadcast(h1[p]) : x0;
            TV x2 = rows > 2 ? TOps.Broadcast(h2[p]) : x0;
            TV x3 = rows > 2 ? TOps.Broadcast(h3[p]) : x0;
            TV v = TOps.Load(w0);
            a0 = TOps.Fma(x0, v, a0);
            if (rows > 1)
            {
                b0 = TOps.Fma(x1, v, b0);
            }

            if (rows > 2)
            {
                c0 = TOps.Fma(x2, v, c0);
                d0 = TOps.Fma(x3, v, d0);
            }

            v = TOps.Load(w0 + w);
            a1 = TOps.Fma(x0, v, a1);
            if (rows > 1)
            {
                b1 = TOps.Fma(x1, v, b1);
            }

            if (rows > 2)
            {
                c1 = TOps.Fma(x2, v, c1);
                d1 = TOps.Fma(x3, v, d1);
            }

            v = TOps.Load(w0 + (2 * w));
            a2 = TOps.Fma(x0, v, a2);
            if (rows > 1)
            {
                b2 = TOps.Fma(x1, v, b2);
            }

            if (rows > 2)
            {
                c2 = TOps.Fma(x2, v, c2);
                d2 = TOps.Fma(x3, v, d2);
            }

            if (TV4.Count == 4)
            {
                v = TOps.Load(w0 + (3 * w));
                a3 = TOps.Fma(x0, v, a3);
                if (rows > 1)
                {
                    b3 = TOps.Fma(x1, v, b3);
                }

                if (rows > 2)
                {
                    c3 = TOps.Fma(x2, v, c3);
                    d3 = TOps.Fma(x3, v, d3);
                }
            }
        }

        Finish<TOps, TV, TV4, TMode>(target, vectorStride, a0, a1, a2, a3);
        if (rows > 1)
        {
            Finish<TOps, TV, TV4, TMode>(target + ld, vectorStride, b0, b1, b2, b3);
        }

        if (rows > 2)
        {
            Finish<TOps, TV, TV4, TMode>(target + (2 * ld), vectorStride, c0, c1, c2, c3);
            Finish<TOps, TV, TV4, TMode>(target + (3 * ld), vectorStride, d0, d1, d2, d3);
        }
    }

    /// <summary>Stores the V sums of one row and panel (tile) or adds them to their gates (target + sum, as a tile added later would).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Finish<TOps, TV, TV4, TMode>(float* target, nint vectorStride, TV v0, TV v1, TV v2, TV v3)
        where TOps : struct, IVecOps<TV>
        where TV : struct
        where TV4 : struct, IPanelVectors
        where TMode : struct, IStoreMode
    {
        if (TMode.Add)
        {
            TOps.Store(target, TOps.Add(TOps.Load(target), v0));
            TOps.Store(target + vectorStride, TOps.Add(TOps.Load(target + vectorStride), v1));
            TOps.Store(target + (2 * vectorStride), TOps.Add(TOps.Load(target + (2 * vectorStride)), v2));
            if (TV4.Count == 4)
            {
                TOps.Store(target + (3 * vectorStride), TOps.Add(TOps.Load(target + (3 * vectorStride)), v3));
            }
        }
        else
        {
            TOps.Store(target, v0);
            TOps.Store(target + vectorStride, v1);
            TOps.Store(target + (2 * vectorStride), v2);
            if (TV4.Count == 4)
            {
                TOps.Store(target + (3 * vectorStride), v3);
            }
        }
    }

    /// <summary>A small count as a type (vectors per panel row, rows per pass), so the JIT drops unused accumulators.</summary>
    private interface IPanelVectors
    {
        static abstract int Count { get; }
    }

    private readonly struct One : IPanelVectors
    {
        public static int Count
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => 1;
        }
    }

    private readonly struct Two : IPanelVectors
    {
        public static int Count
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => 2;
        }
    }

    private readonly struct Three : IPanelVectors
    {
        public static int Count
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => 3;
        }
    }

    private readonly struct Four : IPanelVectors
    {
        public static int Count
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => 4;
        }
    }

    private readonly struct FourRows : IPanelVectors
    {
        public static int Count
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => 4;
        }
    }

    /// <summary>Where a pass's sums go: stored to a tile, or added to the gates.</summary>
    private interface IStoreMode
    {
        static abstract bool Add { get; }
    }

    private readonly struct ToTile : IStoreMode
    {
        public static bool Add
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => false;
        }
    }

    private readonly struct AddToGates : IStoreMode
    {
        public static bool Add
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => true;
        }
    }
}
