using System;
using System.Linq;
using RnnGen.Tests.GradientChecks;
using Xunit;

namespace RnnGen.Tests.Generated;

/// <summary>Construction is deterministic in the seed and follows PyTorch's default distributions.</summary>
public sealed class InitializationTests
{
    [Fact]
    public void SameSeedSameWeightsOtherSeedOtherWeights()
    {
        var a = new MixedStackLm(seed: 5);
        var b = new MixedStackLm(seed: 5);
        var c = new MixedStackLm(seed: 6);
        foreach (string name in a.Parameters.Names)
        {
            Assert.True(a.Parameters[name].SequenceEqual(b.Parameters[name]), $"{name} differs for the same seed");
            Assert.False(a.Parameters[name].SequenceEqual(c.Parameters[name]), $"{name} is the same for different seeds");
        }
    }

    [Fact]
    public void DistributionsFollowPyTorchDefaults()
    {
        var model = new MixedStackLm(seed: 9);
        // nn.LSTM / nn.GRU: every weight and bias ~ U(-1/sqrt(H), 1/sqrt(H)).
        AssertUniform(model.Parameters["enc.weight_hh_l0_reverse"], 1 / Math.Sqrt(6));
        AssertUniform(model.Parameters["dec.bias_ih_l0"], 1 / Math.Sqrt(5));
        // nn.Linear: weight and bias ~ U(-1/sqrt(in), 1/sqrt(in)).
        AssertUniform(model.Parameters["out.weight"], 1 / Math.Sqrt(5));
        // nn.Embedding: N(0, 1).
        float[] table = model.Parameters["embed.weight"].ToArray();
        double mean = table.Average(v => (double)v);
        double std = Math.Sqrt(table.Average(v => (v - mean) * (v - mean)));
        Assert.InRange(mean, -0.4, 0.4);
        Assert.InRange(std, 0.7, 1.3);
    }

    private static void AssertUniform(ReadOnlySpan<float> values, double bound)
    {
        float[] v = values.ToArray();
        Assert.All(v, x => Assert.InRange(x, -bound, bound));
        // Spread across the range, not bunched: the extremes reach past half the bound.
        Assert.True(v.Max() > bound / 2 && v.Min() < -bound / 2, $"values do not span U(±{bound:F3})");
    }
}
