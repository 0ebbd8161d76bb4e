using System;
using System.Collections.Generic;

namespace AddingProblem;

/// <summary>What one experiment measured.</summary>
/// <param name="TestMse">The trained model's MSE on the fresh test set.</param>
/// <param name="TestBaselineMse">The constant predictor's (always 1) MSE on the same test set.</param>
/// <param name="Curve">Training MSE (smoothed over batches) against the epoch, fractional, for the plot.</param>
/// <param name="ValidationByEpoch">Validation MSE after each epoch.</param>
/// <param name="SolvedAtEpoch">The first epoch whose validation MSE was below 10 % of the baseline, or null.</param>
public sealed record ExperimentResult(
    Experiment Experiment, double TestMse, double TestBaselineMse, IReadOnlyList<(double Epoch, double Mse)> Curve,
    IReadOnlyList<double> ValidationByEpoch, int? SolvedAtEpoch, TimeSpan Duration)
{
    /// <summary>The test MSE as a fraction of the constant predictor's on the same test set.</summary>
    public double FractionOfBaseline => TestMse / TestBaselineMse;
}
