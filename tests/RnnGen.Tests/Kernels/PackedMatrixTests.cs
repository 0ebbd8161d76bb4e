using System;
using RnnGen.Kernels;
using RnnGen.Tests.Threading;
using Xunit;

namespace RnnGen.Tests.Kernels;

/// <summary>
/// <see cref="Gemm.AxPacked"/> against the scalar reference, and bit for bit against the blocked kernel
/// that packs B on every call, for edge panels, several depth blocks, both operand layouts and thread counts.
/// </summary>
[Collection(ThreadCountCollection.Name)] // changes RnnThreads.Count
public sealed unsafe class PackedMatrixTests
{
    [Theory]
    [InlineData(1, 1, 1, false)]
    [InlineData(1, 1030, 300, true)]
    [InlineData(2, 100, 40, false)]
    [InlineData(3, 65, 520, true)]
    [InlineData(4, 1024, 256, true)]
    [InlineData(5, 17, 5, true)]
    [InlineData(6, 32, 256, false)]
    [InlineData(7, 33, 300, true)]
    [InlineData(13, 97, 300, false)]
    [InlineData(33, 2048, 512, true)]
    [InlineData(64, 512, 2048, false)]
    [InlineData(150, 1030, 513, true)]
    public void MatchesTheReferenceAndTheUnpackedKernelBitForBit(int m, int n, int k, bool transposed)
    {
        var random = new Random(m + n + k);
        float[] a = Random(random, m * k), b = Random(random, k * n), c0 = Random(random, m * n);
        var packed = new PackedMatrix(k, n);
        packed.Pack(b, transposed);

        var expected = (float[])c0.Clone();
        if (transposed)
        {
            GemmReference.AxBt(m, n, k, a, k, b, k, expected, n, accumulate: true);
        }
        else
        {
            GemmReference.AxB(m, n, k, a, k, b, n, expected, n, accumulate: true);
        }

        var unpacked = (float[])c0.Clone();
        fixed (float* pa = a, pb = b, pc = unpacked)
        {
            Gemm.Blocked(m, n, k, pa, k, false, pb, transposed ? k : n, transposed, pc, n, accumulate: true);
        }

        foreach (int threads in new[] { 1, 3 })
        {
            int saved = RnnThreads.Count;
            RnnThreads.Count = threads;
            try
            {
                var c = (float[])c0.Clone();
                Gemm.AxPacked(m, a, k, packed, c, n, accumulate: true);
                Assert.Equal(unpacked, c);
                for (int i = 0; i < c.Length; i++)
                {
                    Assert.True(Math.Abs(expected[i] - c[i]) <= 1e-4f * (1 + Math.Abs(expected[i])), $"c[{i}] = {c[i]}, expected {expected[i]}");
                }

                var overwritten = Random(random, m * n);
                Gemm.AxPacked(m, a, k, packed, overwritten, n, accumulate: false);
                for (int i = 0; i < c.Length; i++)
                {
                    Assert.True(Math.Abs(expected[i] - c0[i] - overwritten[i]) <= 1e-4f * (1 + Math.Abs(expected[i])), $"overwrite: c[{i}]");
                }
            }
            finally
            {
                RnnThreads.Count = saved;
            }
        }
    }

    [Theory]
    [InlineData(100, 300, false)]
    [InlineData(70, 40, true)]
    public void ARowGetsTheSameBitsWhateverTheRowCount(int n, int k, bool accumulate)
    {
        // One row alone (the few-row kernels on A in place), among others (the packed micro-kernel), or among the
        // last m mod 6 (the few-row kernels on the packed panel): the same chain per element, so the same bits.
        var random = new Random(n + k);
        float[] a = Random(random, 13 * k), b = Random(random, k * n), c0 = Random(random, 13 * n);
        var packed = new PackedMatrix(k, n);
        packed.Pack(b, transposed: false);
        for (int m = 1; m <= 13; m++)
        {
            var together = (float[])c0.Clone();
            Gemm.AxPacked(m, a.AsSpan(0, m * k), k, packed, together.AsSpan(0, m * n), n, accumulate);
            for (int i = 0; i < m; i++)
            {
                var alone = c0.AsSpan(i * n, n).ToArray();
                Gemm.AxPacked(1, a.AsSpan(i * k, k), k, packed, alone, n, accumulate);
                Assert.Equal(alone, together.AsSpan(i * n, n).ToArray());
            }
        }
    }

    [Fact]
    public void RepacksWhenTheMatrixChanges()
    {
        float[] b = [1, 2, 3, 4, 5, 6]; // 2 × 3
        float[] a = [1, 1];
        var packed = new PackedMatrix(2, 3);
        var c = new float[3];
        packed.Pack(b, transposed: false);
        Gemm.AxPacked(1, a, 2, packed, c, 3, accumulate: false);
        Assert.Equal(new float[] { 5, 7, 9 }, c);
        b[2] = 10;
        packed.Pack(b, transposed: false);
        Gemm.AxPacked(1, a, 2, packed, c, 3, accumulate: false);
        Assert.Equal(new float[] { 5, 7, 16 }, c);
        packed.Pack(b, transposed: true); // same bits, other layout: B = [[1, 2, 10], [4, 5, 6]]ᵀ read as 2 × 3
        Gemm.AxPacked(1, a, 2, packed, c, 3, accumulate: false);
        Assert.Equal(new float[] { 3, 14, 11 }, c);
    }

    [Fact]
    public void MisuseIsReported()
    {
        var packed = new PackedMatrix(4, 8);
        Assert.Throws<InvalidOperationException>(() => Gemm.AxPacked(1, new float[4], 4, packed, new float[8], 8, false));
        var error = Assert.Throws<ArgumentException>(() => packed.Pack(new float[31], transposed: true));
        Assert.Contains("[8, 4]", error.Message);
        packed.Pack(new float[32], transposed: false);
        error = Assert.Throws<ArgumentException>(() => Gemm.AxPacked(2, new float[7], 4, packed, new float[16], 8, false));
        Assert.Equal("a", error.ParamName);
    }

    private static float[] Random(Random random, int count)
    {
        var values = new float[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = (float)(random.NextDouble() * 2 - 1);
        }

        return values;
    }
}
