using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using Xunit;

namespace RnnGen.Tests.Runtime;

/// <summary>
/// Learning-rate schedules against torch.optim.lr_scheduler (1.13). Each step uses torch's chainable
/// (recursive) form and SequentialLR's milestone uses torch's closed form, in double with torch's
/// operation order, so the rates are compared exactly: every one of them is bitwise equal.
/// </summary>
public sealed class ScheduleTests
{
    public static IEnumerable<object[]> Schedules() => ReferenceTensors.Names("schedules");

    [Theory]
    [MemberData(nameof(Schedules))]
    public void MatchesPyTorchEpochByEpochExactly(string name)
    {
        JsonElement reference = ReferenceTensors.Root.GetProperty("schedules").GetProperty(name);
        double[] expected = ReferenceTensors.Doubles(reference.GetProperty("lrs"));
        double[]? metrics = reference.TryGetProperty("metrics", out JsonElement m) ? ReferenceTensors.Doubles(m) : null;
        var optimizer = new Sgd(0.1f);
        ILearningRateSchedule schedule = Create(name, optimizer);

        double[] actual = Run(schedule, optimizer, metrics, 0, expected.Length - 1);

        Assert.Equal(expected, actual);
        Assert.Equal((float)expected[^1], schedule.LearningRate);
        Assert.Equal((float)expected[^1], optimizer.LearningRate);
    }

    [Theory]
    [MemberData(nameof(Schedules))]
    public void ResumingFromTheStateContinuesExactly(string name)
    {
        JsonElement reference = ReferenceTensors.Root.GetProperty("schedules").GetProperty(name);
        int epochs = reference.GetProperty("lrs").GetArrayLength() - 1;
        double[]? metrics = reference.TryGetProperty("metrics", out JsonElement m) ? ReferenceTensors.Doubles(m) : null;
        var straightOptimizer = new Sgd(0.1f);
        double[] straight = Run(Create(name, straightOptimizer), straightOptimizer, metrics, 0, epochs);

        var firstOptimizer = new Sgd(0.1f);
        ILearningRateSchedule first = Create(name, firstOptimizer);
        double[] before = Run(first, firstOptimizer, metrics, 0, epochs / 2);
        OptimizerState optimizerState = firstOptimizer.GetState();
        ScheduleState scheduleState = first.GetState();
        var secondOptimizer = new Sgd(0.1f);
        ILearningRateSchedule second = Create(name, secondOptimizer);
        secondOptimizer.SetState(optimizerState);
        second.SetState(scheduleState);
        double[] after = Run(second, secondOptimizer, metrics, epochs / 2, epochs - epochs / 2);

        Assert.Equal(straight, before.Concat(after.Skip(1)).ToArray());
    }

    [Fact]
    public void WorksWithAnyOptimizerThroughItsFloatLearningRate()
    {
        JsonElement reference = ReferenceTensors.Root.GetProperty("schedules").GetProperty("SequentialLR LinearLR(0.1, 1, 5) then CosineAnnealingLR(15, 1e-4) at 5");
        double[] expected = ReferenceTensors.Doubles(reference.GetProperty("lrs"));
        var optimizer = new PlainOptimizer { LearningRate = 0.1f };
        ILearningRateSchedule schedule = Create("SequentialLR LinearLR(0.1, 1, 5) then CosineAnnealingLR(15, 1e-4) at 5", optimizer);

        var actual = new List<float> { optimizer.LearningRate };
        for (int epoch = 1; epoch < expected.Length; epoch++)
        {
            schedule.Step();
            actual.Add(optimizer.LearningRate);
        }

        // The schedule keeps the double while the optimizer's float still holds what it wrote.
        Assert.Equal(expected.Select(v => (float)v), actual);
    }

    [Fact]
    public void AnOutsideChangeOfTheRateCarriesOnInTheChainableForm()
    {
        var optimizer = new Sgd(0.1f);
        var schedule = new StepLR(optimizer, stepSize: 1, gamma: 0.5);

        optimizer.LearningRate = 0.8f;
        schedule.Step();

        Assert.Equal(0.4f, optimizer.LearningRate);
    }

    [Fact]
    public void TheFirstScheduleOnAnOptimizerSetsTheBaseForTheOthers()
    {
        var optimizer = new Sgd(0.1f);
        var warmUp = new LinearLR(optimizer, startFactor: 0.5, totalIters: 2);
        var cosine = new CosineAnnealingLR(optimizer, tMax: 4);

        Assert.Equal(0.05f, optimizer.LearningRate);
        Assert.Equal(0.1, warmUp.BaseLearningRate);
        Assert.Equal(0.1, cosine.BaseLearningRate);
    }

    [Fact]
    public void PlateauNeedsAMetricAndOtherSchedulesIgnoreIt()
    {
        var optimizer = new Sgd(0.1f);
        ILearningRateSchedule plateau = new ReduceLROnPlateau(optimizer, patience: 0);
        ILearningRateSchedule step = new StepLR(new Sgd(0.1f), stepSize: 1);

        var e = Assert.Throws<InvalidOperationException>(() => plateau.Step());
        step.Step(123.0);

        Assert.Contains("Step(metric)", e.Message, StringComparison.Ordinal);
        Assert.Equal(0.01f, step.LearningRate, 1e-9f);
    }

    [Fact]
    public void InvalidArgumentsThrowAndLeaveTheOptimizerAlone()
    {
        var optimizer = new Sgd(0.1f);
        var other = new Sgd(0.1f);

        Assert.Throws<ArgumentOutOfRangeException>(() => new StepLR(optimizer, stepSize: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new StepLR(optimizer, stepSize: 1, gamma: -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CosineAnnealingLR(optimizer, tMax: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CosineAnnealingLR(optimizer, tMax: 3, etaMin: double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LinearLR(optimizer, startFactor: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LinearLR(optimizer, startFactor: 1.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LinearLR(optimizer, endFactor: -0.1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LinearLR(optimizer, totalIters: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReduceLROnPlateau(optimizer, factor: 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReduceLROnPlateau(optimizer, patience: -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReduceLROnPlateau(optimizer, mode: (PlateauMode)7));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReduceLROnPlateau(optimizer, minLr: -1));
        Assert.Equal(0.1f, optimizer.LearningRate);
        Assert.Null(optimizer.Group.Initial);

        var mine = new LinearLR(optimizer);
        var theirs = new CosineAnnealingLR(other, tMax: 3);
        Assert.Throws<ArgumentException>(() => new SequentialLR(optimizer, [mine, theirs], [2]));
        Assert.Throws<ArgumentException>(() => new SequentialLR(optimizer, [mine], [2]));
        Assert.Throws<ArgumentException>(() => new SequentialLR(optimizer, [mine, mine], [2]));
        Assert.Throws<ArgumentException>(() => new SequentialLR(optimizer, [mine, new StepLR(optimizer, 2), new StepLR(optimizer, 3)], [3, 3]));
        Assert.Throws<ArgumentException>(() => new ChainedScheduler(mine, theirs));
        Assert.Throws<ArgumentException>(() => new ChainedScheduler());
    }

    [Fact]
    public void MismatchedStatesThrowAndChangeNothing()
    {
        var optimizer = new Sgd(0.1f);
        var sequence = new SequentialLR(optimizer, [new LinearLR(optimizer, totalIters: 2), new CosineAnnealingLR(optimizer, tMax: 5)], [2]);
        sequence.Step();
        sequence.Step();
        sequence.Step();
        ScheduleState before = sequence.GetState();

        ScheduleState wrongMember = Copy(before);
        wrongMember.SetScalar("1.kind", "StepLR");
        ScheduleState badMember = Copy(before);
        badMember.SetScalar("1.last_epoch", "-5");
        ScheduleState unknown = Copy(before);
        unknown.SetScalar("2.kind", "StepLR");
        ScheduleState otherKind = new CosineAnnealingLR(new Sgd(0.1f), tMax: 5).GetState();

        Assert.Contains("StepLR", Assert.Throws<ArgumentException>(() => sequence.SetState(wrongMember)).Message, StringComparison.Ordinal);
        Assert.Contains("'-5'", Assert.Throws<ArgumentException>(() => sequence.SetState(badMember)).Message, StringComparison.Ordinal);
        Assert.Contains("'2.kind'", Assert.Throws<ArgumentException>(() => sequence.SetState(unknown)).Message, StringComparison.Ordinal);
        Assert.Contains("CosineAnnealingLR", Assert.Throws<ArgumentException>(() => sequence.SetState(otherKind)).Message, StringComparison.Ordinal);
        Assert.Equal(before.Scalars, sequence.GetState().Scalars);

        var plateau = new ReduceLROnPlateau(optimizer);
        ScheduleState plateauState = plateau.GetState();
        Assert.Equal("Infinity", plateauState.Scalars["best"]);
        plateauState.SetScalar("num_bad_epochs", "x");
        Assert.Throws<ArgumentException>(() => plateau.SetState(plateauState));
        Assert.Equal(double.PositiveInfinity, plateau.Best);
    }

    internal static ILearningRateSchedule Create(string name, IOptimizer o) => name switch
    {
        "StepLR step_size=3 gamma=0.5" => new StepLR(o, stepSize: 3, gamma: 0.5),
        "StepLR step_size=2" => new StepLR(o, stepSize: 2),
        "CosineAnnealingLR T_max=10 eta_min=0.001" => new CosineAnnealingLR(o, tMax: 10, etaMin: 0.001),
        "CosineAnnealingLR T_max=7" => new CosineAnnealingLR(o, tMax: 7),
        "LinearLR defaults" => new LinearLR(o),
        "LinearLR start_factor=0.25 total_iters=4" => new LinearLR(o, startFactor: 0.25, totalIters: 4),
        "LinearLR start_factor=1 end_factor=0.1 total_iters=6" => new LinearLR(o, startFactor: 1, endFactor: 0.1, totalIters: 6),
        "SequentialLR LinearLR(0.1, 1, 5) then CosineAnnealingLR(15, 1e-4) at 5" =>
            new SequentialLR(o, [new LinearLR(o, startFactor: 0.1, endFactor: 1, totalIters: 5), new CosineAnnealingLR(o, tMax: 15, etaMin: 1e-4)], milestones: [5]),
        "SequentialLR LinearLR(0.5, 1, 2), StepLR(2, 0.5), CosineAnnealingLR(6) at 3, 7" =>
            new SequentialLR(o, [new LinearLR(o, startFactor: 0.5, totalIters: 2), new StepLR(o, stepSize: 2, gamma: 0.5), new CosineAnnealingLR(o, tMax: 6)], milestones: [3, 7]),
        "ChainedScheduler LinearLR(0.5, 1, 4), StepLR(3, 0.5)" =>
            new ChainedScheduler(new LinearLR(o, startFactor: 0.5, totalIters: 4), new StepLR(o, stepSize: 3, gamma: 0.5)),
        "ReduceLROnPlateau min factor=0.5 patience=2 threshold=0.01 cooldown=1 min_lr=0.02" =>
            new ReduceLROnPlateau(o, PlateauMode.Min, factor: 0.5, patience: 2, threshold: 0.01, cooldown: 1, minLr: 0.02),
        "ReduceLROnPlateau max abs threshold=0.05 factor=0.3 patience=1" =>
            new ReduceLROnPlateau(o, PlateauMode.Max, factor: 0.3, patience: 1, threshold: 0.05, thresholdMode: ThresholdMode.Absolute),
        "ReduceLROnPlateau defaults" => new ReduceLROnPlateau(o),
        "ReduceLROnPlateau min_lr=0.0999999 eps=1e-8" => new ReduceLROnPlateau(o, patience: 0, minLr: 0.0999999, eps: 1e-8),
        _ => throw new ArgumentException($"No RnnGen spelling for '{name}'; add one here.", nameof(name)),
    };

    // The rate after construction (or at the resume point), then after each of `epochs` steps from epoch `from`.
    private static double[] Run(ILearningRateSchedule schedule, Optimizer optimizer, double[]? metrics, int from, int epochs)
    {
        var rates = new List<double> { optimizer.Group.Value };
        for (int epoch = from; epoch < from + epochs; epoch++)
        {
            if (metrics is null)
            {
                schedule.Step();
            }
            else
            {
                schedule.Step(metrics[epoch]);
            }

            rates.Add(optimizer.Group.Value);
            Assert.Equal((float)optimizer.Group.Value, schedule.LearningRate);
        }

        return rates.ToArray();
    }

    private static ScheduleState Copy(ScheduleState source)
    {
        var copy = new ScheduleState(source.Kind);
        foreach ((string key, string value) in source.Scalars)
        {
            copy.SetScalar(key, value);
        }

        return copy;
    }

    /// <summary>An optimizer that is not RnnGen's: all a schedule sees is the float property.</summary>
    private sealed class PlainOptimizer : IOptimizer
    {
        public float LearningRate { get; set; }

        public void Step(ParameterSet parameters, ParameterSet gradients) => throw new NotSupportedException();

        public OptimizerState GetState() => throw new NotSupportedException();

        public void SetState(OptimizerState state) => throw new NotSupportedException();
    }
}
