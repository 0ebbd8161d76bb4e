using System;
using RnnGen.Kernels;
using Xunit;

namespace RnnGen.Tests.Kernels;

/// <summary>
/// The vectorised row operations against plain loops written here. Each column adds its terms in the same
/// order as a row-by-row loop, so the results must be bit-for-bit equal, not merely close.
/// </summary>
public sealed class SequenceOpsTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 7)]
    [InlineData(5, 8)]
    [InlineData(4, 37)]
    [InlineData(9, 64)]
    public void AddBiasRowsAddsBothBiasesToEveryRow(int rows, int n)
    {
        var random = new Random(n);
        int ldc = n + 3;
        float[] bias1 = Random(random, n + 2), bias2 = Random(random, n);
        foreach (bool two in new[] { false, true })
        {
            float[] c = Random(random, rows * ldc), before = (float[])c.Clone();
            SequenceOps.AddBiasRows(rows, n, bias1, two ? bias2 : default, c, ldc);
            for (int r = 0; r < rows; r++)
            {
                for (int j = 0; j < ldc; j++)
                {
                    int at = r * ldc + j;
                    float expected = j >= n ? before[at] : before[at] + (two ? bias1[j] + bias2[j] : bias1[j]);
                    Assert.Equal(expected, c[at]);
                }
            }
        }
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 7)]
    [InlineData(4, 8)]
    [InlineData(7, 37)]
    [InlineData(13, 64)]
    public void AddColumnSumsAddsRowsInOrder(int rows, int n)
    {
        var random = new Random(10 + n);
        int ld = n + 2;
        float[] src = Random(random, rows * ld), dst = Random(random, n + 1), expected = (float[])dst.Clone();
        for (int r = 0; r < rows; r++)
        {
            for (int j = 0; j < n; j++)
            {
                expected[j] += src[r * ld + j];
            }
        }

        SequenceOps.AddColumnSums(rows, n, src, ld, dst);
        Assert.Equal(expected, dst);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(37)]
    public void AddAndMultiplyAreElementwise(int n)
    {
        var random = new Random(20 + n);
        float[] src = Random(random, n), dst = Random(random, n + 1), sum = (float[])dst.Clone(), product = (float[])dst.Clone();
        SequenceOps.Add(src, sum);
        SequenceOps.Multiply(product.AsSpan(0, n), src);
        for (int i = 0; i < n; i++)
        {
            Assert.Equal(dst[i] + src[i], sum[i]);
            Assert.Equal(dst[i] * src[i], product[i]);
        }

        Assert.Equal(dst[n], sum[n]);
        Assert.Equal(dst[n], product[n]);
    }

    private static float[] Random(Random random, int count)
    {
        var values = new float[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = (float)(random.NextDouble() * 4 - 2);
        }

        return values;
    }
}
