using System.Runtime.CompilerServices;

namespace RnnGen;

/// <summary>
/// The learning rate of one optimizer as torch keeps it in a parameter group: a double that schedules
/// read and rewrite (their chainable forms compound on it), plus <c>initial_lr</c>, recorded by the first
/// schedule attached. RnnGen's optimizers own one and step with the double; any other
/// <see cref="IOptimizer"/> gets one on the side, kept exact while its float property still holds the
/// value last written, and re-read from the float once someone else changes it.
/// </summary>
internal sealed class LearningRateGroup
{
    private static readonly ConditionalWeakTable<IOptimizer, LearningRateGroup> Foreign = new();
    private readonly IOptimizer? _foreign;
    private double _value;
    private float _written;

    public LearningRateGroup(double value)
    {
        _value = value;
        _written = (float)value;
    }

    private LearningRateGroup(IOptimizer foreign)
    {
        _foreign = foreign;
        _written = foreign.LearningRate;
        _value = Hyperparameter.Decimal(_written);
    }

    /// <summary>torch's <c>initial_lr</c>: the rate before any schedule changed it.</summary>
    public double? Initial { get; set; }

    /// <summary>The rate as the optimizer sees it, rounded to float.</summary>
    public float Single => _foreign is null ? _written : _foreign.LearningRate;

    public double Value
    {
        get
        {
            if (_foreign is not null && _foreign.LearningRate != _written)
            {
                _written = _foreign.LearningRate;
                _value = Hyperparameter.Decimal(_written);
            }

            return _value;
        }

        set
        {
            Hyperparameter.NonNegative(value, "learningRate");
            if (_foreign is not null)
            {
                _foreign.LearningRate = (float)value;
            }

            _value = value;
            _written = (float)value;
        }
    }

    public static LearningRateGroup Of(IOptimizer optimizer) =>
        optimizer is Optimizer own ? own.Group : Foreign.GetValue(optimizer, static o => new LearningRateGroup(o));
}
