using System;
using System.Collections.Generic;
using RnnGen.Kernels;
using Xunit;

namespace RnnGen.Tests.Threading;

/// <summary>
/// Products big enough to be split over threads: 1, 2 and 3 threads must give bitwise identical results,
/// close to the scalar reference, on every path (small-m dot and row-update kernels, the packed kernel split
/// by columns and by rows, edge tiles, transposed operands, leading dimensions with slack).
/// </summary>
[Collection(ThreadCountCollection.Name)]
public sealed class ParallelGemmTests
{
    public enum Variant
    {
        AxBt,
        AxB,
        AtxB,
    }

    private delegate void GemmFn(int m, int n, int k, ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, Span<float> c, int ldc, bool accumulate);

    public static IEnumerable<object[]> Shapes() =>
    [
        // small-m AxBt (m <= 64): column split, dot-block tails in n and depth tails in k
        [Variant.AxBt, 1, 1030, 600, 0, false],
        [Variant.AxBt, 7, 517, 200, 3, true],
        [Variant.AxBt, 64, 2048, 64, 0, true],

        // small-m AxB (m <= 32): column split, a narrow column tail in the last part
        [Variant.AxB, 5, 333, 700, 2, false],
        [Variant.AxB, 32, 256, 1024, 0, true],

        // packed: column split (some parts spanning an NC block boundary), row split (few columns), edge tiles
        [Variant.AxBt, 100, 517, 300, 1, false],
        [Variant.AxBt, 70, 2100, 40, 0, true],
        [Variant.AxB, 65, 530, 257, 5, true],
        [Variant.AxB, 700, 40, 90, 0, false],
        [Variant.AtxB, 700, 40, 90, 2, true],
        [Variant.AtxB, 133, 517, 260, 0, false],
    ];

    [Theory]
    [MemberData(nameof(Shapes))]
    public void OneTwoAndThreeThreadsAgreeBitwiseAndWithTheReference(Variant variant, int m, int n, int k, int extraLd, bool accumulate)
    {
        var rng = new Random(m * 31 + n * 7 + k);
        (int aRows, int aCols) = variant == Variant.AtxB ? (k, m) : (m, k);
        (int bRows, int bCols) = variant == Variant.AxBt ? (n, k) : (k, n);
        int lda = aCols + extraLd, ldb = bCols + extraLd, ldc = n + extraLd;
        float[] a = Noise(rng, ((aRows - 1) * lda) + aCols, 1f);
        float[] b = Noise(rng, ((bRows - 1) * ldb) + bCols, 2f);
        float[] c0 = Noise(rng, (m * ldc) + 8, 3f);

        float[] expected = (float[])c0.Clone();
        Reference(variant)(m, n, k, a, lda, b, ldb, expected, ldc, accumulate);

        float[]? first = null;
        foreach (int threads in new[] { 1, 2, 3 })
        {
            float[] c = (float[])c0.Clone();
            using (new ThreadCountScope(threads))
            {
                Fn(variant)(m, n, k, a, lda, b, ldb, c, ldc, accumulate);
            }

            if (first is null)
            {
                first = c;
                AssertClose(expected, c, k, accumulate, $"{variant} m={m} n={n} k={k}");
            }
            else
            {
                for (int i = 0; i < c.Length; i++)
                {
                    if (BitConverter.SingleToInt32Bits(c[i]) != BitConverter.SingleToInt32Bits(first[i]))
                    {
                        Assert.Fail($"{variant} m={m} n={n} k={k}: {threads} threads give c[{i}] = {c[i]:R}, 1 thread {first[i]:R}");
                    }
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void TheShapesAreSplit(Variant variant, int m, int n, int k, int extraLd, bool accumulate)
    {
        _ = extraLd;
        _ = accumulate;
        using var scope = new ThreadCountScope(3);
        int parts = variant switch
        {
            Variant.AxBt when m <= Gemm.SmallRowsAxBt => GemmParallel.PlanSmallAxBt(m, n, k),
            Variant.AxB when m <= Gemm.SmallRowsAxB => GemmParallel.PlanSmallAxB(m, n, k),
            _ => GemmParallel.PlanBlocked(m, n, k).Parts,
        };
        Assert.True(parts >= 2, $"{variant} m={m} n={n} k={k} runs as {parts} part(s)");
    }

    [Fact]
    public void PackedSplitPacksTheSmallerOperandTwice()
    {
        using var scope = new ThreadCountScope(2);
        Assert.Equal((2, false), GemmParallel.PlanBlocked(1600, 2048, 512)); // input projection: A is packed per NC block anyway
        Assert.Equal((2, true), GemmParallel.PlanBlocked(2048, 512, 1600));  // weight gradient: B (k×n) is the smaller
        Assert.Equal((2, false), GemmParallel.PlanBlocked(64, 512, 2048));   // per-step dh with B = 64: A is 64 rows
        Assert.Equal((2, true), GemmParallel.PlanBlocked(700, 40, 90));      // too few columns for two parts
    }

    [Fact]
    public void SmallProductsStayOnTheCallingThread()
    {
        using var scope = new ThreadCountScope(2);
        Assert.Equal(1, GemmParallel.PlanSmallAxBt(1, 256, 64));  // GEMV, H = 64
        Assert.Equal(1, GemmParallel.PlanSmallAxB(1, 64, 256));
        Assert.Equal(1, GemmParallel.PlanBlocked(100, 64, 64).Parts);
    }

    private static GemmFn Fn(Variant v) => v switch
    {
        Variant.AxBt => Gemm.AxBt,
        Variant.AxB => Gemm.AxB,
        _ => Gemm.AtxB,
    };

    private static GemmFn Reference(Variant v) => v switch
    {
        Variant.AxBt => GemmReference.AxBt,
        Variant.AxB => GemmReference.AxB,
        _ => GemmReference.AtxB,
    };

    private static void AssertClose(float[] expected, float[] actual, int k, bool accumulate, string what)
    {
        double tolerance = (4e-6 * Math.Sqrt(k) * 2.0) + (accumulate ? 3e-6 : 0);
        for (int i = 0; i < actual.Length; i++)
        {
            if (Math.Abs(actual[i] - expected[i]) > tolerance)
            {
                Assert.Fail($"{what}: c[{i}] = {actual[i]}, expected {expected[i]}");
            }
        }
    }

    private static float[] Noise(Random rng, int length, float scale)
    {
        var x = new float[length];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = (float)((rng.NextDouble() * 2) - 1) * scale;
        }

        return x;
    }
}
