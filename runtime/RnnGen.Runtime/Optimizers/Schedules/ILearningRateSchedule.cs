namespace RnnGen;

/// <summary>
/// Changes an optimizer's learning rate as training goes, with torch.optim.lr_scheduler's numbers. Call
/// <see cref="Step()"/> once per epoch (or per batch, if the schedule is counted in batches) after the
/// optimizer's step, as in torch; <see cref="ReduceLROnPlateau"/> needs <see cref="Step(double)"/>.
/// </summary>
public interface ILearningRateSchedule
{
    /// <summary>The learning rate the schedule last gave the optimizer (torch's <c>get_last_lr()</c>).</summary>
    float LearningRate { get; }

    /// <summary>Advances one epoch.</summary>
    void Step();

    /// <summary>
    /// Advances one epoch given the monitored metric (e.g. the validation loss). Schedules that do not
    /// monitor a metric ignore it, so a training loop can always call this one.
    /// </summary>
    void Step(double metric);

    /// <summary>A copy of the schedule's position (epoch counters, best metric, last rate) for a checkpoint.</summary>
    ScheduleState GetState();

    /// <summary>
    /// Restores a state from <see cref="GetState"/> of a schedule built the same way; throws
    /// <see cref="System.ArgumentException"/> on a mismatch and changes nothing then. Restore the optimizer's
    /// state first: like torch, a schedule's state does not include the optimizer's current rate.
    /// </summary>
    void SetState(ScheduleState state);
}
