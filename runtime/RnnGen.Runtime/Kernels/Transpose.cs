using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace RnnGen.Kernels;

/// <summary>Small-block transposes for packing weights: 8 × 8 floats in registers on AVX.</summary>
internal static unsafe class Transpose
{
    /// <summary>Whether <see cref="Block8x8"/> runs in registers on this machine.</summary>
    public static bool Vectorized => Avx.IsSupported;

    /// <summary>dst[c·ldd + r] = src[r·lds + c] for r, c &lt; 8 (requires <see cref="Vectorized"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Block8x8(float* src, nint lds, float* dst, nint ldd)
    {
        Vector256<float> r0 = Avx.LoadVector256(src), r1 = Avx.LoadVector256(src + lds);
        Vector256<float> r2 = Avx.LoadVector256(src + (2 * lds)), r3 = Avx.LoadVector256(src + (3 * lds));
        Vector256<float> r4 = Avx.LoadVector256(src + (4 * lds)), r5 = Avx.LoadVector256(src + (5 * lds));
        Vector256<float> r6 = Avx.LoadVector256(src + (6 * lds)), r7 = Avx.LoadVector256(src + (7 * lds));
        Store(r0, r1, r2, r3, r4, r5, r6, r7, dst, ldd);
    }

    /// <summary>
    /// dst[c·ldd + r] = src[r·lds + c] for r &lt; 6, c &lt; 8, each 8-float row of dst stored in order of c, its last two
    /// floats (copies of row 5) past the six (requires <see cref="Vectorized"/>; reads only the 6 rows).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Block6x8(float* src, nint lds, float* dst, nint ldd)
    {
        Vector256<float> r0 = Avx.LoadVector256(src), r1 = Avx.LoadVector256(src + lds);
        Vector256<float> r2 = Avx.LoadVector256(src + (2 * lds)), r3 = Avx.LoadVector256(src + (3 * lds));
        Vector256<float> r4 = Avx.LoadVector256(src + (4 * lds)), r5 = Avx.LoadVector256(src + (5 * lds));
        Store(r0, r1, r2, r3, r4, r5, r5, r5, dst, ldd);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(
        Vector256<float> r0, Vector256<float> r1, Vector256<float> r2, Vector256<float> r3,
        Vector256<float> r4, Vector256<float> r5, Vector256<float> r6, Vector256<float> r7, float* dst, nint ldd)
    {
        // Interleave pairs of rows, then pairs of pairs, then swap 128-bit halves: the classic 24-shuffle transpose.
        Vector256<float> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1);
        Vector256<float> t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
        Vector256<float> t4 = Avx.UnpackLow(r4, r5), t5 = Avx.UnpackHigh(r4, r5);
        Vector256<float> t6 = Avx.UnpackLow(r6, r7), t7 = Avx.UnpackHigh(r6, r7);
        Vector256<float> s0 = Avx.Shuffle(t0, t2, 0x44), s1 = Avx.Shuffle(t0, t2, 0xEE);
        Vector256<float> s2 = Avx.Shuffle(t1, t3, 0x44), s3 = Avx.Shuffle(t1, t3, 0xEE);
        Vector256<float> s4 = Avx.Shuffle(t4, t6, 0x44), s5 = Avx.Shuffle(t4, t6, 0xEE);
        Vector256<float> s6 = Avx.Shuffle(t5, t7, 0x44), s7 = Avx.Shuffle(t5, t7, 0xEE);
        Avx.Store(dst, Avx.Permute2x128(s0, s4, 0x20));
        Avx.Store(dst + ldd, Avx.Permute2x128(s1, s5, 0x20));
        Avx.Store(dst + (2 * ldd), Avx.Permute2x128(s2, s6, 0x20));
        Avx.Store(dst + (3 * ldd), Avx.Permute2x128(s3, s7, 0x20));
        Avx.Store(dst + (4 * ldd), Avx.Permute2x128(s0, s4, 0x31));
        Avx.Store(dst + (5 * ldd), Avx.Permute2x128(s1, s5, 0x31));
        Avx.Store(dst + (6 * ldd), Avx.Permute2x128(s2, s6, 0x31));
        Avx.Store(dst + (7 * ldd), Avx.Permute2x128(s3, s7, 0x31));
    }
}
