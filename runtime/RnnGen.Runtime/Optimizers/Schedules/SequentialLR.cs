using System;
using System.Collections.Generic;

namespace RnnGen;

/// <summary>
/// torch.optim.lr_scheduler.SequentialLR: runs one schedule until the first milestone epoch, the next
/// until the second, and so on; e.g. a <see cref="LinearLR"/> warm-up for 5 epochs then
/// <see cref="CosineAnnealingLR"/>: <c>new SequentialLR(optimizer, [warmUp, cosine], milestones: [5])</c>.
/// At a milestone the next schedule starts at its epoch 0 from the base rate (torch's closed form).
/// </summary>
public sealed class SequentialLR : ILearningRateSchedule
{
    private const string LastEpochKey = "last_epoch";
    private const string LastKey = "last_lr";
    private static readonly string[] Keys = [LastEpochKey, LastKey];
    private readonly LearningRateSchedule[] _schedules;
    private readonly int[] _milestones;
    private double _last;

    /// <param name="schedules">Built on <paramref name="optimizer"/>, in the order they run.</param>
    /// <param name="milestones">One fewer than the schedules, increasing, each >= 1: the epochs at which the next schedule takes over.</param>
    public SequentialLR(IOptimizer optimizer, LearningRateSchedule[] schedules, int[] milestones)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(milestones);
        LearningRateSchedule[] members = ScheduleMembers.Check(optimizer, schedules, nameof(schedules));
        if (milestones.Length != members.Length - 1)
        {
            throw new ArgumentException(
                $"{members.Length} schedules need {members.Length - 1} milestones, but {milestones.Length} were given.", nameof(milestones));
        }

        for (int i = 0; i < milestones.Length; i++)
        {
            if (milestones[i] < 1 || (i > 0 && milestones[i] <= milestones[i - 1]))
            {
                throw new ArgumentException($"Milestones must be increasing and >= 1; got [{string.Join(", ", milestones)}].", nameof(milestones));
            }
        }

        _schedules = members;
        _milestones = (int[])milestones.Clone();
        Optimizer = optimizer;

        // torch's constructor: back to the initial rate, undo every member's initial step, redo the first's.
        LearningRateGroup group = LearningRateGroup.Of(optimizer);
        group.Value = group.Initial ?? group.Value;
        foreach (LearningRateSchedule schedule in _schedules)
        {
            schedule.UndoInitialEpoch();
        }

        _schedules[0].RepeatInitialStep();
        _last = _schedules[0].ExactLearningRate;
    }

    public IOptimizer Optimizer { get; }

    /// <summary>Epochs stepped so far (torch's <c>last_epoch</c>).</summary>
    public int LastEpoch { get; private set; }

    public IReadOnlyList<LearningRateSchedule> Schedules => _schedules;

    public IReadOnlyList<int> Milestones => _milestones;

    public float LearningRate => (float)_last;

    internal double ExactLearningRate => _last;

    public void Step()
    {
        int epoch = LastEpoch + 1;
        int index = BisectRight(_milestones, epoch);
        LearningRateSchedule schedule = _schedules[index];
        if (index > 0 && _milestones[index - 1] == epoch)
        {
            schedule.StepClosedForm(0);
        }
        else
        {
            schedule.Step();
        }

        LastEpoch = epoch;
        _last = schedule.ExactLearningRate;
    }

    /// <summary>Ignores the metric: this schedule counts epochs.</summary>
    void ILearningRateSchedule.Step(double metric) => Step();

    public ScheduleState GetState()
    {
        var state = new ScheduleState(nameof(SequentialLR));
        state.SetScalar(LastEpochKey, StateText.Format(LastEpoch));
        state.SetScalar(LastKey, StateText.Format(_last));
        ScheduleMembers.Write(state, _schedules);
        return state;
    }

    public void SetState(ScheduleState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        const string Kind = nameof(SequentialLR);
        if (state.Kind != Kind)
        {
            throw new ArgumentException($"The state was saved by a {state.Kind} schedule; this one is {Kind}.", nameof(state));
        }

        List<Action> members = ScheduleMembers.Prepare(state, _schedules, Kind, Keys);
        int lastEpoch = StateText.ParseInt(state.Scalars, LastEpochKey, Kind, min: 0);
        double last = StateText.ParseDouble(state.Scalars, LastKey, Kind, finiteNonNegative: true);
        members.ForEach(apply => apply());
        LastEpoch = lastEpoch;
        _last = last;
    }

    private static int BisectRight(int[] sorted, int value)
    {
        int i = 0;
        while (i < sorted.Length && sorted[i] <= value)
        {
            i++;
        }

        return i;
    }
}
