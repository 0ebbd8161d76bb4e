using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace RnnGen.Kernels;

/// <summary>
/// Single-precision matrix products on row-major operands with leading dimensions (elements between
/// consecutive rows). When <c>accumulate</c> is false C is overwritten, otherwise added to.
/// These are the only dense-algebra entry points generated code calls.
/// </summary>
/// <remarks>
/// Each call checks once that every span is long enough for the given shape and leading dimension
/// (<see cref="ArgumentException"/> otherwise), then runs unchecked kernels: a cache-blocked, packed,
/// register-tiled GEMM for large shapes and unpacked streaming kernels when A has only a few rows.
/// The vector width is chosen by the hardware: AVX-512, else AVX2 + FMA, else 128-bit vectors.
/// Large products are split over up to <see cref="RnnThreads.Count"/> threads into parts that each own a
/// disjoint block of C and compute every element in the same order as one thread would, so results are
/// bitwise identical for every thread count.
/// C must not overlap A or B. Packing scratch is per thread, so concurrent calls on different threads are safe.
/// </remarks>
public static unsafe class Gemm
{
    /// <summary>Up to this many rows of A, <see cref="AxBt"/> uses unpacked dot-product kernels.</summary>
    internal const int SmallRowsAxBt = 64;

    /// <summary>Up to this many rows of A, <see cref="AxB"/> uses unpacked row-update kernels.</summary>
    internal const int SmallRowsAxB = 32;

    /// <summary>C[m,n] (+)= A[m,k] · B[n,k]ᵀ (B is a PyTorch weight, out × in).</summary>
    public static void AxBt(int m, int n, int k, ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, Span<float> c, int ldc, bool accumulate)
    {
        Validate(m, n, k, a.Length, m, k, lda, nameof(a), b.Length, n, k, ldb, nameof(b), c.Length, ldc);
        if (Trivial(m, n, k, c, ldc, accumulate))
        {
            return;
        }

        fixed (float* pa = a, pb = b, pc = c)
        {
            if (m <= SmallRowsAxBt)
            {
                if (!GemmParallel.TrySmallAxBt(m, n, k, pa, lda, pb, ldb, pc, ldc, accumulate))
                {
                    SmallAxBt(m, n, k, pa, lda, pb, ldb, pc, ldc, accumulate);
                }
            }
            else if (!GemmParallel.TryBlocked(m, n, k, pa, lda, false, pb, ldb, true, pc, ldc, accumulate))
            {
                Blocked(m, n, k, pa, lda, false, pb, ldb, true, pc, ldc, accumulate);
            }
        }
    }

    /// <summary>C[m,n] (+)= A[m,k] · B[k,n].</summary>
    public static void AxB(int m, int n, int k, ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, Span<float> c, int ldc, bool accumulate)
    {
        Validate(m, n, k, a.Length, m, k, lda, nameof(a), b.Length, k, n, ldb, nameof(b), c.Length, ldc);
        if (Trivial(m, n, k, c, ldc, accumulate))
        {
            return;
        }

        fixed (float* pa = a, pb = b, pc = c)
        {
            if (m <= SmallRowsAxB)
            {
                if (!GemmParallel.TrySmallAxB(m, n, k, pa, lda, pb, ldb, pc, ldc, accumulate))
                {
                    SmallAxB(m, n, k, pa, lda, pb, ldb, pc, ldc, accumulate);
                }
            }
            else if (!GemmParallel.TryBlocked(m, n, k, pa, lda, false, pb, ldb, false, pc, ldc, accumulate))
            {
                Blocked(m, n, k, pa, lda, false, pb, ldb, false, pc, ldc, accumulate);
            }
        }
    }

    /// <summary>
    /// C[m,n] (+)= A[m,k] · B, where B (k × n) was packed once into <paramref name="b"/>: the per-step product of
    /// a large batch with a recurrent weight, without repacking the weight at every step. Bitwise equal to the
    /// unpacked blocked product.
    /// </summary>
    public static void AxPacked(int m, ReadOnlySpan<float> a, int lda, PackedMatrix b, Span<float> c, int ldc, bool accumulate)
    {
        ArgumentNullException.ThrowIfNull(b);
        b.RequirePacked();
        int n = b.Columns, k = b.Rows;
        Validate(m, n, k, a.Length, m, k, lda, nameof(a), k * n, k, n, n, nameof(b), c.Length, ldc);
        if (m == 0)
        {
            return;
        }

        fixed (float* pa = a, pc = c)
        {
            PackedProduct.Run(m, pa, lda, b, pc, ldc, accumulate);
        }
    }

    /// <summary>C[m,n] (+)= A[k,m]ᵀ · B[k,n].</summary>
    public static void AtxB(int m, int n, int k, ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, Span<float> c, int ldc, bool accumulate)
    {
        Validate(m, n, k, a.Length, k, m, lda, nameof(a), b.Length, k, n, ldb, nameof(b), c.Length, ldc);
        if (Trivial(m, n, k, c, ldc, accumulate))
        {
            return;
        }

        fixed (float* pa = a, pb = b, pc = c)
        {
            if (!GemmParallel.TryBlocked(m, n, k, pa, lda, true, pb, ldb, false, pc, ldc, accumulate))
            {
                Blocked(m, n, k, pa, lda, true, pb, ldb, false, pc, ldc, accumulate);
            }
        }
    }

    /// <summary>The small-m <see cref="AxBt"/> kernel at the widest vector the hardware runs (one thread).</summary>
    internal static void SmallAxBt(int m, int n, int k, float* a, nint lda, float* b, nint ldb, float* c, nint ldc, bool accumulate)
    {
        if (Vector512.IsHardwareAccelerated)
        {
            GemmSmallM.AxBt<Vec512Ops, Vector512<float>>(m, n, k, a, lda, b, ldb, c, ldc, accumulate);
        }
        else if (Avx2.IsSupported && Fma.IsSupported)
        {
            GemmSmallM.AxBt<Vec256Ops, Vector256<float>>(m, n, k, a, lda, b, ldb, c, ldc, accumulate);
        }
        else
        {
            GemmSmallM.AxBt<Vec128Ops, Vector128<float>>(m, n, k, a, lda, b, ldb, c, ldc, accumulate);
        }
    }

    /// <summary>The small-m <see cref="AxB"/> kernel at the widest vector the hardware runs (one thread).</summary>
    internal static void SmallAxB(int m, int n, int k, float* a, nint lda, float* b, nint ldb, float* c, nint ldc, bool accumulate)
    {
        if (Vector512.IsHardwareAccelerated)
        {
            GemmSmallM.AxB<Vec512Ops, Vector512<float>>(m, n, k, a, lda, b, ldb, c, ldc, accumulate);
        }
        else if (Avx2.IsSupported && Fma.IsSupported)
        {
            GemmSmallM.AxB<Vec256Ops, Vector256<float>>(m, n, k, a, lda, b, ldb, c, ldc, accumulate);
        }
        else
        {
            GemmSmallM.AxB<Vec128Ops, Vector128<float>>(m, n, k, a, lda, b, ldb, c, ldc, accumulate);
        }
    }

    /// <summary>The packed, cache-blocked kernel at the widest vector the hardware runs (one thread).</summary>
    internal static void Blocked(int m, int n, int k, float* a, nint lda, bool aTransposed, float* b, nint ldb, bool bTransposed, float* c, nint ldc, bool accumulate)
    {
        if (Vector512.IsHardwareAccelerated)
        {
            GemmBlocked.Run<Vec512Ops, Vector512<float>>(m, n, k, a, lda, aTransposed, b, ldb, bTransposed, c, ldc, accumulate);
        }
        else if (Avx2.IsSupported && Fma.IsSupported)
        {
            GemmBlocked.Run<Vec256Ops, Vector256<float>>(m, n, k, a, lda, aTransposed, b, ldb, bTransposed, c, ldc, accumulate);
        }
        else
        {
            GemmBlocked.Run<Vec128Ops, Vector128<float>>(m, n, k, a, lda, aTransposed, b, ldb, bTransposed, c, ldc, accumulate);
        }
    }

    /// <summary>Floats per vector of the path <see cref="SmallAxBt"/>, <see cref="SmallAxB"/> and <see cref="Blocked"/> take.</summary>
    internal static int VectorWidth => Vector512.IsHardwareAccelerated ? 16 : Avx2.IsSupported && Fma.IsSupported ? 8 : 4;

    /// <summary>Handles empty products: nothing to do, or (k = 0, overwrite) clear C. Returns true when done.</summary>
    private static bool Trivial(int m, int n, int k, Span<float> c, int ldc, bool accumulate)
    {
        if (m == 0 || n == 0)
        {
            return true;
        }

        if (k != 0)
        {
            return false;
        }

        if (!accumulate)
        {
            for (int i = 0; i < m; i++)
            {
                c.Slice(i * ldc, n).Clear();
            }
        }

        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Validate(int m, int n, int k, int aLength, int aRows, int aCols, int lda, string aName, int bLength, int bRows, int bCols, int ldb, string bName, int cLength, int ldc)
    {
        if ((m | n | k) < 0)
        {
            ThrowNegative(m, n, k);
        }

        CheckOperand(aLength, aRows, aCols, lda, aName);
        CheckOperand(bLength, bRows, bCols, ldb, bName);
        CheckOperand(cLength, m, n, ldc, "c");
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CheckOperand(int length, int rows, int cols, int ld, string name)
    {
        if (rows == 0 || cols == 0)
        {
            return;
        }

        if (ld < cols || (((long)(rows - 1) * ld) + cols) > length)
        {
            ThrowOperand(length, rows, cols, ld, name);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowNegative(int m, int n, int k) =>
        throw new ArgumentOutOfRangeException(nameof(m), $"GEMM dimensions must be non-negative (m={m}, n={n}, k={k}).");

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowOperand(int length, int rows, int cols, int ld, string name)
    {
        if (ld < cols)
        {
            throw new ArgumentException($"Leading dimension ld{name}={ld} is smaller than the row length {cols} of {name} ({rows}×{cols}).", name);
        }

        throw new ArgumentException($"Span {name} has {length} elements; a {rows}×{cols} operand with leading dimension {ld} needs {((long)(rows - 1) * ld) + cols}.", name);
    }
}
