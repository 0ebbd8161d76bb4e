using System;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace RnnGen.Kernels;

/// <summary>
/// <see cref="Gemm.AxPacked"/>: the blocked kernel over a pre-packed B, split over the workers by ranges of
/// whole panels (each part packs its own copy of the few rows of A). Each element is summed in the same
/// order whatever the split, so results are bitwise identical for every thread count.
/// </summary>
internal sealed unsafe class PackedProduct : IParallelWork
{
    [ThreadStatic]
    private static PackedProduct? t_job;

    private int _m;
    private float* _a;
    private nint _lda;
    private PackedMatrix _b = null!;
    private float* _c;
    private nint _ldc;
    private bool _accumulate;

    public static void Run(int m, float* a, nint lda, PackedMatrix b, float* c, nint ldc, bool accumulate)
    {
        int parts = GemmParallel.Parts(m, b.Columns, b.Rows, b.PaddedColumns / b.PanelWidth);
        if (parts <= 1)
        {
            Columns(m, a, lda, b, 0, b.Columns, c, ldc, accumulate);
            return;
        }

        PackedProduct job = t_job ??= new PackedProduct();
        job._m = m;
        job._a = a;
        job._lda = lda;
        job._b = b;
        job._c = c;
        job._ldc = ldc;
        job._accumulate = accumulate;
        WorkerPool.Run(job, parts);
        job._b = null!;
    }

    public void Execute(int part, int parts)
    {
        int panels = _b.PaddedColumns / _b.PanelWidth;
        int from = (int)((long)part * panels / parts) * _b.PanelWidth;
        int to = Math.Min(_b.Columns, (int)((long)(part + 1) * panels / parts) * _b.PanelWidth);
        if (to > from)
        {
            Columns(_m, _a, _lda, _b, from, to, _c, _ldc, _accumulate);
        }
    }

    private static void Columns(int m, float* a, nint lda, PackedMatrix b, int from, int to, float* c, nint ldc, bool accumulate)
    {
        // The panels were laid out for this machine's vector width, which the JIT fixes per process.
        if (Vector512.IsHardwareAccelerated)
        {
            GemmBlocked.RunPacked<Vec512Ops, Vector512<float>>(m, b.Rows, a, lda, b, from, to, c, ldc, accumulate);
        }
        else if (Avx2.IsSupported && Fma.IsSupported)
        {
            GemmBlocked.RunPacked<Vec256Ops, Vector256<float>>(m, b.Rows, a, lda, b, from, to, c, ldc, accumulate);
        }
        else
        {
            GemmBlocked.RunPacked<Vec128Ops, Vector128<float>>(m, b.Rows, a, lda, b, from, to, c, ldc, accumulate);
        }
    }
}
