using System;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace RnnGen;

/// <summary>
/// Adagrad with torch.optim.Adagrad semantics: <c>g += weightDecay * p</c>; <c>sum += g * g</c> (starting
/// at <c>initialAccumulatorValue</c>); <c>p -= clr * g / (sqrt(sum) + epsilon)</c> with
/// <c>clr = lr / (1 + (step - 1) * lrDecay)</c>.
/// </summary>
public sealed class Adagrad : Optimizer
{
    private readonly double _lrDecay;
    private readonly double _weightDecay;
    private readonly double _initialAccumulatorValue;
    private readonly double _epsilon;

    public Adagrad(float learningRate = 0.01f, float lrDecay = 0, float weightDecay = 0, float initialAccumulatorValue = 0, float epsilon = 1e-10f)
        : base(learningRate, ["sum"])
    {
        Hyperparameter.NonNegative(lrDecay, nameof(lrDecay));
        Hyperparameter.NonNegative(weightDecay, nameof(weightDecay));
        Hyperparameter.NonNegative(initialAccumulatorValue, nameof(initialAccumulatorValue));
        Hyperparameter.NonNegative(epsilon, nameof(epsilon));
        LrDecay = lrDecay;
        WeightDecay = weightDecay;
        InitialAccumulatorValue = initialAccumulatorValue;
        Epsilon = epsilon;
        _lrDecay = Hyperparameter.Decimal(lrDecay);
        _weightDecay = Hyperparameter.Decimal(weightDecay);
        _initialAccumulatorValue = Hyperparameter.Decimal(initialAccumulatorValue);
        _epsilon = Hyperparameter.Decimal(epsilon);
    }

    public float LrDecay { get; }

    public float WeightDecay { get; }

    public float InitialAccumulatorValue { get; }

    public float Epsilon { get; }

    private protected override string Kind => nameof(Adagrad);

    private protected override float InitialStateValue => (float)_initialAccumulatorValue;

    private protected override void Update(ParameterSet parameters, ParameterSet gradients, int step, double learningRate)
    {
        double clr = learningRate / (1 + (step - 1) * _lrDecay);
        var rule = new AdagradRule(
            WeightDecay: (float)_weightDecay,
            Epsilon: (float)_epsilon,
            NegativeClr: (float)-clr,
            HasDecay: _weightDecay != 0);
        Run(in rule, parameters, gradients);
    }
}

/// <summary>torch's _single_tensor_adagrad per element (dense gradients); state0 is the sum of squares.</summary>
file readonly record struct AdagradRule(float WeightDecay, float Epsilon, float NegativeClr, bool HasDecay) : IUpdateRule
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Update(ref float p, float g, ref float sum, ref float unused1, ref float unused2)
    {
        float d = g;
        if (HasDecay)
        {
            d = MathF.FusedMultiplyAdd(WeightDecay, p, d);   // grad.add(param, alpha=weight_decay)
        }

        sum = MathF.FusedMultiplyAdd(d, d, sum);              // state_sum.addcmul_(grad, grad, value=1)
        float std = MathF.Sqrt(sum) + Epsilon;                // state_sum.sqrt().add_(eps)
        p += NegativeClr * d / std;                           // param.addcdiv_(grad, std, value=-clr)
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Update(ref Vector<float> p, Vector<float> g, ref Vector<float> sum, ref Vector<float> unused1, ref Vector<float> unused2)
    {
        Vector<float> d = g;
        if (HasDecay)
        {
            d = Vector.FusedMultiplyAdd(new Vector<float>(WeightDecay), p, d);
        }

        sum = Vector.FusedMultiplyAdd(d, d, sum);
        Vector<float> std = Vector.SquareRoot(sum) + new Vector<float>(Epsilon);
        p += NegativeClr * d / std;
    }
}
