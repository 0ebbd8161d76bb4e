using System;
using System.Numerics;
using System.Runtime.InteropServices;

namespace RnnGen;

/// <summary>
/// Stochastic gradient descent with torch.optim.SGD semantics (dampening 0): with momentum the buffer
/// starts as the first (weight-decayed) gradient, then <c>buf = momentum * buf + g</c>; Nesterov steps
/// along <c>g + momentum * buf</c>.
/// </summary>
public sealed class Sgd : IOptimizer
{
    private readonly ParameterSetPair _pair = new();
    private AlignedBuffer? _momentumBuffer;

    public Sgd(float learningRate, float momentum = 0, float weightDecay = 0, bool nesterov = false)
    {
        Hyperparameter.NonNegative(learningRate, nameof(learningRate));
        Hyperparameter.NonNegative(momentum, nameof(momentum));
        Hyperparameter.NonNegative(weightDecay, nameof(weightDecay));
        if (nesterov && momentum <= 0)
        {
            throw new ArgumentException("Nesterov momentum requires a momentum > 0.", nameof(nesterov));
        }

        LearningRate = learningRate;
        Momentum = momentum;
        WeightDecay = weightDecay;
        Nesterov = nesterov;
    }

    /// <summary>The step size; settable so that a schedule can change it between steps.</summary>
    public float LearningRate
    {
        get;
        set
        {
            Hyperparameter.NonNegative(value, nameof(value));
            field = value;
        }
    }

    public float Momentum { get; }

    public float WeightDecay { get; }

    public bool Nesterov { get; }

    public void Step(ParameterSet parameters, ParameterSet gradients)
    {
        _pair.Validate(parameters, gradients);
        Span<float> p = parameters.WritableData;
        ReadOnlySpan<float> g = gradients.ReadOnlyData;
        if (Momentum == 0)
        {
            Update(p, g, default, -LearningRate, WeightDecay, 0, nesterov: false, first: false);
            return;
        }

        bool first = _momentumBuffer is null;
        _momentumBuffer ??= new AlignedBuffer(p.Length);
        if (_momentumBuffer.Length != p.Length)
        {
            throw new ArgumentException(
                $"This optimizer's state holds {_momentumBuffer.Length} scalars from its first step, but the set has {p.Length}; use one optimizer per model.",
                nameof(parameters));
        }

        Update(p, g, _momentumBuffer.Span, -LearningRate, WeightDecay, Momentum, Nesterov, first);
    }

    // The operation order mirrors torch's _single_tensor_sgd so that results agree to an ulp.
    private static void Update(Span<float> p, ReadOnlySpan<float> g, Span<float> buffer, float negativeLr, float decay, float momentum, bool nesterov, bool first)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            Span<Vector<float>> pv = MemoryMarshal.Cast<float, Vector<float>>(p);
            ReadOnlySpan<Vector<float>> gv = MemoryMarshal.Cast<float, Vector<float>>(g);
            Span<Vector<float>> bv = MemoryMarshal.Cast<float, Vector<float>>(buffer);
            for (int k = 0; k < pv.Length; k++)
            {
                Vector<float> d = gv[k];
                if (decay != 0)
                {
                    d += decay * pv[k];
                }

                if (momentum != 0)
                {
                    Vector<float> b = first ? d : bv[k] * momentum + d;
                    bv[k] = b;
                    d = nesterov ? d + momentum * b : b;
                }

                pv[k] += negativeLr * d;
            }

            i = pv.Length * Vector<float>.Count;
        }

        for (; i < p.Length; i++)
        {
            float d = g[i];
            if (decay != 0)
            {
                d += decay * p[i];
            }

            if (momentum != 0)
            {
                float b = first ? d : buffer[i] * momentum + d;
                buffer[i] = b;
                d = nesterov ? d + momentum * b : b;
            }

            p[i] += negativeLr * d;
        }
    }
}
