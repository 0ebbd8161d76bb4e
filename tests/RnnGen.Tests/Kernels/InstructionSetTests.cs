using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Numerics;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using RnnGen.Kernels;
using Xunit;
using Xunit.Abstractions;

namespace RnnGen.Tests.Kernels;

/// <summary>
/// .ci/run repeats the suite with AVX-512 and then AVX2 switched off. Each pass must run the kernel path it
/// claims: with no knob, the widest path the hardware offers (read from /proc/cpuinfo, not from .NET); with
/// a knob, that instruction set really off and the next narrower path on. A pass that silently ran another
/// path would otherwise go green while testing nothing new.
/// </summary>
public sealed class InstructionSetTests(ITestOutputHelper output)
{
    private static readonly string[] Avx512Flags = ["avx512f", "avx512bw", "avx512cd", "avx512dq", "avx512vl"];

    /// <summary>Knobs that change which instruction sets .NET uses; any other than the two CI sets makes the default expectations moot.</summary>
    private static readonly string[] IsaKnobs =
        ["EnableHWIntrinsic", "EnableSSE", "EnableSSE2", "EnableSSE3", "EnableSSSE3", "EnableSSE41", "EnableSSE42", "EnableAVX", "EnableFMA",
         "EnableAVX2", "EnableAVX512", "EnableAVX512F", "EnableAVX512BW", "EnableAVX512CD", "EnableAVX512DQ", "EnableAVX512VL",
         "PreferredVectorBitWidth", "MaxVectorTBitWidth"];

    [Fact]
    public void EachPassRunsTheKernelPathItClaims()
    {
        int width = Gemm.VectorWidth;
        output.WriteLine($"Vector512 {Vector512.IsHardwareAccelerated}, AVX-512F {Avx512F.IsSupported}, AVX2 {Avx2.IsSupported}, FMA {Fma.IsSupported}, AVX {Avx.IsSupported}, " +
            $"Vector<float> {Vector<float>.Count}, GEMM width {width}; knobs: {string.Join(", ", SetKnobs())}");

        // Every dispatching kernel agrees on the width (they choose it independently).
        Assert.Equal(width, new RecurrentWeights(1, 1, 1).Width);
        Assert.Equal(2 * width, new PackedMatrix(1, 1).PanelWidth);
        Assert.Equal(width, Vector512.IsHardwareAccelerated ? 16 : Avx2.IsSupported && Fma.IsSupported ? 8 : 4);

        if (!X86Base.IsSupported)
        {
            // Arm64 and others: only the 128-bit path exists.
            Assert.Equal(4, width);
            return;
        }

        HashSet<string> flags = CpuFlags();
        bool hardwareAvx2 = flags.Contains("avx2") && flags.Contains("fma");
        bool hardwareAvx512 = Avx512Flags.All(flags.Contains);
        bool avx512Off = Knob("EnableAVX512") == "0" || Knob("EnableAVX512F") == "0";
        bool avx2Off = Knob("EnableAVX2") == "0";
        string[] others = SetKnobs().Where(k => k is not ("EnableAVX512" or "EnableAVX2")).ToArray();
        if (others.Length > 0)
        {
            output.WriteLine($"Knobs other than the CI passes' are set ({string.Join(", ", others)}): only the kernels' agreement is checked.");
            return;
        }

        if (avx2Off)
        {
            Assert.False(Avx2.IsSupported, "DOTNET_EnableAVX2=0 is set, yet AVX2 is on");
            Assert.False(Vector512.IsHardwareAccelerated, "DOTNET_EnableAVX2=0 is set, yet Vector512 is accelerated");
            Assert.Equal(4, width);
            Assert.Equal(4, Vector<float>.Count);
        }
        else if (avx512Off)
        {
            Assert.False(Vector512.IsHardwareAccelerated, "DOTNET_EnableAVX512=0 is set, yet Vector512 is accelerated");
            Assert.False(Avx512F.IsSupported, "DOTNET_EnableAVX512=0 is set, yet AVX-512F is on");
            Assert.True(!hardwareAvx2 || width == 8, $"DOTNET_EnableAVX512=0 should leave the AVX2 path (8 floats) on this CPU (flags avx2, fma); the kernels run {width}");
        }
        else
        {
            // No knob: .NET must use what the hardware has.
            Assert.True(!hardwareAvx2 || (Avx2.IsSupported && Fma.IsSupported), "/proc/cpuinfo lists avx2 and fma, but .NET does not use them");
            Assert.True(!hardwareAvx512 || Avx512F.IsSupported, $"/proc/cpuinfo lists {string.Join(", ", Avx512Flags)}, but .NET does not use AVX-512");
            int expected = hardwareAvx512 && !PrefersNarrowVectors() ? 16 : hardwareAvx2 ? 8 : 4;
            Assert.True(expected == width,
                $"This CPU ({CpuInfo("model name")}) supports {expected}-float vectors, but the kernels run {width}: the default pass does not test the widest path.");
            Assert.Equal(hardwareAvx2 ? 8 : 4, Vector<float>.Count);
        }
    }

    /// <summary>
    /// .NET keeps 512-bit vectors unaccelerated by default on the first AVX-512 Intel parts, which lower their clock
    /// for them: Skylake-SP, Cascade Lake and Cooper Lake (family 6, model 0x55) and Cannon Lake (model 0x66).
    /// </summary>
    private static bool PrefersNarrowVectors() =>
        CpuInfo("vendor_id") == "GenuineIntel" && CpuInfo("cpu family") == "6" && CpuInfo("model") is "85" or "102";

    private static HashSet<string> CpuFlags()
    {
        string? flags = CpuInfo("flags");
        Assert.True(flags is not null, "/proc/cpuinfo has no flags line: cannot tell which instruction sets the hardware has.");
        return flags.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>The first value of a /proc/cpuinfo field (this test reads the hardware's own list, not .NET's).</summary>
    private static string? CpuInfo(string field)
    {
        const string path = "/proc/cpuinfo";
        Assert.True(File.Exists(path), $"{path} is absent: this test needs Linux to know what the hardware supports.");
        foreach (string line in File.ReadLines(path))
        {
            int colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && line[..colon].Trim() == field)
            {
                return line[(colon + 1)..].Trim();
            }
        }

        return null;
    }

    private static string? Knob(string name) =>
        Environment.GetEnvironmentVariable("DOTNET_" + name) ?? Environment.GetEnvironmentVariable("COMPlus_" + name);

    private static IEnumerable<string> SetKnobs() =>
        IsaKnobs.Where(k => Knob(k) is not null);
}
