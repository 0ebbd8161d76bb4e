using System;

namespace RnnGen;

/// <summary>
/// torch.optim.lr_scheduler.CosineAnnealingLR: follows half a cosine from the base rate down to
/// <c>etaMin</c> over <c>tMax</c> epochs, then back up (no restarts), in torch's recursive form.
/// </summary>
public sealed class CosineAnnealingLR : LearningRateSchedule
{
    public CosineAnnealingLR(IOptimizer optimizer, int tMax, double etaMin = 0)
        : base(optimizer)
    {
        Hyperparameter.Positive(tMax, nameof(tMax));
        Hyperparameter.NonNegative(etaMin, nameof(etaMin));
        TMax = tMax;
        EtaMin = etaMin;
        InitialStep();
    }

    public int TMax { get; }

    public double EtaMin { get; }

    private protected override string Kind => nameof(CosineAnnealingLR);

    // The order of operations is torch's, so the doubles agree bit for bit.
    private protected override double Chained(int epoch, double current)
    {
        if (epoch == 0)
        {
            return current;
        }

        if ((epoch - 1 - TMax) % (2 * TMax) == 0)
        {
            return current + (BaseLearningRate - EtaMin) * (1 - Math.Cos(Math.PI / TMax)) / 2;
        }

        return (1 + Math.Cos(Math.PI * epoch / TMax)) / (1 + Math.Cos(Math.PI * (epoch - 1) / TMax)) * (current - EtaMin) + EtaMin;
    }

    private protected override double ClosedForm(int epoch) =>
        EtaMin + (BaseLearningRate - EtaMin) * (1 + Math.Cos(Math.PI * epoch / TMax)) / 2;
}
