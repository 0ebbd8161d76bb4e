using System;
using System.Runtime.InteropServices;

namespace RnnGen.Kernels;

/// <summary>
/// Per-thread packing buffers owned by the GEMM kernels: pinned, 64-byte aligned, grown lazily and
/// kept, so a steady-state call allocates nothing.
/// </summary>
internal static unsafe class GemmScratch
{
    private const int AlignFloats = 16;

    [ThreadStatic]
    private static float[]? t_packA;

    [ThreadStatic]
    private static float[]? t_packB;

    [ThreadStatic]
    private static float[]? t_tail;

    /// <summary>Buffer for packed A panels (at least <paramref name="count"/> floats).</summary>
    public static float* PackA(int count) => Get(ref t_packA, count);

    /// <summary>Buffer for packed B panels (at least <paramref name="count"/> floats).</summary>
    public static float* PackB(int count) => Get(ref t_packB, count);

    /// <summary>Buffer for zero-padded edge panels of the small-m kernels.</summary>
    public static float* Tail(int count) => Get(ref t_tail, count);

    private static float* Get(ref float[]? storage, int count)
    {
        if (storage is null || storage.Length < count + AlignFloats)
        {
            // Grow geometrically so a sequence of slightly larger shapes does not reallocate each time.
            int size = Math.Max(count + AlignFloats, storage is null ? 0 : (int)Math.Min(int.MaxValue - 64L, storage.Length * 3L / 2));
            storage = GC.AllocateUninitializedArray<float>(size, pinned: true);
        }

        nint address = Marshal.UnsafeAddrOfPinnedArrayElement(storage, 0);
        nint aligned = (address + (AlignFloats * sizeof(float) - 1)) & ~(nint)(AlignFloats * sizeof(float) - 1);
        return (float*)aligned;
    }
}
