namespace RnnGen;

/// <summary>
/// What <see cref="Adam"/> and <see cref="AdamW"/> share: hyperparameters, bias-corrected moments,
/// state allocated on the first step. They differ only in how weight decay enters the update.
/// </summary>
public abstract class AdamOptimizer : IOptimizer
{
    private readonly AdamUpdate _update;
    private readonly double _beta1;
    private readonly double _beta2;
    private readonly double _weightDecay;
    private double _learningRate;

    private protected AdamOptimizer(bool decoupledDecay, float learningRate, float beta1, float beta2, float epsilon, float weightDecay)
    {
        _update = new AdamUpdate(decoupledDecay);
        Hyperparameter.Beta(beta1, nameof(beta1));
        Hyperparameter.Beta(beta2, nameof(beta2));
        Hyperparameter.NonNegative(epsilon, nameof(epsilon));
        Hyperparameter.NonNegative(weightDecay, nameof(weightDecay));
        LearningRate = learningRate;
        Beta1 = beta1;
        Beta2 = beta2;
        Epsilon = epsilon;
        WeightDecay = weightDecay;
        _beta1 = Hyperparameter.Decimal(beta1);
        _beta2 = Hyperparameter.Decimal(beta2);
        _weightDecay = Hyperparameter.Decimal(weightDecay);
    }

    /// <summary>The step size; settable so that a schedule can change it between steps.</summary>
    public float LearningRate
    {
        get;
        set
        {
            Hyperparameter.NonNegative(value, nameof(value));
            field = value;
            _learningRate = Hyperparameter.Decimal(value);
        }
    }

    public float Beta1 { get; }

    public float Beta2 { get; }

    public float Epsilon { get; }

    public float WeightDecay { get; }

    /// <summary>Steps taken so far; the bias corrections use it.</summary>
    public int StepCount => _update.StepCount;

    public void Step(ParameterSet parameters, ParameterSet gradients) =>
        _update.Step(parameters, gradients, _learningRate, _beta1, _beta2, Epsilon, _weightDecay);
}
