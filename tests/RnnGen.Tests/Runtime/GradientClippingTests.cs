using System;
using System.Linq;
using System.Text.Json;
using Xunit;

namespace RnnGen.Tests.Runtime;

public sealed class GradientClippingTests
{
    // torch 1.13's clip_grad_norm_ takes the norm of per-tensor float norms; RnnGen sums the squares in
    // double and rounds once. Measured on the reference: the norm 1 ulp apart, the scaled gradients 2.
    private const long MaxUlps = 4;

    private static JsonElement Reference => ReferenceTensors.Root.GetProperty("clipping");

    [Theory]
    [InlineData("norm 1")]
    [InlineData("norm 100")]
    public void ClipByGlobalNormMatchesPyTorch(string name)
    {
        ParameterSet gradients = StepZeroGradients();

        float norm = GradientClipping.ClipByGlobalNorm(gradients, name == "norm 1" ? 1f : 100f);

        Assert.True(ReferenceTensors.Ulps(Reference.GetProperty(name).GetProperty("norm").GetSingle(), norm) <= MaxUlps);
        ReferenceTensors.AssertWithinUlps(ReferenceTensors.Floats(Reference.GetProperty(name).GetProperty("gradients")), ReferenceTensors.Flat(gradients), MaxUlps, name);
    }

    [Theory]
    [InlineData("norm 1")]
    [InlineData("norm 100")]
    public void ClipByGlobalNormOverSeveralSetsIsOneNormOverAllTheirTensors(string name)
    {
        // torch clipped the three tensors as one list; here they are split over two sets, as an encoder's and a decoder's.
        (string Name, int[] Shape)[] tensors = ReferenceTensors.Tensors;
        var encoder = new ParameterSet(tensors[..2]);
        var decoder = new ParameterSet(tensors[2..]);
        ParameterSet all = StepZeroGradients();
        foreach (ParameterSet set in new[] { encoder, decoder })
        {
            foreach (string tensor in set.Names)
            {
                all[tensor].CopyTo(set[tensor]);
            }
        }

        float norm = GradientClipping.ClipByGlobalNorm([encoder, decoder], name == "norm 1" ? 1f : 100f);

        Assert.True(ReferenceTensors.Ulps(Reference.GetProperty(name).GetProperty("norm").GetSingle(), norm) <= MaxUlps);
        float[] actual = ReferenceTensors.Flat(encoder).Concat(ReferenceTensors.Flat(decoder)).ToArray();
        ReferenceTensors.AssertWithinUlps(ReferenceTensors.Floats(Reference.GetProperty(name).GetProperty("gradients")), actual, MaxUlps, name);
        Assert.Equal(norm, GradientClipping.ClipByGlobalNorm(StepZeroGradients(), float.MaxValue));
    }

    [Fact]
    public void NormSpansEveryTensor()
    {
        var gradients = new ParameterSet([("a", [1]), ("b", [2, 1])]);
        gradients["a"][0] = 3f;
        gradients["b"][1] = 4f;

        float norm = GradientClipping.ClipByGlobalNorm(gradients, 2.5f);

        Assert.Equal(5f, norm);
        Assert.Equal(1.5f, gradients["a"][0], 1e-6f);
        Assert.Equal(2f, gradients["b"][1], 1e-6f);
        Assert.Equal(0f, gradients["b"][0]);
    }

    [Fact]
    public void ZeroGradientsGiveZeroNormAndStayZero()
    {
        ParameterSet gradients = ReferenceTensors.NewSet();

        Assert.Equal(0f, GradientClipping.ClipByGlobalNorm(gradients, 0f));
        Assert.All(gradients.Data.ToArray(), v => Assert.Equal(0f, v));
        Assert.Equal(0f, GradientClipping.ClipByGlobalNorm(ReadOnlySpan<ParameterSet>.Empty, 1f));
    }

    [Fact]
    public void NonFiniteNormIsReturnedAndGradientsAreLeftAlone()
    {
        var first = new ParameterSet([("a", [2])]);
        var second = new ParameterSet([("b", [2])]);
        first["a"][1] = 1f;
        second["b"][0] = float.NaN;

        Assert.True(float.IsNaN(GradientClipping.ClipByGlobalNorm([first, second], 1e-3f)));
        Assert.Equal(1f, first["a"][1]);
    }

    [Fact]
    public void BadArgumentsThrow()
    {
        ParameterSet gradients = ReferenceTensors.NewSet();

        Assert.Throws<ArgumentOutOfRangeException>(() => GradientClipping.ClipByGlobalNorm(gradients, -1f));
        Assert.Throws<ArgumentOutOfRangeException>(() => GradientClipping.ClipByGlobalNorm(gradients, float.NaN));
        Assert.Throws<ArgumentException>(() => GradientClipping.ClipByGlobalNorm([gradients, gradients], 1f));
        Assert.Throws<ArgumentNullException>(() => GradientClipping.ClipByGlobalNorm([gradients, null!], 1f));
        Assert.Throws<ArgumentOutOfRangeException>(() => GradientClipping.ClipByValue(gradients, -0.5f));
        Assert.Throws<ArgumentOutOfRangeException>(() => GradientClipping.ClipByValue(gradients, float.NaN));
        Assert.Throws<ArgumentNullException>(() => GradientClipping.ClipByValue(null!, 1f));
    }

    [Theory]
    [InlineData("value 0.5", 0.5f)]
    [InlineData("value 2", 2f)]
    public void ClipByValueMatchesPyTorchExactly(string name, float clipValue)
    {
        ParameterSet gradients = StepZeroGradients();

        GradientClipping.ClipByValue(gradients, clipValue);

        Assert.Equal(ReferenceTensors.Floats(Reference.GetProperty(name)), ReferenceTensors.Flat(gradients));
        Assert.All(ReferenceTensors.Padding(gradients), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void ClipByValueKeepsNaNAndClampsInfinities()
    {
        var gradients = new ParameterSet([("w", [19])]);
        Span<float> w = gradients["w"];
        w[0] = float.NaN;
        w[9] = float.PositiveInfinity;
        w[17] = float.NegativeInfinity;
        w[18] = -0.25f;

        GradientClipping.ClipByValue(gradients, 1f);

        Assert.True(float.IsNaN(w[0]));
        Assert.Equal(1f, w[9]);
        Assert.Equal(-1f, w[17]);
        Assert.Equal(-0.25f, w[18]);
    }

    private static ParameterSet StepZeroGradients()
    {
        ParameterSet gradients = ReferenceTensors.NewSet();
        ReferenceTensors.FillGradient(gradients, 0);
        return gradients;
    }
}
