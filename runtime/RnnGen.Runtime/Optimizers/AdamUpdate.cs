using System;
using System.Numerics;
using System.Runtime.InteropServices;

namespace RnnGen;

/// <summary>
/// The moment buffers and the update loop shared by <see cref="Adam"/> (L2 decay folded into the gradient)
/// and <see cref="AdamW"/> (decoupled decay), in the operation order of torch 1.13's single-tensor Adam.
/// </summary>
internal sealed class AdamUpdate
{
    private readonly ParameterSetPair _pair = new();
    private readonly bool _decoupledDecay;
    private AlignedBuffer? _firstMoment;
    private AlignedBuffer? _secondMoment;

    public AdamUpdate(bool decoupledDecay) => _decoupledDecay = decoupledDecay;

    public int StepCount { get; private set; }

    public void Step(ParameterSet parameters, ParameterSet gradients, double lr, double beta1, double beta2, float epsilon, double weightDecay)
    {
        _pair.Validate(parameters, gradients);
        Span<float> p = parameters.WritableData;
        ReadOnlySpan<float> g = gradients.ReadOnlyData;
        _firstMoment ??= new AlignedBuffer(p.Length);
        _secondMoment ??= new AlignedBuffer(p.Length);
        if (_firstMoment.Length != p.Length)
        {
            throw new ArgumentException(
                $"This optimizer's state holds {_firstMoment.Length} scalars from its first step, but the set has {p.Length}; use one optimizer per model.",
                nameof(parameters));
        }

        // Scalars in double, as torch computes them in Python, then rounded once to float.
        StepCount++;
        double biasCorrection1 = 1 - Math.Pow(beta1, StepCount);
        double biasCorrection2 = 1 - Math.Pow(beta2, StepCount);
        var s = new Scalars(
            Beta1: (float)beta1,
            OneMinusBeta1: (float)(1 - beta1),
            Beta2: (float)beta2,
            OneMinusBeta2: (float)(1 - beta2),
            NegativeStepSize: (float)(-lr / biasCorrection1),
            BiasCorrection2Sqrt: (float)Math.Sqrt(biasCorrection2),
            Epsilon: epsilon,
            L2Decay: _decoupledDecay ? 0 : (float)weightDecay,
            DecoupledFactor: _decoupledDecay ? (float)(1 - lr * weightDecay) : 1);
        Update(p, g, _firstMoment.Span, _secondMoment.Span, s);
    }

    private readonly record struct Scalars(
        float Beta1, float OneMinusBeta1, float Beta2, float OneMinusBeta2,
        float NegativeStepSize, float BiasCorrection2Sqrt, float Epsilon, float L2Decay, float DecoupledFactor);

    private static void Update(Span<float> p, ReadOnlySpan<float> g, Span<float> m, Span<float> v, in Scalars s)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            Span<Vector<float>> pv = MemoryMarshal.Cast<float, Vector<float>>(p);
            ReadOnlySpan<Vector<float>> gv = MemoryMarshal.Cast<float, Vector<float>>(g);
            Span<Vector<float>> mv = MemoryMarshal.Cast<float, Vector<float>>(m);
            Span<Vector<float>> vv = MemoryMarshal.Cast<float, Vector<float>>(v);
            for (int k = 0; k < pv.Length; k++)
            {
                Vector<float> param = pv[k];
                if (s.DecoupledFactor != 1)
                {
                    param *= s.DecoupledFactor;
                }

                Vector<float> grad = gv[k];
                if (s.L2Decay != 0)
                {
                    grad += s.L2Decay * param;
                }

                Vector<float> first = mv[k] * s.Beta1 + s.OneMinusBeta1 * grad;
                Vector<float> second = vv[k] * s.Beta2 + s.OneMinusBeta2 * grad * grad;
                mv[k] = first;
                vv[k] = second;
                Vector<float> denominator = Vector.SquareRoot(second) / s.BiasCorrection2Sqrt + new Vector<float>(s.Epsilon);
                pv[k] = param + s.NegativeStepSize * first / denominator;
            }

            i = pv.Length * Vector<float>.Count;
        }

        for (; i < p.Length; i++)
        {
            float param = p[i];
            if (s.DecoupledFactor != 1)
            {
                param *= s.DecoupledFactor;
            }

            float grad = g[i];
            if (s.L2Decay != 0)
            {
                grad += s.L2Decay * param;
            }

            float first = m[i] * s.Beta1 + s.OneMinusBeta1 * grad;
            float second = v[i] * s.Beta2 + s.OneMinusBeta2 * grad * grad;
            m[i] = first;
            v[i] = second;
            float denominator = MathF.Sqrt(second) / s.BiasCorrection2Sqrt + s.Epsilon;
            p[i] = param + s.NegativeStepSize * first / denominator;
        }
    }
}
