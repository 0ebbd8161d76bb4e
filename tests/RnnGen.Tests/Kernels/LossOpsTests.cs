using System;
using RnnGen.Kernels;
using Xunit;

namespace RnnGen.Tests.Kernels;

/// <summary>The mean squared error against a double-precision formula, at feature widths with and without a vector tail.</summary>
public sealed class LossOpsTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(37)]
    [InlineData(64)]
    public void MeanSquaredErrorMatchesFormulaAndSkipsPaddedSteps(int features)
    {
        const int Steps = 3, Batch = 2;
        var random = new Random(features);
        int[] lengths = [3, 2];
        float[] y = Random(random, Steps * Batch * features), target = Random(random, Batch * Steps * features);
        var dy = new float[y.Length];
        dy.AsSpan().Fill(float.NaN);
        float loss = LossOps.MeanSquaredError(y, target, Steps, Batch, features, lengths, dy);

        int valid = 5;
        double sum = 0;
        for (int t = 0; t < Steps; t++)
        {
            for (int b = 0; b < Batch; b++)
            {
                for (int j = 0; j < features; j++)
                {
                    int at = (t * Batch + b) * features + j;
                    if (t >= lengths[b])
                    {
                        Assert.Equal(0f, dy[at]);
                        continue;
                    }

                    double diff = (double)y[at] - target[(b * Steps + t) * features + j];
                    sum += diff * diff;
                    double gradient = 2 * diff / (valid * features);
                    Assert.True(Math.Abs(gradient - dy[at]) <= 1e-6 * Math.Abs(gradient) + 1e-12, $"dy[{at}] = {dy[at]:R}, expected {gradient:R}");
                }
            }
        }

        double expected = sum / (valid * features);
        Assert.True(Math.Abs(expected - loss) <= 1e-6 * expected, $"loss {loss:R}, expected {expected:R}");
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
