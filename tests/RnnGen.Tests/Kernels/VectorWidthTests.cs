using System;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Xunit;
using Xunit.Abstractions;

namespace RnnGen.Tests.Kernels;

/// <summary>
/// The width tests run each width the process accelerates; this makes sure that is every width the processor has
/// (read from CPUID, which the runtime's DOTNET_Enable* knobs do not change), so on an AVX-512 machine the
/// 512-bit kernels cannot be skipped without a failure, unless a knob switched them off on purpose.
/// </summary>
public sealed class VectorWidthTests(ITestOutputHelper output)
{
    [Fact]
    public void EveryWidthTheProcessorHasIsAccelerated()
    {
        output.WriteLine(VectorWidths.Describe());
        Assert.True(Vector128.IsHardwareAccelerated, "Vector128 is not accelerated: the kernels would run in software.");
        if (!X86Base.IsSupported)
        {
            // Arm64 has one vector width (AdvSimd); x86 with every intrinsic switched off lands here too.
            Assert.True(RuntimeInformation.ProcessArchitecture != Architecture.X64 || Knob("EnableHWIntrinsic"),
                "x64 without X86Base: only DOTNET_EnableHWIntrinsic=0 should do that.");
            return;
        }

        (_, int ebx7, _, _) = X86Base.CpuId(7, 0);
        (_, _, int ecx1, _) = X86Base.CpuId(1, 0);
        bool osSavesAvx = Bit(ecx1, 27) && Bit(ecx1, 28);
        bool cpuAvx2 = osSavesAvx && Bit(ebx7, 5) && Bit(ecx1, 12);
        bool cpuAvx512 = cpuAvx2 && Bit(ebx7, 16) && Bit(ebx7, 17) && Bit(ebx7, 28) && Bit(ebx7, 30) && Bit(ebx7, 31); // F, DQ, CD, BW, VL
        bool avx2Off = Knob("EnableHWIntrinsic") || Knob("EnableAVX") || Knob("EnableAVX2");
        bool avx512Off = avx2Off || Knob("EnableAVX512") || Knob("EnableAVX512F")
            || Environment.GetEnvironmentVariable("DOTNET_PreferredVectorBitWidth") is not null;
        output.WriteLine($"CPUID: AVX2+FMA {cpuAvx2}, AVX-512 F/DQ/CD/BW/VL {cpuAvx512}; knobs off: AVX2 {avx2Off}, AVX-512 {avx512Off}");

        if (cpuAvx2 && !avx2Off)
        {
            Assert.True(Vector256.IsHardwareAccelerated && Fma.IsSupported, "The processor has AVX2 and FMA, but the 256-bit kernels are not used.");
        }

        if (cpuAvx512 && !avx512Off)
        {
            // .NET keeps 256-bit vectors by default on the few Intel parts whose clock drops under 512-bit code; it
            // still reports the instruction set then, and the runtime's kernels take 256 bits like the tests.
            Assert.True(Vector512.IsHardwareAccelerated || Avx512F.IsSupported,
                "The processor has AVX-512, but .NET does not see it: the 512-bit kernels would go untested here.");
            if (!Vector512.IsHardwareAccelerated)
            {
                output.WriteLine(".NET prefers 256-bit vectors on this processor; the 512-bit kernels are not used here.");
            }
        }

        if (avx512Off)
        {
            Assert.False(Vector512.IsHardwareAccelerated && (Knob("EnableAVX512") || avx2Off), "A knob switched AVX-512 off, yet Vector512 is accelerated.");
        }
    }

    private static bool Bit(int value, int bit) => ((value >> bit) & 1) == 1;

    /// <summary>True when the runtime knob DOTNET_<paramref name="name"/> (or COMPlus_) is set to 0.</summary>
    private static bool Knob(string name) =>
        Environment.GetEnvironmentVariable("DOTNET_" + name) == "0" || Environment.GetEnvironmentVariable("COMPlus_" + name) == "0";
}
