using System.Collections.Generic;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;
using Xunit;

namespace RnnGen.Tests.Kernels;

/// <summary>
/// The vector widths (floats per vector) whose GEMM and recurrent-product kernels this process runs natively: 16 where
/// Vector512 is accelerated, 8 with AVX2 + FMA, 4 always, exactly the ladder the runtime's dispatch walks. A test
/// that takes a width as data runs each kernel specialisation directly, so one ordinary run covers the narrower ones.
/// </summary>
internal static class KernelWidths
{
    public static IReadOnlyList<int> Supported
    {
        get
        {
            var widths = new List<int>();
            if (Vector512.IsHardwareAccelerated)
            {
                widths.Add(16);
            }

            if (Avx2.IsSupported && Fma.IsSupported)
            {
                widths.Add(8);
            }

            widths.Add(4);
            return widths;
        }
    }

    public static TheoryData<int> Data()
    {
        var data = new TheoryData<int>();
        foreach (int width in Supported)
        {
            data.Add(width);
        }

        return data;
    }

    /// <summary>
    /// Whether the kernels of this width fuse a·b + c into one rounding: Vec512Ops always does, the others
    /// (MultiplyAddEstimate) exactly when the hardware has FMA.
    /// </summary>
    public static bool Fused(int width) => width == 16 || Fma.IsSupported || AdvSimd.Arm64.IsSupported;

    /// <summary>acc + a·b the way a kernel of <paramref name="width"/> computes it lane by lane.</summary>
    public static float MultiplyAdd(int width, float a, float b, float acc) =>
        Fused(width) ? System.MathF.FusedMultiplyAdd(a, b, acc) : (a * b) + acc;
}
