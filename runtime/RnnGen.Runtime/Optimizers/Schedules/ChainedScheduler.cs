using System;
using System.Collections.Generic;

namespace RnnGen;

/// <summary>
/// torch.optim.lr_scheduler.ChainedScheduler: steps every member schedule at once, so their factors
/// compound on the optimizer's rate (e.g. a warm-up multiplied by a step decay).
/// </summary>
public sealed class ChainedScheduler : ILearningRateSchedule
{
    private const string LastKey = "last_lr";
    private static readonly string[] Keys = [LastKey];
    private readonly LearningRateSchedule[] _schedules;
    private readonly LearningRateGroup _group;
    private double _last;

    /// <param name="schedules">Built on one optimizer; stepped in this order.</param>
    public ChainedScheduler(params LearningRateSchedule[] schedules)
    {
        _schedules = ScheduleMembers.Check(null, schedules, nameof(schedules));
        Optimizer = _schedules[0].Optimizer;
        _group = LearningRateGroup.Of(Optimizer);
        _last = _group.Value;
    }

    public IOptimizer Optimizer { get; }

    public IReadOnlyList<LearningRateSchedule> Schedules => _schedules;

    public float LearningRate => (float)_last;

    internal double ExactLearningRate => _last;

    public void Step()
    {
        foreach (LearningRateSchedule schedule in _schedules)
        {
            schedule.Step();
        }

        _last = _group.Value;
    }

    /// <summary>Ignores the metric: the members count epochs.</summary>
    void ILearningRateSchedule.Step(double metric) => Step();

    public ScheduleState GetState()
    {
        var state = new ScheduleState(nameof(ChainedScheduler));
        state.SetScalar(LastKey, StateText.Format(_last));
        ScheduleMembers.Write(state, _schedules);
        return state;
    }

    public void SetState(ScheduleState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        const string Kind = nameof(ChainedScheduler);
        if (state.Kind != Kind)
        {
            throw new ArgumentException($"The state was saved by a {state.Kind} schedule; this one is {Kind}.", nameof(state));
        }

        List<Action> members = ScheduleMembers.Prepare(state, _schedules, Kind, Keys);
        double last = StateText.ParseDouble(state.Scalars, LastKey, Kind, finiteNonNegative: true);
        members.ForEach(apply => apply());
        _last = last;
    }
}
