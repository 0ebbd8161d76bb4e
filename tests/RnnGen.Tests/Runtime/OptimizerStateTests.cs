using System;
using System.Collections.Generic;
using System.Globalization;
using Xunit;

namespace RnnGen.Tests.Runtime;

public sealed class OptimizerStateTests
{
    private const int Steps = 6;

    public static IEnumerable<object[]> Configurations() => ReferenceTensors.Names("optimizers");

    [Theory]
    [MemberData(nameof(Configurations))]
    public void ResumingFromTheStateIsBitwiseIdenticalToNotStopping(string configuration)
    {
        ParameterSet straight = ReferenceTensors.Initial();
        Optimizer uninterrupted = ReferenceOptimizers.Create(configuration);
        for (int step = 0; step < Steps; step++)
        {
            uninterrupted.Step(straight, Gradients(step));
        }

        ParameterSet resumed = ReferenceTensors.Initial();
        Optimizer first = ReferenceOptimizers.Create(configuration);
        for (int step = 0; step < Steps / 2; step++)
        {
            first.Step(resumed, Gradients(step));
        }

        OptimizerState saved = first.GetState();
        Optimizer second = ReferenceOptimizers.Create(configuration);
        second.SetState(saved);
        Assert.Equal(Steps / 2, second.StepCount);
        for (int step = Steps / 2; step < Steps; step++)
        {
            second.Step(resumed, Gradients(step));
        }

        Assert.Equal(straight.Data.ToArray(), resumed.Data.ToArray());
        AssertSameState(uninterrupted.GetState(), second.GetState());
    }

    [Fact]
    public void ResumingWithAScheduleIsBitwiseIdenticalToNotStopping()
    {
        const string Name = "Adam lr=0.01 + SequentialLR LinearLR(0.2, 1, 3) then CosineAnnealingLR(3, 1e-3) at 3";
        ParameterSet straight = ReferenceTensors.Initial();
        (Optimizer optimizer, ILearningRateSchedule schedule) = ReferenceOptimizers.CreateCombined(Name);
        var straightRates = new List<float>();
        for (int step = 0; step < Steps; step++)
        {
            optimizer.Step(straight, Gradients(step));
            schedule.Step();
            straightRates.Add(optimizer.LearningRate);
        }

        ParameterSet resumed = ReferenceTensors.Initial();
        (Optimizer firstOptimizer, ILearningRateSchedule firstSchedule) = ReferenceOptimizers.CreateCombined(Name);
        var resumedRates = new List<float>();
        for (int step = 0; step < Steps / 2; step++)
        {
            firstOptimizer.Step(resumed, Gradients(step));
            firstSchedule.Step();
            resumedRates.Add(firstOptimizer.LearningRate);
        }

        OptimizerState optimizerState = firstOptimizer.GetState();
        ScheduleState scheduleState = firstSchedule.GetState();
        (Optimizer secondOptimizer, ILearningRateSchedule secondSchedule) = ReferenceOptimizers.CreateCombined(Name);
        secondOptimizer.SetState(optimizerState);
        secondSchedule.SetState(scheduleState);
        for (int step = Steps / 2; step < Steps; step++)
        {
            secondOptimizer.Step(resumed, Gradients(step));
            secondSchedule.Step();
            resumedRates.Add(secondOptimizer.LearningRate);
        }

        Assert.Equal(straightRates, resumedRates);
        Assert.Equal(straight.Data.ToArray(), resumed.Data.ToArray());
    }

    [Fact]
    public void StateNamesBuffersAsTorchAndKeepsScalarsExact()
    {
        var optimizer = new Adam(learningRate: 0.001f, amsgrad: true);
        ParameterSet parameters = ReferenceTensors.Initial();
        optimizer.Step(parameters, Gradients(0));
        optimizer.Group.Value = 0.1 + 0.2;   // as a schedule would leave it: a double no float literal gives

        OptimizerState state = optimizer.GetState();

        Assert.Equal("Adam", state.Kind);
        Assert.Equal("1", state.Scalars["step"]);
        Assert.Equal(0.1 + 0.2, double.Parse(state.Scalars["lr"], CultureInfo.InvariantCulture));
        Assert.Equal(
            ["exp_avg/rnn.weight_ih_l0", "exp_avg_sq/rnn.weight_ih_l0", "max_exp_avg_sq/rnn.weight_ih_l0",
             "exp_avg/rnn.bias_ih_l0", "exp_avg_sq/rnn.bias_ih_l0", "max_exp_avg_sq/rnn.bias_ih_l0",
             "exp_avg/fc.weight", "exp_avg_sq/fc.weight", "max_exp_avg_sq/fc.weight"],
            state.TensorNames);
        Assert.Equal([8, 5], state.GetShape("exp_avg/rnn.weight_ih_l0"));
        var restored = new Adam(amsgrad: true);
        restored.SetState(state);
        Assert.Equal(0.1 + 0.2, restored.Group.Value);
    }

    [Fact]
    public void TheStateIsASnapshot()
    {
        var optimizer = new Sgd(0.1f, momentum: 0.9f);
        ParameterSet parameters = ReferenceTensors.Initial();
        optimizer.Step(parameters, Gradients(0));
        OptimizerState state = optimizer.GetState();
        float before = state.GetTensor("momentum_buffer/fc.weight")[0];

        state.SetTensor("momentum_buffer/fc.weight", [3, 1], [9f, 9f, 9f]);

        Assert.Equal(before, optimizer.GetState().GetTensor("momentum_buffer/fc.weight")[0]);
    }

    [Fact]
    public void AStateBeforeAnyStepHasNoTensorsAndRestoresAFreshOptimizer()
    {
        OptimizerState fresh = new Adagrad(0.5f).GetState();
        var optimizer = new Adagrad(0.1f);
        ParameterSet parameters = ReferenceTensors.Initial();
        optimizer.Step(parameters, Gradients(0));

        optimizer.SetState(fresh);

        Assert.Empty(fresh.TensorNames);
        Assert.Equal(0, optimizer.StepCount);
        Assert.Equal(0.5f, optimizer.LearningRate);
        optimizer.Step(parameters, Gradients(0));
        Assert.Equal(3, optimizer.GetState().TensorNames.Count);
    }

    [Fact]
    public void MismatchedStatesThrowAndChangeNothing()
    {
        var optimizer = new Adam(amsgrad: true);
        ParameterSet parameters = ReferenceTensors.Initial();
        optimizer.Step(parameters, Gradients(0));
        optimizer.Step(parameters, Gradients(1));
        OptimizerState before = optimizer.GetState();

        OptimizerState otherKind = Stepped(new AdamW(amsgrad: true));
        OptimizerState noAmsgrad = Stepped(new Adam());
        OptimizerState reshaped = Rebuilt(before, "exp_avg/fc.weight", [1, 3]);
        OptimizerState extra = Rebuilt(before, "exp_avg/fc.bias", [3, 1]);
        OptimizerState unknownScalar = Rebuilt(before, null, null);
        unknownScalar.SetScalar("momentum", "0.9");
        OptimizerState badStep = Rebuilt(before, null, null);
        badStep.SetScalar("step", "two");
        OptimizerState badRate = Rebuilt(before, null, null);
        badRate.SetScalar("lr", "NaN");

        Assert.Contains("AdamW", Assert.Throws<ArgumentException>(() => optimizer.SetState(otherKind)).Message, StringComparison.Ordinal);
        Assert.Contains("max_exp_avg_sq/rnn.weight_ih_l0", Assert.Throws<ArgumentException>(() => optimizer.SetState(noAmsgrad)).Message, StringComparison.Ordinal);
        Assert.Contains("[1, 3]", Assert.Throws<ArgumentException>(() => optimizer.SetState(reshaped)).Message, StringComparison.Ordinal);
        Assert.Contains("exp_avg/fc.bias", Assert.Throws<ArgumentException>(() => optimizer.SetState(extra)).Message, StringComparison.Ordinal);
        Assert.Contains("'momentum'", Assert.Throws<ArgumentException>(() => optimizer.SetState(unknownScalar)).Message, StringComparison.Ordinal);
        Assert.Contains("'two'", Assert.Throws<ArgumentException>(() => optimizer.SetState(badStep)).Message, StringComparison.Ordinal);
        Assert.Contains("'NaN'", Assert.Throws<ArgumentException>(() => optimizer.SetState(badRate)).Message, StringComparison.Ordinal);
        AssertSameState(before, optimizer.GetState());
    }

    [Fact]
    public void AStateSetBeforeTheFirstStepIsCheckedAgainstTheParametersOfThatStep()
    {
        OptimizerState saved = Stepped(new RmsProp(momentum: 0.9f, centered: true));
        var optimizer = new RmsProp(momentum: 0.9f, centered: true);
        optimizer.SetState(saved);
        var otherModel = new ParameterSet([("rnn.weight_ih_l0", [8, 5]), ("rnn.bias_ih_l0", [21])]);

        var e = Assert.Throws<ArgumentException>(() => optimizer.Step(otherModel, new ParameterSet([("rnn.weight_ih_l0", [8, 5]), ("rnn.bias_ih_l0", [21])])));

        Assert.Contains("fc.weight", e.Message, StringComparison.Ordinal);
        Assert.Equal(0f, otherModel["rnn.weight_ih_l0"][0]);
        AssertSameState(saved, optimizer.GetState());

        // The set it was saved from still fits: the failed attempt did not bind the optimizer.
        optimizer.Step(ReferenceTensors.Initial(), Gradients(0));
        Assert.Equal(int.Parse(saved.Scalars["step"], CultureInfo.InvariantCulture) + 1, optimizer.StepCount);
    }

    [Fact]
    public void AStateWithStepsButNoTensorsIsRefusedBeforeBinding()
    {
        OptimizerState saved = Stepped(new Adam());
        var stripped = new OptimizerState("Adam");
        stripped.SetScalar("step", saved.Scalars["step"]);
        stripped.SetScalar("lr", saved.Scalars["lr"]);
        stripped.SetTensor("exp_avg/fc.weight", [3, 1], saved.GetTensor("exp_avg/fc.weight"));

        var e = Assert.Throws<ArgumentException>(() => new Adam().SetState(stripped));

        Assert.Contains("exp_avg_sq/fc.weight", e.Message, StringComparison.Ordinal);
    }

    internal static void AssertSameState(OptimizerState expected, OptimizerState actual)
    {
        Assert.Equal(expected.Kind, actual.Kind);
        Assert.Equal(expected.Scalars, actual.Scalars);
        Assert.Equal(expected.TensorNames, actual.TensorNames);
        foreach (string name in expected.TensorNames)
        {
            Assert.Equal(expected.GetShape(name), actual.GetShape(name));
            Assert.Equal(expected.GetTensor(name).ToArray(), actual.GetTensor(name).ToArray());
        }
    }

    private static ParameterSet Gradients(int step)
    {
        ParameterSet gradients = ReferenceTensors.NewSet();
        ReferenceTensors.FillGradient(gradients, step);
        return gradients;
    }

    private static OptimizerState Stepped(Optimizer optimizer)
    {
        ParameterSet parameters = ReferenceTensors.Initial();
        optimizer.Step(parameters, Gradients(0));
        optimizer.Step(parameters, Gradients(1));
        return optimizer.GetState();
    }

    // A copy of a state with one tensor given a new shape (or added, if it is not there).
    private static OptimizerState Rebuilt(OptimizerState source, string? tensor, int[]? shape)
    {
        var copy = new OptimizerState(source.Kind);
        foreach ((string key, string value) in source.Scalars)
        {
            copy.SetScalar(key, value);
        }

        foreach (string name in source.TensorNames)
        {
            copy.SetTensor(name, source.GetShape(name), source.GetTensor(name));
        }

        if (tensor is not null)
        {
            copy.SetTensor(tensor, shape!, new float[3]);
        }

        return copy;
    }
}
