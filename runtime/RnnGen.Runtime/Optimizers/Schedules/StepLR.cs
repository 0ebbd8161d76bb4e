using System;

namespace RnnGen;

/// <summary>
/// torch.optim.lr_scheduler.StepLR: multiplies the rate by <c>gamma</c> every <c>stepSize</c> epochs
/// (chainable form: <c>lr * gamma</c> at epochs that are multiples of <c>stepSize</c>).
/// </summary>
public sealed class StepLR : LearningRateSchedule
{
    public StepLR(IOptimizer optimizer, int stepSize, double gamma = 0.1)
        : base(optimizer)
    {
        Hyperparameter.Positive(stepSize, nameof(stepSize));
        Hyperparameter.NonNegative(gamma, nameof(gamma));
        StepSize = stepSize;
        Gamma = gamma;
        InitialStep();
    }

    public int StepSize { get; }

    public double Gamma { get; }

    private protected override string Kind => nameof(StepLR);

    private protected override double Chained(int epoch, double current) =>
        epoch == 0 || epoch % StepSize != 0 ? current : current * Gamma;

    private protected override double ClosedForm(int epoch) => BaseLearningRate * Math.Pow(Gamma, epoch / StepSize);
}
