using System;

namespace RnnGen.Training;

/// <summary>One epoch of <see cref="Trainer.Fit{TInput, TTarget}"/>: its metrics on the training and validation data.</summary>
/// <param name="Epoch">The epoch's number, from 1.</param>
/// <param name="Train">Measured during the epoch's training steps (with dropout active, as Keras reports).</param>
/// <param name="Validation">Measured after the epoch, in inference mode; null without validation data.</param>
/// <param name="LearningRate">The optimizer's rate during the epoch (before the schedule stepped).</param>
/// <param name="Steps">Optimizer steps taken so far in the run, this epoch's included.</param>
/// <param name="Duration">Time spent on the epoch, validation included.</param>
public sealed record EpochResult(int Epoch, Metrics Train, Metrics? Validation, double LearningRate, long Steps, TimeSpan Duration);
