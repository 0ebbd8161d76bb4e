namespace RnnGen.Training;

/// <summary>One training step of <see cref="Trainer.Fit{TInput, TTarget}"/>, as callbacks see it.</summary>
/// <param name="Epoch">The epoch's number, from 1.</param>
/// <param name="Batch">The batch's index in the epoch, from 0.</param>
/// <param name="Step">Optimizer steps taken so far in the run, this one included.</param>
/// <param name="Rows">Sequences in the batch (fewer than the batch size for the last batch of an epoch).</param>
/// <param name="Loss">The batch's loss, before the step.</param>
/// <param name="LearningRate">The rate the step used.</param>
public readonly record struct BatchResult(int Epoch, int Batch, long Step, int Rows, float Loss, double LearningRate);
