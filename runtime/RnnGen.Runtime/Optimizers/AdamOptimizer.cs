using System;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace RnnGen;

/// <summary>
/// What <see cref="Adam"/> and <see cref="AdamW"/> share: hyperparameters, bias-corrected moments and the
/// AMSGrad variant. They differ only in how weight decay enters the update.
/// </summary>
public abstract class AdamOptimizer : Optimizer
{
    private readonly bool _decoupledDecay;
    private readonly double _beta1;
    private readonly double _beta2;
    private readonly double _epsilon;
    private readonly double _weightDecay;

    private protected AdamOptimizer(bool decoupledDecay, float learningRate, float beta1, float beta2, float epsilon, float weightDecay, bool amsgrad)
        : base(learningRate, ["exp_avg", "exp_avg_sq", amsgrad ? "max_exp_avg_sq" : null])
    {
        Hyperparameter.Beta(beta1, nameof(beta1));
        Hyperparameter.Beta(beta2, nameof(beta2));
        Hyperparameter.NonNegative(epsilon, nameof(epsilon));
        Hyperparameter.NonNegative(weightDecay, nameof(weightDecay));
        _decoupledDecay = decoupledDecay;
        Beta1 = beta1;
        Beta2 = beta2;
        Epsilon = epsilon;
        WeightDecay = weightDecay;
        Amsgrad = amsgrad;
        _beta1 = Hyperparameter.Decimal(beta1);
        _beta2 = Hyperparameter.Decimal(beta2);
        _epsilon = Hyperparameter.Decimal(epsilon);
        _weightDecay = Hyperparameter.Decimal(weightDecay);
    }

    public float Beta1 { get; }

    public float Beta2 { get; }

    public float Epsilon { get; }

    public float WeightDecay { get; }

    /// <summary>Normalises by the running maximum of the second moment (AMSGrad).</summary>
    public bool Amsgrad { get; }

    private protected override void Update(ParameterSet parameters, ParameterSet gradients, int step, double learningRate)
    {
        // Scalars in double, as torch computes them in Python, then rounded once to float.
        double biasCorrection1 = 1 - Math.Pow(_beta1, step);
        double biasCorrection2 = 1 - Math.Pow(_beta2, step);
        var rule = new AdamRule(
            Beta1: (float)_beta1,
            OneMinusBeta1: (float)(1 - _beta1),
            Beta2: (float)_beta2,
            OneMinusBeta2: (float)(1 - _beta2),
            NegativeStepSize: (float)-(learningRate / biasCorrection1),
            BiasCorrection2Sqrt: (float)Math.Sqrt(biasCorrection2),
            Epsilon: (float)_epsilon,
            L2Decay: (float)_weightDecay,
            DecoupledFactor: (float)(1 - learningRate * _weightDecay),
            HasL2Decay: !_decoupledDecay && _weightDecay != 0,
            HasDecoupledDecay: _decoupledDecay && _weightDecay != 0,
            Amsgrad: Amsgrad);
        Run(in rule, parameters, gradients);
    }
}

/// <summary>
/// torch's _single_tensor_adam and _single_tensor_adamw per element; state0 exp_avg, state1 exp_avg_sq,
/// state2 max_exp_avg_sq. AdamW's <c>param.mul_(1 - lr * weight_decay)</c> is skipped when the decay is 0 (a multiply by 1).
/// </summary>
file readonly record struct AdamRule(
    float Beta1, float OneMinusBeta1, float Beta2, float OneMinusBeta2, float NegativeStepSize, float BiasCorrection2Sqrt,
    float Epsilon, float L2Decay, float DecoupledFactor, bool HasL2Decay, bool HasDecoupledDecay, bool Amsgrad) : IUpdateRule
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Update(ref float p, float g, ref float expAvg, ref float expAvgSq, ref float maxExpAvgSq)
    {
        float param = p;
        if (HasDecoupledDecay)
        {
            param *= DecoupledFactor;                                                  // param.mul_(1 - lr * weight_decay)
        }

        float d = g;
        if (HasL2Decay)
        {
            d = MathF.FusedMultiplyAdd(L2Decay, param, d);                             // grad.add(param, alpha=weight_decay)
        }

        expAvg = MathF.FusedMultiplyAdd(OneMinusBeta1, d, expAvg * Beta1);            // exp_avg.mul_(beta1).add_(grad, alpha=1 - beta1)
        expAvgSq = MathF.FusedMultiplyAdd(OneMinusBeta2 * d, d, expAvgSq * Beta2);    // exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
        float second = expAvgSq;
        if (Amsgrad)
        {
            maxExpAvgSq = MathF.Max(maxExpAvgSq, expAvgSq);                            // torch.maximum(max_exp_avg_sq, exp_avg_sq)
            second = maxExpAvgSq;
        }

        float denominator = MathF.Sqrt(second) / BiasCorrection2Sqrt + Epsilon;      // (sqrt() / bias_correction2_sqrt).add_(eps)
        p = param + NegativeStepSize * expAvg / denominator;                          // param.addcdiv_(exp_avg, denom, value=-step_size)
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Update(ref Vector<float> p, Vector<float> g, ref Vector<float> expAvg, ref Vector<float> expAvgSq, ref Vector<float> maxExpAvgSq)
    {
        Vector<float> param = p;
        if (HasDecoupledDecay)
        {
            param *= DecoupledFactor;
        }

        Vector<float> d = g;
        if (HasL2Decay)
        {
            d = Vector.FusedMultiplyAdd(new Vector<float>(L2Decay), param, d);
        }

        expAvg = Vector.FusedMultiplyAdd(new Vector<float>(OneMinusBeta1), d, expAvg * Beta1);
        expAvgSq = Vector.FusedMultiplyAdd(OneMinusBeta2 * d, d, expAvgSq * Beta2);
        Vector<float> second = expAvgSq;
        if (Amsgrad)
        {
            maxExpAvgSq = Vector.Max(maxExpAvgSq, expAvgSq);
            second = maxExpAvgSq;
        }

        Vector<float> denominator = Vector.SquareRoot(second) / BiasCorrection2Sqrt + new Vector<float>(Epsilon);
        p = param + NegativeStepSize * expAvg / denominator;
    }
}
