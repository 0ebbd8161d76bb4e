using System;
using Xunit;

namespace RnnGen.Distributed.Tests;

/// <summary>The loss-term counts that weight each rank's gradient, and the scaling applied before the all-reduce.</summary>
public sealed class GradientWeightTests
{
    [Fact]
    public void LossTermsAreTheValidPositions()
    {
        Assert.Equal(3 + 7 + 1, DataParallel.CountLossTerms([3, 7, 1], rows: 3, steps: 7));
        Assert.Equal(21, DataParallel.CountLossTerms(default, rows: 3, steps: 7));

        // A partial batch: only the first rows count.
        Assert.Equal(3 + 7, DataParallel.CountLossTerms([3, 7, 1], rows: 2, steps: 7));

        // Per-sequence outputs (ReturnSequences = false) average over rows.
        Assert.Equal(3, DataParallel.CountLossTerms([3, 7, 1], rows: 3, steps: 1));
    }

    [Fact]
    public void TooFewLengthsAreRefused()
    {
        var e = Assert.Throws<ArgumentException>(() => DataParallel.CountLossTerms([3, 7], rows: 3, steps: 7));

        Assert.Contains("lengths has 2 entries for 3 rows", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ScaleMultipliesEveryElementLikeTheScalarLoop()
    {
        foreach (int length in new[] { 0, 1, 7, 16, 33, 1000 })
        {
            var random = new Random(length);
            var values = new float[length];
            for (int i = 0; i < length; i++)
            {
                values[i] = (float)(random.NextDouble() * 4 - 2);
            }

            float[] expected = Array.ConvertAll(values, x => x * 0.37f);
            DataParallel.Scale(values, 0.37f);

            Assert.Equal(expected, values);
        }
    }
}
