using System;

namespace RnnGen;

/// <summary>
/// torch.optim.lr_scheduler.LinearLR, the usual warm-up: scales the base rate by a factor that moves
/// linearly from <c>startFactor</c> (epoch 0) to <c>endFactor</c> (epoch <c>totalIters</c> and after).
/// </summary>
public sealed class LinearLR : LearningRateSchedule
{
    /// <param name="startFactor">In (0, 1]; torch 1.13 accepts 0 but then divides by zero at epoch 1.</param>
    /// <param name="endFactor">In [0, 1].</param>
    public LinearLR(IOptimizer optimizer, double startFactor = 1.0 / 3, double endFactor = 1.0, int totalIters = 5)
        : base(optimizer)
    {
        if (!(startFactor > 0 && startFactor <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(startFactor), startFactor, "Must be in (0, 1].");
        }

        if (!(endFactor >= 0 && endFactor <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(endFactor), endFactor, "Must be in [0, 1].");
        }

        Hyperparameter.Positive(totalIters, nameof(totalIters));
        StartFactor = startFactor;
        EndFactor = endFactor;
        TotalIters = totalIters;
        InitialStep();
    }

    public double StartFactor { get; }

    public double EndFactor { get; }

    public int TotalIters { get; }

    private protected override string Kind => nameof(LinearLR);

    private protected override double Chained(int epoch, double current)
    {
        if (epoch == 0)
        {
            return current * StartFactor;
        }

        if (epoch > TotalIters)
        {
            return current;
        }

        return current * (1.0 + (EndFactor - StartFactor) / (TotalIters * StartFactor + (epoch - 1) * (EndFactor - StartFactor)));
    }

    private protected override double ClosedForm(int epoch) =>
        BaseLearningRate * (StartFactor + (EndFactor - StartFactor) * Math.Min(TotalIters, epoch) / TotalIters);
}
