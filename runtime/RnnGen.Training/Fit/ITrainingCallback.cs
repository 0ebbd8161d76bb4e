using System;

namespace RnnGen.Training;

/// <summary>
/// Code that <see cref="Trainer.Fit{TInput, TTarget}"/> runs as it trains: logging, sampling text, custom
/// metrics, stopping (<see cref="Trainer.StopTraining"/>). Implement the members you need; the others do nothing.
/// </summary>
public interface ITrainingCallback
{
    /// <summary>After each optimizer step (and after a checkpoint due at that step was written).</summary>
    void OnBatchEnd(Trainer trainer, BatchResult batch)
    {
    }

    /// <summary>After each epoch's validation, schedule step and early-stopping decision.</summary>
    void OnEpochEnd(Trainer trainer, EpochResult epoch)
    {
    }
}

/// <summary>Callbacks from delegates.</summary>
public static class TrainingCallback
{
    /// <summary>A callback that runs <paramref name="action"/> after each epoch.</summary>
    public static ITrainingCallback OnEpochEnd(Action<Trainer, EpochResult> action)
    {
        ArgumentNullException.ThrowIfNull(action);
        return new Delegates(null, action);
    }

    /// <summary>A callback that runs <paramref name="action"/> after each optimizer step.</summary>
    public static ITrainingCallback OnBatchEnd(Action<Trainer, BatchResult> action)
    {
        ArgumentNullException.ThrowIfNull(action);
        return new Delegates(action, null);
    }

    private sealed class Delegates(Action<Trainer, BatchResult>? batch, Action<Trainer, EpochResult>? epoch) : ITrainingCallback
    {
        public void OnBatchEnd(Trainer trainer, BatchResult result) => batch?.Invoke(trainer, result);

        public void OnEpochEnd(Trainer trainer, EpochResult result) => epoch?.Invoke(trainer, result);
    }
}
