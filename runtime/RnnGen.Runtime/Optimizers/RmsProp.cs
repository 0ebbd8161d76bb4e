using System;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace RnnGen;

/// <summary>
/// RMSprop with torch.optim.RMSprop semantics: <c>g += weightDecay * p</c>;
/// <c>sq = alpha * sq + (1 - alpha) * g²</c>; centered subtracts the square of the running mean of g
/// under the root; <c>avg = sqrt(...) + epsilon</c>; then <c>p -= lr * g / avg</c>, or with momentum
/// <c>buf = momentum * buf + g / avg; p -= lr * buf</c>.
/// </summary>
public sealed class RmsProp : Optimizer
{
    private readonly double _alpha;
    private readonly double _epsilon;
    private readonly double _weightDecay;
    private readonly double _momentum;

    public RmsProp(float learningRate = 0.01f, float alpha = 0.99f, float epsilon = 1e-8f, float weightDecay = 0, float momentum = 0, bool centered = false)
        : base(learningRate, ["square_avg", centered ? "grad_avg" : null, momentum > 0 ? "momentum_buffer" : null])
    {
        Hyperparameter.NonNegative(alpha, nameof(alpha));
        Hyperparameter.NonNegative(epsilon, nameof(epsilon));
        Hyperparameter.NonNegative(weightDecay, nameof(weightDecay));
        Hyperparameter.NonNegative(momentum, nameof(momentum));
        Alpha = alpha;
        Epsilon = epsilon;
        WeightDecay = weightDecay;
        Momentum = momentum;
        Centered = centered;
        _alpha = Hyperparameter.Decimal(alpha);
        _epsilon = Hyperparameter.Decimal(epsilon);
        _weightDecay = Hyperparameter.Decimal(weightDecay);
        _momentum = Hyperparameter.Decimal(momentum);
    }

    public float Alpha { get; }

    public float Epsilon { get; }

    public float WeightDecay { get; }

    public float Momentum { get; }

    public bool Centered { get; }

    private protected override string Kind => nameof(RmsProp);

    private protected override void Update(ParameterSet parameters, ParameterSet gradients, int step, double learningRate)
    {
        var rule = new RmsPropRule(
            WeightDecay: (float)_weightDecay,
            Alpha: (float)_alpha,
            OneMinusAlpha: (float)(1 - _alpha),
            Epsilon: (float)_epsilon,
            Momentum: (float)_momentum,
            NegativeLearningRate: (float)-learningRate,
            HasDecay: _weightDecay != 0,
            HasMomentum: _momentum > 0,
            Centered: Centered);
        Run(in rule, parameters, gradients);
    }
}

/// <summary>torch's _single_tensor_rmsprop per element; state0 square_avg, state1 grad_avg, state2 momentum_buffer.</summary>
file readonly record struct RmsPropRule(
    float WeightDecay, float Alpha, float OneMinusAlpha, float Epsilon, float Momentum, float NegativeLearningRate,
    bool HasDecay, bool HasMomentum, bool Centered) : IUpdateRule
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Update(ref float p, float g, ref float squareAvg, ref float gradAvg, ref float buffer)
    {
        float d = g;
        if (HasDecay)
        {
            d = MathF.FusedMultiplyAdd(WeightDecay, p, d);                               // grad.add(param, alpha=weight_decay)
        }

        squareAvg = MathF.FusedMultiplyAdd(OneMinusAlpha * d, d, squareAvg * Alpha);    // square_avg.mul_(alpha).addcmul_(grad, grad, value=1 - alpha)
        float avg;
        if (Centered)
        {
            gradAvg = MathF.FusedMultiplyAdd(OneMinusAlpha, d, gradAvg * Alpha);         // grad_avg.mul_(alpha).add_(grad, alpha=1 - alpha)
            avg = MathF.Sqrt(MathF.FusedMultiplyAdd(-gradAvg, gradAvg, squareAvg));      // square_avg.addcmul(grad_avg, grad_avg, value=-1).sqrt_()
        }
        else
        {
            avg = MathF.Sqrt(squareAvg);
        }

        avg += Epsilon;                                                                  // avg.add_(eps)
        if (HasMomentum)
        {
            buffer = buffer * Momentum + d / avg;                                        // buf.mul_(momentum).addcdiv_(grad, avg)
            p = MathF.FusedMultiplyAdd(NegativeLearningRate, buffer, p);                 // param.add_(buf, alpha=-lr)
        }
        else
        {
            p += NegativeLearningRate * d / avg;                                         // param.addcdiv_(grad, avg, value=-lr)
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Update(ref Vector<float> p, Vector<float> g, ref Vector<float> squareAvg, ref Vector<float> gradAvg, ref Vector<float> buffer)
    {
        Vector<float> d = g;
        if (HasDecay)
        {
            d = Vector.FusedMultiplyAdd(new Vector<float>(WeightDecay), p, d);
        }

        squareAvg = Vector.FusedMultiplyAdd(OneMinusAlpha * d, d, squareAvg * Alpha);
        Vector<float> avg;
        if (Centered)
        {
            gradAvg = Vector.FusedMultiplyAdd(new Vector<float>(OneMinusAlpha), d, gradAvg * Alpha);
            avg = Vector.SquareRoot(Vector.FusedMultiplyAdd(-gradAvg, gradAvg, squareAvg));
        }
        else
        {
            avg = Vector.SquareRoot(squareAvg);
        }

        avg += new Vector<float>(Epsilon);
        if (HasMomentum)
        {
            buffer = buffer * Momentum + d / avg;
            p = Vector.FusedMultiplyAdd(new Vector<float>(NegativeLearningRate), buffer, p);
        }
        else
        {
            p += NegativeLearningRate * d / avg;
        }
    }
}
