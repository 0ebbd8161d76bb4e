using System;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace RnnGen;

/// <summary>
/// Stochastic gradient descent with torch.optim.SGD semantics: <c>g += weightDecay * p</c>; with momentum
/// the buffer starts as the first such g, then <c>buf = momentum * buf + (1 - dampening) * g</c>, and the
/// step follows <c>buf</c> (or <c>g + momentum * buf</c> with Nesterov); <c>p -= lr * step</c>.
/// </summary>
public sealed class Sgd : Optimizer
{
    private readonly double _momentum;
    private readonly double _dampening;
    private readonly double _weightDecay;

    /// <param name="learningRate">Required, as in torch.</param>
    /// <param name="nesterov">Needs <paramref name="momentum"/> &gt; 0 and <paramref name="dampening"/> = 0.</param>
    public Sgd(float learningRate, float momentum = 0, float dampening = 0, float weightDecay = 0, bool nesterov = false)
        : base(learningRate, momentum != 0 ? ["momentum_buffer"] : [])
    {
        Hyperparameter.NonNegative(momentum, nameof(momentum));
        Hyperparameter.Finite(dampening, nameof(dampening));
        Hyperparameter.NonNegative(weightDecay, nameof(weightDecay));
        if (nesterov && (momentum <= 0 || dampening != 0))
        {
            throw new ArgumentException("Nesterov momentum requires a momentum > 0 and zero dampening.", nameof(nesterov));
        }

        Momentum = momentum;
        Dampening = dampening;
        WeightDecay = weightDecay;
        Nesterov = nesterov;
        _momentum = Hyperparameter.Decimal(momentum);
        _dampening = Hyperparameter.Decimal(dampening);
        _weightDecay = Hyperparameter.Decimal(weightDecay);
    }

    public float Momentum { get; }

    public float Dampening { get; }

    public float WeightDecay { get; }

    public bool Nesterov { get; }

    private protected override string Kind => nameof(Sgd);

    private protected override void Update(ParameterSet parameters, ParameterSet gradients, int step, double learningRate)
    {
        var rule = new SgdRule(
            WeightDecay: (float)_weightDecay,
            Momentum: (float)_momentum,
            OneMinusDampening: (float)(1 - _dampening),
            NegativeLearningRate: (float)-learningRate,
            HasDecay: _weightDecay != 0,
            HasMomentum: _momentum != 0,
            FirstStep: step == 1,
            Nesterov: Nesterov);
        Run(in rule, parameters, gradients);
    }
}

/// <summary>torch's _single_tensor_sgd per element; state0 is the momentum buffer. Each <c>add(x, alpha=a)</c> is one fused multiply-add, as in torch's kernels.</summary>
file readonly record struct SgdRule(
    float WeightDecay, float Momentum, float OneMinusDampening, float NegativeLearningRate,
    bool HasDecay, bool HasMomentum, bool FirstStep, bool Nesterov) : IUpdateRule
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Update(ref float p, float g, ref float buffer, ref float unused1, ref float unused2)
    {
        float d = g;
        if (HasDecay)
        {
            d = MathF.FusedMultiplyAdd(WeightDecay, p, d);                                // d_p.add(param, alpha=weight_decay)
        }

        if (HasMomentum)
        {
            buffer = FirstStep ? d : MathF.FusedMultiplyAdd(OneMinusDampening, d, buffer * Momentum); // buf.mul_(momentum).add_(d_p, alpha=1 - dampening)
            d = Nesterov ? MathF.FusedMultiplyAdd(Momentum, buffer, d) : buffer;       // d_p.add(buf, alpha=momentum)
        }

        p = MathF.FusedMultiplyAdd(NegativeLearningRate, d, p);                          // param.add_(d_p, alpha=-lr)
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Update(ref Vector<float> p, Vector<float> g, ref Vector<float> buffer, ref Vector<float> unused1, ref Vector<float> unused2)
    {
        Vector<float> d = g;
        if (HasDecay)
        {
            d = Vector.FusedMultiplyAdd(new Vector<float>(WeightDecay), p, d);
        }

        if (HasMomentum)
        {
            buffer = FirstStep ? d : Vector.FusedMultiplyAdd(new Vector<float>(OneMinusDampening), d, buffer * Momentum);
            d = Nesterov ? Vector.FusedMultiplyAdd(new Vector<float>(Momentum), buffer, d) : buffer;
        }

        p = Vector.FusedMultiplyAdd(new Vector<float>(NegativeLearningRate), d, p);
    }
}
