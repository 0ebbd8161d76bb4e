using System;

namespace RnnGen;

/// <summary>
/// An epoch-counted schedule in torch's chainable form (torch 1.13's <c>_LRScheduler</c>): each
/// <see cref="Step"/> computes the next rate from the optimizer's current one, so schedules on one
/// optimizer compound (<see cref="ChainedScheduler"/>) and an outside change of the rate carries on.
/// Constructing one applies epoch 0 at once, as torch does; the first schedule on an optimizer records
/// its rate as the base (torch's <c>initial_lr</c>), which later schedules share. Arithmetic is in double,
/// like torch's Python floats; the optimizer steps with that double (RnnGen's optimizers) or its float
/// rounding (any other <see cref="IOptimizer"/>).
/// </summary>
public abstract class LearningRateSchedule : ILearningRateSchedule
{
    private const string LastEpochKey = "last_epoch";
    private const string BaseKey = "base_lr";
    private const string LastKey = "last_lr";
    private static readonly string[] Keys = [LastEpochKey, BaseKey, LastKey];
    private double _last;

    private protected LearningRateSchedule(IOptimizer optimizer)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        Optimizer = optimizer;
        Group = LearningRateGroup.Of(optimizer);
        LastEpoch = -1;
    }

    /// <summary>The optimizer whose learning rate this schedule sets.</summary>
    public IOptimizer Optimizer { get; }

    /// <summary>Epochs stepped so far (0 right after construction, torch's <c>last_epoch</c>).</summary>
    public int LastEpoch { get; private set; }

    /// <summary>The rate the schedule starts from: the optimizer's rate before any schedule changed it.</summary>
    public double BaseLearningRate { get; private set; }

    public float LearningRate => (float)_last;

    /// <summary>The last rate as a double, exactly as torch's <c>get_last_lr()</c> holds it.</summary>
    internal double ExactLearningRate => _last;

    internal LearningRateGroup Group { get; }

    /// <summary>The class name <see cref="ScheduleState.Kind"/> carries.</summary>
    private protected abstract string Kind { get; }

    public void Step()
    {
        int epoch = LastEpoch + 1;
        Commit(epoch, Chained(epoch, Group.Value));
    }

    /// <summary>Ignores the metric: this schedule counts epochs.</summary>
    void ILearningRateSchedule.Step(double metric) => Step();

    public ScheduleState GetState()
    {
        var state = new ScheduleState(Kind);
        state.SetScalar(LastEpochKey, StateText.Format(LastEpoch));
        state.SetScalar(BaseKey, StateText.Format(BaseLearningRate));
        state.SetScalar(LastKey, StateText.Format(_last));
        return state;
    }

    public void SetState(ScheduleState state) => PrepareState(state)();

    /// <summary>Checks a state and returns the action that applies it, so composites check every member before changing any.</summary>
    internal Action PrepareState(ScheduleState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Kind != Kind)
        {
            throw new ArgumentException($"The state was saved by a {state.Kind} schedule; this one is {Kind}.", nameof(state));
        }

        StateText.RejectUnknown(state.Scalars.Keys, Keys, Kind);
        int lastEpoch = StateText.ParseInt(state.Scalars, LastEpochKey, Kind, min: -1);
        double baseRate = StateText.ParseDouble(state.Scalars, BaseKey, Kind, finiteNonNegative: true);
        double last = StateText.ParseDouble(state.Scalars, LastKey, Kind, finiteNonNegative: true);
        return () =>
        {
            LastEpoch = lastEpoch;
            BaseLearningRate = baseRate;
            _last = last;
        };
    }

    /// <summary>
    /// torch's <c>_initial_step</c>: records the base rate (the optimizer's <c>initial_lr</c>) and applies
    /// epoch 0. Constructors call it last, once their arguments are checked and stored.
    /// </summary>
    private protected void InitialStep()
    {
        Group.Initial ??= Group.Value;
        BaseLearningRate = Group.Initial.Value;
        Step();
    }

    /// <summary>torch's <c>step(epoch)</c>: jumps to an epoch with the closed form (<see cref="SequentialLR"/> at a milestone).</summary>
    internal void StepClosedForm(int epoch) => Commit(epoch, ClosedForm(epoch));

    /// <summary>Undoes the epoch count of the constructor's initial step (<see cref="SequentialLR"/>'s constructor).</summary>
    internal void UndoInitialEpoch() => LastEpoch--;

    /// <summary>Re-applies epoch 0 (<see cref="SequentialLR"/>'s constructor, for its first member).</summary>
    internal void RepeatInitialStep() => Step();

    /// <summary>torch's <c>get_lr</c>: the rate for <paramref name="epoch"/> from the optimizer's current rate.</summary>
    private protected abstract double Chained(int epoch, double current);

    /// <summary>torch's <c>_get_closed_form_lr</c>: the rate for <paramref name="epoch"/> from the base rate alone.</summary>
    private protected abstract double ClosedForm(int epoch);

    private void Commit(int epoch, double rate)
    {
        Group.Value = rate;   // checks the rate first, so a bad one changes nothing
        LastEpoch = epoch;
        _last = rate;
    }
}
