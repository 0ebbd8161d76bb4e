using System;

namespace RnnGen.Kernels;

/// <summary>
/// Splits a large product over the <see cref="WorkerPool"/>: each part owns a disjoint range of C's columns
/// (or rows) and runs the one-thread kernel on it with its own packing scratch. A split never changes how an
/// element is summed (the depth blocking depends only on k; column ranges start on whole register or dot
/// blocks, and the kernels pick a row's code path from the rows alone), so results are bitwise identical for
/// every thread count. Products too small to repay a dispatch stay on the calling thread.
/// </summary>
internal sealed unsafe class GemmParallel : IParallelWork
{
    /// <summary>
    /// Least work per part, in <see cref="Work"/> units: about 3 µs of one core for a one-row product, less for
    /// products with rows enough to run near the FMA peak. Measured on a 2-core Zen 4: below about twice this a
    /// second thread (a ~0.2 µs dispatch, plus the split's extra edge tiles and packing) gained little or lost.
    /// </summary>
    internal const long MinWorkPerPart = 1 << 19;

    /// <summary>Columns per unit of a small-m AxBt split: whole 4-column dot blocks, a 64-byte line of C.</summary>
    private const int AxBtColumnUnit = 16;

    [ThreadStatic]
    private static GemmParallel? t_job;

    private Kernel _kernel;
    private bool _splitRows;
    private int _unit;
    private int _units;
    private int _m;
    private int _n;
    private int _k;
    private float* _a;
    private float* _b;
    private float* _c;
    private nint _lda;
    private nint _ldb;
    private nint _ldc;
    private bool _aTransposed;
    private bool _bTransposed;
    private bool _accumulate;

    private enum Kernel
    {
        SmallAxBt,
        SmallAxB,
        Blocked,
    }

    /// <summary>Runs <see cref="Gemm.SmallAxBt"/> split over columns when that pays; false leaves it to the caller.</summary>
    public static bool TrySmallAxBt(int m, int n, int k, float* a, nint lda, float* b, nint ldb, float* c, nint ldc, bool accumulate)
    {
        int parts = PlanSmallAxBt(m, n, k);
        if (parts <= 1)
        {
            return false;
        }

        Dispatch(Kernel.SmallAxBt, splitRows: false, AxBtColumnUnit, CeilDiv(n, AxBtColumnUnit), parts, m, n, k, a, lda, false, b, ldb, false, c, ldc, accumulate);
        return true;
    }

    /// <summary>Runs <see cref="Gemm.SmallAxB"/> split over columns when that pays; false leaves it to the caller.</summary>
    public static bool TrySmallAxB(int m, int n, int k, float* a, nint lda, float* b, nint ldb, float* c, nint ldc, bool accumulate)
    {
        int parts = PlanSmallAxB(m, n, k);
        if (parts <= 1)
        {
            return false;
        }

        int unit = 2 * Gemm.VectorWidth;
        Dispatch(Kernel.SmallAxB, splitRows: false, unit, CeilDiv(n, unit), parts, m, n, k, a, lda, false, b, ldb, false, c, ldc, accumulate);
        return true;
    }

    /// <summary>Runs <see cref="Gemm.Blocked"/> split over columns or rows when that pays; false leaves it to the caller.</summary>
    public static bool TryBlocked(int m, int n, int k, float* a, nint lda, bool aTransposed, float* b, nint ldb, bool bTransposed, float* c, nint ldc, bool accumulate)
    {
        (int parts, bool splitRows) = PlanBlocked(m, n, k);
        if (parts <= 1)
        {
            return false;
        }

        int unit = splitRows ? GemmBlocked.MR : 2 * Gemm.VectorWidth;
        Dispatch(Kernel.Blocked, splitRows, unit, CeilDiv(splitRows ? m : n, unit), parts, m, n, k, a, lda, aTransposed, b, ldb, bTransposed, c, ldc, accumulate);
        return true;
    }

    /// <summary>Parts for a small-m AxBt (1 = stay on the calling thread).</summary>
    internal static int PlanSmallAxBt(int m, int n, int k) => Parts(m, n, k, CeilDiv(n, AxBtColumnUnit));

    /// <summary>Parts for a small-m AxB (1 = stay on the calling thread).</summary>
    internal static int PlanSmallAxB(int m, int n, int k) => Parts(m, n, k, CeilDiv(n, 2 * Gemm.VectorWidth));

    /// <summary>Parts for the packed kernel (1 = stay on the calling thread), and whether they split rows rather than columns.</summary>
    internal static (int Parts, bool SplitRows) PlanBlocked(int m, int n, int k)
    {
        int threads = Parts(m, n, k, int.MaxValue);
        if (threads <= 1)
        {
            return (1, false);
        }

        // Column parts each pack all of A (once per NC block they span), row parts each pack all of B: split
        // the way that packs less extra, unless only the other way gives every thread a part.
        int nr = 2 * Gemm.VectorWidth;
        int columnUnits = CeilDiv(n, nr);
        int columnParts = Math.Min(threads, columnUnits);
        int rowParts = Math.Min(threads, CeilDiv(m, GemmBlocked.MR));
        if (columnParts != rowParts)
        {
            return rowParts > columnParts ? (rowParts, true) : (columnParts, false);
        }

        long extraForColumns = (long)m * k * (ColumnBlocksPacked(n, nr, columnUnits, columnParts) - CeilDiv(n, GemmBlocked.NC));
        long extraForRows = (long)n * k * (rowParts - 1);
        return extraForRows < extraForColumns ? (rowParts, true) : (columnParts, false);
    }

    /// <summary>Runs the part's range of rows or columns through the one-thread kernel.</summary>
    public void Execute(int part, int parts)
    {
        int total = _splitRows ? _m : _n;
        int lo = (int)((long)part * _units / parts) * _unit;
        int hi = Math.Min(total, (int)((long)(part + 1) * _units / parts) * _unit);
        if (hi <= lo)
        {
            return;
        }

        int count = hi - lo;
        switch (_kernel)
        {
            case Kernel.SmallAxBt:
                Gemm.SmallAxBt(_m, count, _k, _a, _lda, _b + (lo * _ldb), _ldb, _c + lo, _ldc, _accumulate);
                break;
            case Kernel.SmallAxB:
                Gemm.SmallAxB(_m, count, _k, _a, _lda, _b + lo, _ldb, _c + lo, _ldc, _accumulate);
                break;
            default:
                if (_splitRows)
                {
                    float* a = _aTransposed ? _a + lo : _a + (lo * _lda);
                    Gemm.Blocked(count, _n, _k, a, _lda, _aTransposed, _b, _ldb, _bTransposed, _c + (lo * _ldc), _ldc, _accumulate);
                }
                else
                {
                    float* b = _bTransposed ? _b + (lo * _ldb) : _b + lo;
                    Gemm.Blocked(_m, count, _k, _a, _lda, _aTransposed, b, _ldb, _bTransposed, _c + lo, _ldc, _accumulate);
                }

                break;
        }
    }

    /// <summary>
    /// How many parts a product of this size should run as (at most <paramref name="units"/>); 1 = one thread.
    /// Shared by every kernel that splits a product over the pool (also the packed product and the fused step).
    /// </summary>
    internal static int Parts(int m, int n, int k, int units)
    {
        long work = Work(m, n, k);
        if (work < 2 * MinWorkPerPart)
        {
            return 1; // decided before touching any thread-static or shared state
        }

        return (int)Math.Min(Math.Min(WorkerPool.Available, units), work / MinWorkPerPart);
    }

    /// <summary>
    /// Cost estimate: the flops, plus 8 per element of B, since streaming B bounds the few-row products
    /// (one row of A runs at about a third of the FMA peak).
    /// </summary>
    private static long Work(int m, int n, int k) => (2L * m * n * k) + (8L * n * k);

    /// <summary>Total NC-wide blocks the column parts span, i.e. how many times A is packed in all.</summary>
    private static long ColumnBlocksPacked(int n, int nr, int units, int parts)
    {
        long blocks = 0;
        for (int p = 0; p < parts; p++)
        {
            int lo = (int)((long)p * units / parts) * nr;
            int hi = Math.Min(n, (int)((long)(p + 1) * units / parts) * nr);
            blocks += CeilDiv(hi - lo, GemmBlocked.NC);
        }

        return blocks;
    }

    private static int CeilDiv(int x, int d) => (x + d - 1) / d;

    private static void Dispatch(Kernel kernel, bool splitRows, int unit, int units, int parts, int m, int n, int k, float* a, nint lda, bool aTransposed, float* b, nint ldb, bool bTransposed, float* c, nint ldc, bool accumulate)
    {
        // One job object per calling thread, reused: a dispatch allocates nothing. Nested products never get
        // here (the pool offers them one thread), so the object is never in use twice.
        GemmParallel job = t_job ??= new GemmParallel();
        job._kernel = kernel;
        job._splitRows = splitRows;
        job._unit = unit;
        job._units = units;
        job._m = m;
        job._n = n;
        job._k = k;
        job._a = a;
        job._b = b;
        job._c = c;
        job._lda = lda;
        job._ldb = ldb;
        job._ldc = ldc;
        job._aTransposed = aTransposed;
        job._bTransposed = bTransposed;
        job._accumulate = accumulate;
        try
        {
            WorkerPool.Run(job, parts);
        }
        finally
        {
            // Drop the pointers: they are only valid while the caller's spans are pinned.
            job._a = job._b = job._c = null;
        }
    }
}
