using System;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Xunit;
using Xunit.Abstractions;

namespace RnnGen.Tests.Kernels;

/// <summary>
/// .ci/run repeats the suite with AVX-512 and then AVX2 switched off; this proves the switch took
/// effect, so each pass really exercises its kernel path.
/// </summary>
public sealed class InstructionSetTests(ITestOutputHelper output)
{
    [Fact]
    public void DisabledInstructionSetsAreReallyOff()
    {
        output.WriteLine($"Vector512 {Vector512.IsHardwareAccelerated}, AVX2 {Avx2.IsSupported}, FMA {Fma.IsSupported}");
        if (Environment.GetEnvironmentVariable("DOTNET_EnableAVX512") == "0")
        {
            Assert.False(Vector512.IsHardwareAccelerated);
        }

        if (Environment.GetEnvironmentVariable("DOTNET_EnableAVX2") == "0")
        {
            Assert.False(Avx2.IsSupported);
            Assert.False(Vector512.IsHardwareAccelerated);
        }
    }
}
