using System;
using System.Collections.Generic;
using RnnGen.Kernels;
using Xunit;

namespace RnnGen.Tests.Kernels;

public class GemmTests
{
    public enum Variant
    {
        AxBt,
        AxB,
        AtxB,
    }

    private delegate void GemmFn(int m, int n, int k, ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, Span<float> c, int ldc, bool accumulate);

    private static readonly int[] Sizes = [0, 1, 2, 3, 5, 7, 8, 15, 16, 17, 31, 33, 64, 65, 100, 257];

    public static IEnumerable<object[]> Variants() =>
        [[Variant.AxBt], [Variant.AxB], [Variant.AtxB]];

    [Theory]
    [MemberData(nameof(Variants))]
    public void MatchesReferenceOnAllEdgeSizes(Variant variant)
    {
        var rng = new Random(1234 + (int)variant);

        // Every m, n, k from the size list against a few partners, so each size meets each code path
        // (small-m kernels, blocked tails in rows, columns and depth).
        foreach (int m in Sizes)
        {
            foreach (int n in Sizes)
            {
                int k = Sizes[rng.Next(Sizes.Length)];
                Check(variant, m, n, k, rng, extraLd: rng.Next(3) == 0 ? rng.Next(1, 20) : 0, accumulate: rng.Next(2) == 0);
            }

            foreach (int k in Sizes)
            {
                int n = Sizes[rng.Next(Sizes.Length)];
                Check(variant, m, n, k, rng, extraLd: rng.Next(3) == 0 ? rng.Next(1, 20) : 0, accumulate: rng.Next(2) == 0);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void MatchesReferenceOnRandomShapes(Variant variant)
    {
        var rng = new Random(99 + (int)variant);
        for (int trial = 0; trial < 60; trial++)
        {
            int m = rng.Next(0, 300), n = rng.Next(0, 300), k = rng.Next(0, 600);
            Check(variant, m, n, k, rng, extraLd: rng.Next(0, 40), accumulate: rng.Next(2) == 0);
        }
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void MatchesReferenceOnBlockBoundaries(Variant variant)
    {
        // Crosses the KC (depth), MC (row) and NC (column) blocking of the packed kernel.
        var rng = new Random(7);
        Check(variant, 150, 40, 513, rng, extraLd: 3, accumulate: true);
        Check(variant, 289, 33, 260, rng, extraLd: 0, accumulate: false);
        Check(variant, 13, 2100, 37, rng, extraLd: 5, accumulate: true);
        Check(variant, 4, 1024, 256, rng, extraLd: 0, accumulate: false);
        Check(variant, 9, 96, 1000, rng, extraLd: 1, accumulate: true);
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void ZeroDepthClearsOrKeeps(Variant variant)
    {
        var c = new float[] { 1, 2, 3, 4, 5, 6 };
        Fn(variant)(2, 2, 0, [], 0, [], 2, c, 3, accumulate: true);
        Assert.Equal(new float[] { 1, 2, 3, 4, 5, 6 }, c);
        Fn(variant)(2, 2, 0, [], 0, [], 2, c, 3, accumulate: false);
        Assert.Equal(new float[] { 0, 0, 3, 0, 0, 6 }, c);
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void TooShortSpansThrow(Variant variant)
    {
        const int m = 5, n = 7, k = 9;
        GemmFn f = Fn(variant);
        (int aRows, int aCols) = variant == Variant.AtxB ? (k, m) : (m, k);
        (int bRows, int bCols) = variant == Variant.AxBt ? (n, k) : (k, n);
        int lda = aCols + 2, ldb = bCols + 1, ldc = n + 3;
        float[] a = new float[((aRows - 1) * lda) + aCols];
        float[] b = new float[((bRows - 1) * ldb) + bCols];
        float[] c = new float[((m - 1) * ldc) + n];

        f(m, n, k, a, lda, b, ldb, c, ldc, false); // exactly long enough: fine

        Assert.Throws<ArgumentException>("a", () => f(m, n, k, a.AsSpan(1), lda, b, ldb, c, ldc, false));
        Assert.Throws<ArgumentException>("b", () => f(m, n, k, a, lda, b.AsSpan(1), ldb, c, ldc, false));
        Assert.Throws<ArgumentException>("c", () => f(m, n, k, a, lda, b, ldb, c.AsSpan(1), ldc, false));
        Assert.Throws<ArgumentException>("a", () => f(m, n, k, a, aCols - 1, b, ldb, c, ldc, false));
        Assert.Throws<ArgumentException>("c", () => f(m, n, k, a, lda, b, ldb, c, n - 1, false));
        Assert.ThrowsAny<ArgumentException>(() => f(-1, n, k, a, lda, b, ldb, c, ldc, false));
    }

    [Fact]
    public void LargeSmallRowAndBlockedPathsAgree()
    {
        // The recurrent shapes: few rows, a long weight stream.
        var rng = new Random(5);
        foreach (int m in new[] { 1, 2, 3, 4, 5, 8, 9, 16 })
        {
            Check(Variant.AxBt, m, 1024, 256, rng, extraLd: 0, accumulate: true);
            Check(Variant.AxB, m, 256, 1024, rng, extraLd: 0, accumulate: true);
        }
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

    private static void Check(Variant variant, int m, int n, int k, Random rng, int extraLd, bool accumulate)
    {
        (int aRows, int aCols) = variant == Variant.AtxB ? (k, m) : (m, k);
        (int bRows, int bCols) = variant == Variant.AxBt ? (n, k) : (k, n);
        int lda = aCols + extraLd, ldb = bCols + (extraLd / 2), ldc = n + extraLd;

        float[] a = Noise(rng, Math.Max(0, ((aRows - 1) * lda) + aCols), 1f);
        float[] b = Noise(rng, Math.Max(0, ((bRows - 1) * ldb) + bCols), 2f);

        // C with trailing slack: elements between rows and past the end must survive untouched.
        float[] c = Noise(rng, (Math.Max(m, 1) * ldc) + 8, 3f);
        float[] expected = (float[])c.Clone();

        Reference(variant)(m, n, k, a, lda, b, ldb, expected, ldc, accumulate);
        Fn(variant)(m, n, k, a, lda, b, ldb, c, ldc, accumulate);

        // Float accumulation error grows like sqrt(k)·eps·|a|·|b| per term; |A| <= 1, |B| <= 2, |C| <= 3.
        double tolerance = (4e-6 * Math.Sqrt(k) * 1.0 * 2.0) + (accumulate ? 1e-6 * 3.0 : 0);
        for (int i = 0; i < c.Length; i++)
        {
            if (Math.Abs(c[i] - expected[i]) > tolerance)
            {
                Assert.Fail($"{variant} m={m} n={n} k={k} ld+={extraLd} acc={accumulate}: c[{i}] (row {i / ldc}, col {i % ldc}) = {c[i]}, expected {expected[i]}");
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
