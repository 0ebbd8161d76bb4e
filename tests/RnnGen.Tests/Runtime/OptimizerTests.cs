using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using Xunit;
using Xunit.Abstractions;

namespace RnnGen.Tests.Runtime;

public sealed class OptimizerTests(ITestOutputHelper output)
{
    /// <summary>
    /// Every element of every step, and the final state, must equal PyTorch's bit for bit: the rules
    /// follow torch 1.13's single-tensor operation order, with one fused multiply-add wherever torch's
    /// CPU kernels fuse (<c>add(x, alpha=a)</c>, <c>addcmul</c>), and the step scalars are computed in
    /// double and rounded once, as torch does in Python. .NET's fused multiply-add is exact without FMA
    /// hardware too, so this holds on every instruction-set path (.ci/run checks AVX-512, AVX2 and portable).
    /// A torch built without FMA kernels would differ by an ulp or so.
    /// </summary>
    private const long MaxUlps = 0;

    public static IEnumerable<object[]> Configurations() => ReferenceTensors.Names("optimizers");

    public static IEnumerable<object[]> Combined() => ReferenceTensors.Names("combined");

    [Theory]
    [MemberData(nameof(Configurations))]
    public void MatchesPyTorchStepByStep(string configuration)
    {
        JsonElement reference = ReferenceTensors.Root.GetProperty("optimizers").GetProperty(configuration);
        Optimizer optimizer = ReferenceOptimizers.Create(configuration);
        ParameterSet parameters = ReferenceTensors.Initial();
        ParameterSet gradients = ReferenceTensors.NewSet();
        long worst = 0;

        for (int step = 0; step < ReferenceTensors.Steps; step++)
        {
            ReferenceTensors.FillGradient(gradients, step);
            optimizer.Step(parameters, gradients);
            float[] expected = ReferenceTensors.Floats(reference.GetProperty("steps")[step]);
            worst = Math.Max(worst, ReferenceTensors.AssertWithinUlps(expected, ReferenceTensors.Flat(parameters), MaxUlps, $"step {step + 1}"));
        }

        Assert.All(ReferenceTensors.Padding(parameters), v => Assert.Equal(0f, v));
        worst = Math.Max(worst, AssertStateMatches(reference, optimizer.GetState()));
        output.WriteLine($"{configuration}: largest distance from PyTorch {worst} ulps");
    }

    [Theory]
    [MemberData(nameof(Combined))]
    public void WithAScheduleMatchesPyTorchStepByStep(string configuration)
    {
        JsonElement reference = ReferenceTensors.Root.GetProperty("combined").GetProperty(configuration);
        (Optimizer optimizer, ILearningRateSchedule schedule) = ReferenceOptimizers.CreateCombined(configuration);
        ParameterSet parameters = ReferenceTensors.Initial();
        ParameterSet gradients = ReferenceTensors.NewSet();
        long worst = 0;

        for (int step = 0; step < ReferenceTensors.Steps; step++)
        {
            ReferenceTensors.FillGradient(gradients, step);
            optimizer.Step(parameters, gradients);
            schedule.Step();
            float[] expected = ReferenceTensors.Floats(reference.GetProperty("steps")[step]);
            worst = Math.Max(worst, ReferenceTensors.AssertWithinUlps(expected, ReferenceTensors.Flat(parameters), MaxUlps, $"step {step + 1}"));
        }

        worst = Math.Max(worst, AssertStateMatches(reference, optimizer.GetState()));
        output.WriteLine($"{configuration}: largest distance from PyTorch {worst} ulps");
    }

    [Theory]
    [MemberData(nameof(Configurations))]
    public void VectorPathEqualsTheScalarReferenceBitForBit(string configuration)
    {
        Optimizer vector = ReferenceOptimizers.Create(configuration);
        Optimizer scalar = ReferenceOptimizers.Create(configuration);
        scalar.ScalarReference = true;
        ParameterSet vectorParameters = ReferenceTensors.Initial();
        ParameterSet scalarParameters = ReferenceTensors.Initial();
        ParameterSet gradients = ReferenceTensors.NewSet();

        for (int step = 0; step < ReferenceTensors.Steps; step++)
        {
            ReferenceTensors.FillGradient(gradients, step);
            vector.Step(vectorParameters, gradients);
            scalar.Step(scalarParameters, gradients);
            Assert.Equal(scalarParameters.Data.ToArray(), vectorParameters.Data.ToArray());
        }

        OptimizerState vectorState = vector.GetState();
        OptimizerState scalarState = scalar.GetState();
        Assert.Equal(scalarState.TensorNames, vectorState.TensorNames);
        foreach (string name in scalarState.TensorNames)
        {
            Assert.Equal(scalarState.GetTensor(name).ToArray(), vectorState.GetTensor(name).ToArray());
        }
    }

    [Theory]
    [MemberData(nameof(Configurations))]
    public void StepsAfterTheFirstDoNotAllocate(string configuration)
    {
        Optimizer optimizer = ReferenceOptimizers.Create(configuration);
        ParameterSet parameters = ReferenceTensors.Initial();
        ParameterSet gradients = ReferenceTensors.NewSet();
        ReferenceTensors.FillGradient(gradients, 0);
        optimizer.Step(parameters, gradients);
        optimizer.Step(parameters, gradients);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++)
        {
            optimizer.Step(parameters, gradients);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Theory]
    [MemberData(nameof(Configurations))]
    public void MisShapedGradientsThrowWithTheNameAndBothShapes(string configuration)
    {
        Optimizer optimizer = ReferenceOptimizers.Create(configuration);
        var parameters = new ParameterSet([("layer.bias", [5]), ("layer.weight", [4, 3])]);
        var gradients = new ParameterSet([("layer.bias", [5]), ("layer.weight", [4, 5])]);

        var e = Assert.Throws<ArgumentException>(() => optimizer.Step(parameters, gradients));

        Assert.Contains("'layer.weight'", e.Message, StringComparison.Ordinal);
        Assert.Contains("[4, 3]", e.Message, StringComparison.Ordinal);
        Assert.Contains("[4, 5]", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, optimizer.StepCount);
    }

    [Fact]
    public void MissingExtraOrReorderedGradientsThrowNamingTheTensor()
    {
        var optimizer = new Sgd(0.1f);
        var parameters = new ParameterSet([("a", [2]), ("b", [3])]);

        var missing = Assert.Throws<ArgumentException>(() => optimizer.Step(parameters, new ParameterSet([("a", [2])])));
        var extra = Assert.Throws<ArgumentException>(() => optimizer.Step(parameters, new ParameterSet([("a", [2]), ("b", [3]), ("c", [1])])));
        var reordered = Assert.Throws<ArgumentException>(() => optimizer.Step(parameters, new ParameterSet([("b", [3]), ("a", [2])])));

        Assert.Contains("'b'", missing.Message, StringComparison.Ordinal);
        Assert.Contains("'c'", extra.Message, StringComparison.Ordinal);
        Assert.Contains("'a'", reordered.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AValidatedPairDoesNotExcuseAnotherGradientSet()
    {
        var optimizer = new Adam();
        ParameterSet parameters = ReferenceTensors.Initial();
        optimizer.Step(parameters, ReferenceTensors.NewSet());

        Assert.Throws<ArgumentException>(() => optimizer.Step(parameters, new ParameterSet([("layer.weight", [4, 3])])));
    }

    [Fact]
    public void AnotherGradientSetOfTheSameLayoutIsAccepted()
    {
        var optimizer = new Adam();
        ParameterSet parameters = ReferenceTensors.Initial();
        optimizer.Step(parameters, ReferenceTensors.NewSet());

        optimizer.Step(parameters, ReferenceTensors.NewSet());

        Assert.Equal(2, optimizer.StepCount);
    }

    [Theory]
    [MemberData(nameof(Configurations))]
    public void AnOptimizerRefusesASecondParameterSetEvenOfTheSameLayout(string configuration)
    {
        Optimizer optimizer = ReferenceOptimizers.Create(configuration);
        ParameterSet first = ReferenceTensors.Initial();
        ParameterSet gradients = ReferenceTensors.NewSet();
        ReferenceTensors.FillGradient(gradients, 0);
        optimizer.Step(first, gradients);
        ParameterSet second = ReferenceTensors.Initial();
        OptimizerState before = optimizer.GetState();

        var sameLayout = Assert.Throws<InvalidOperationException>(() => optimizer.Step(second, gradients));
        var otherLayout = Assert.Throws<InvalidOperationException>(() => optimizer.Step(new ParameterSet([("w", [100])]), new ParameterSet([("w", [100])])));

        Assert.Contains("one optimizer per parameter set", sameLayout.Message, StringComparison.Ordinal);
        Assert.Contains("'w'", otherLayout.Message, StringComparison.Ordinal);
        Assert.Equal(ReferenceTensors.Initial().Data.ToArray(), second.Data.ToArray());
        OptimizerStateTests.AssertSameState(before, optimizer.GetState());
    }

    [Fact]
    public void ChangingTheLearningRateTakesEffectOnTheNextStep()
    {
        var optimizer = new Adam(learningRate: 0.01f);
        var parameters = new ParameterSet([("w", [1])]);
        var gradients = new ParameterSet([("w", [1])]);
        gradients["w"][0] = 1f;

        optimizer.Step(parameters, gradients);
        float first = parameters["w"][0];
        optimizer.LearningRate = 0;
        optimizer.Step(parameters, gradients);

        Assert.Equal(-0.01f, first, 1e-6f);   // Adam's first step is lr * sign(g)
        Assert.Equal(first, parameters["w"][0]);
        Assert.Equal(2, optimizer.StepCount);
    }

    [Fact]
    public void CheckFiniteRefusesANaNGradientAndChangesNothing()
    {
        var optimizer = new Adam { CheckFinite = true };
        ParameterSet parameters = ReferenceTensors.Initial();
        ParameterSet gradients = ReferenceTensors.NewSet();
        ReferenceTensors.FillGradient(gradients, 0);
        optimizer.Step(parameters, gradients);
        float[] parametersBefore = parameters.Data.ToArray();
        OptimizerState stateBefore = optimizer.GetState();
        gradients["rnn.weight_ih_l0"][3 * 5 + 2] = float.NaN;

        var e = Assert.Throws<NonFiniteException>(() => optimizer.Step(parameters, gradients));

        Assert.Equal("Gradients: tensor 'rnn.weight_ih_l0' has NaN at [3, 2].", e.Message);
        Assert.Equal(parametersBefore, parameters.Data.ToArray());
        OptimizerStateTests.AssertSameState(stateBefore, optimizer.GetState());
        Assert.Equal(1, optimizer.StepCount);
    }

    [Fact]
    public void WithoutCheckFiniteAnInfiniteGradientIsStepped()
    {
        var optimizer = new Sgd(0.1f);
        var parameters = new ParameterSet([("w", [2])]);
        var gradients = new ParameterSet([("w", [2])]);
        gradients["w"][1] = float.PositiveInfinity;

        optimizer.Step(parameters, gradients);

        Assert.Equal(float.NegativeInfinity, parameters["w"][1]);
    }

    [Fact]
    public void ZeroEpsilonNeverTouchesThePaddingBetweenTensors()
    {
        // torch divides 0 by 0 for an element whose gradient has always been 0 when eps is 0; the
        // alignment padding must not follow it, or the global norm and checkpoints would see NaN.
        Optimizer[] optimizers = [new Adam(epsilon: 0), new Adagrad(epsilon: 0), new RmsProp(epsilon: 0)];
        foreach (Optimizer optimizer in optimizers)
        {
            ParameterSet parameters = ReferenceTensors.Initial();
            optimizer.Step(parameters, ReferenceTensors.NewSet());

            Assert.All(ReferenceTensors.Padding(parameters), v => Assert.Equal(0f, v));
            Assert.True(float.IsNaN(parameters["fc.weight"][0]));
        }
    }

    [Fact]
    public void DefaultsAreTorchs()
    {
        var adagrad = new Adagrad();
        var rmsProp = new RmsProp();
        var adam = new Adam();
        var adamW = new AdamW();
        var sgd = new Sgd(0.1f);

        Assert.Equal((0.01f, 0f, 0f, 0f, 1e-10f), (adagrad.LearningRate, adagrad.LrDecay, adagrad.WeightDecay, adagrad.InitialAccumulatorValue, adagrad.Epsilon));
        Assert.Equal((0.01f, 0.99f, 1e-8f, 0f, 0f, false), (rmsProp.LearningRate, rmsProp.Alpha, rmsProp.Epsilon, rmsProp.WeightDecay, rmsProp.Momentum, rmsProp.Centered));
        Assert.Equal((1e-3f, 0.9f, 0.999f, 1e-8f, 0f, false), (adam.LearningRate, adam.Beta1, adam.Beta2, adam.Epsilon, adam.WeightDecay, adam.Amsgrad));
        Assert.Equal((1e-3f, 0.9f, 0.999f, 1e-8f, 0.01f, false), (adamW.LearningRate, adamW.Beta1, adamW.Beta2, adamW.Epsilon, adamW.WeightDecay, adamW.Amsgrad));
        Assert.Equal((0f, 0f, 0f, false), (sgd.Momentum, sgd.Dampening, sgd.WeightDecay, sgd.Nesterov));
    }

    [Fact]
    public void InvalidHyperparametersThrowAsTorchDoes()
    {
        var nesterov = Assert.Throws<ArgumentException>(() => new Sgd(0.1f, nesterov: true));
        Assert.Contains("momentum", nesterov.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new Sgd(0.1f, momentum: 0.9f, dampening: 0.1f, nesterov: true));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd(-0.1f));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd(float.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd(0.1f, momentum: -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd(0.1f, dampening: float.PositiveInfinity));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd(0.1f, weightDecay: -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Adagrad(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Adagrad(lrDecay: -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Adagrad(weightDecay: -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Adagrad(initialAccumulatorValue: -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Adagrad(epsilon: -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RmsProp(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RmsProp(alpha: -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RmsProp(epsilon: -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RmsProp(weightDecay: -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RmsProp(momentum: -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Adam(beta1: 1f));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Adam(beta2: -0.5f));
        Assert.Throws<ArgumentOutOfRangeException>(() => new AdamW(weightDecay: -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Adam(epsilon: -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Adam().LearningRate = -1);
        Assert.Throws<ArgumentOutOfRangeException>(() => new RmsProp().LearningRate = float.PositiveInfinity);
    }

    // torch's state after the last step, under RnnGen's names ("exp_avg/rnn.weight_ih_l0"), and its step count.
    private static long AssertStateMatches(JsonElement reference, OptimizerState state)
    {
        long worst = 0;
        var torchNames = reference.GetProperty("state").EnumerateObject().Select(p => p.Name).OrderBy(n => n, StringComparer.Ordinal).ToArray();
        Assert.Equal(torchNames, state.TensorNames.OrderBy(n => n, StringComparer.Ordinal).ToArray());
        foreach (string name in torchNames)
        {
            float[] expected = ReferenceTensors.Floats(reference.GetProperty("state").GetProperty(name));
            worst = Math.Max(worst, ReferenceTensors.AssertWithinUlps(expected, state.GetTensor(name).ToArray(), MaxUlps, name));
        }

        if (reference.GetProperty("step").ValueKind == JsonValueKind.Number)
        {
            Assert.Equal(reference.GetProperty("step").GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture), state.Scalars["step"]);
        }

        return worst;
    }
}
