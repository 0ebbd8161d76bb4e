using System;
using System.Collections.Generic;
using System.Linq;
using Xunit;

namespace RnnGen.Tests.GradientChecks;

/// <summary>
/// A model's analytic gradients (float32) against central differences of a double-precision loss, with the
/// tolerances of <see cref="FiniteDifferenceTests"/>: the loss within 1e-5 (relative), every sampled derivative
/// within 1e-4 of its tensor's largest gradient.
/// </summary>
internal static class FiniteDifference
{
    private const double Epsilon = 1e-5;
    private const int SamplesPerTensor = 48;

    /// <summary>Loss, every parameter tensor and the input gradient against <paramref name="referenceLoss"/>(parameters, input).</summary>
    public static void Compare(ParameterSet parameters, ParameterSet gradients, double modelLoss, float[]? input, float[]? inputGradient,
        Func<Dictionary<string, double[]>, double[]?, double> referenceLoss)
    {
        Dictionary<string, double[]> p = ToDoubles(parameters);
        double[]? x = input is null ? null : D(input);
        double baseline = referenceLoss(p, x);
        Assert.True(Math.Abs(baseline - modelLoss) <= 1e-5 * Math.Max(1, Math.Abs(baseline)), $"loss {modelLoss:R}, scalar reference {baseline:R}");

        var random = new Random(99);
        foreach (string name in parameters.Names)
        {
            CheckTensor(name, p[name], gradients[name].ToArray(), random, () => referenceLoss(p, x));
        }

        if (x is not null && inputGradient is not null)
        {
            CheckTensor("input", x, inputGradient, random, () => referenceLoss(p, x));
        }
    }

    /// <summary>Central differences on a sample of elements (all of a small tensor), within 1e-4 of the tensor's largest gradient.</summary>
    public static void CheckTensor(string name, double[] values, float[] analytic, Random random, Func<double> loss)
    {
        IEnumerable<int> indices = values.Length <= SamplesPerTensor
            ? Enumerable.Range(0, values.Length)
            : Enumerable.Range(0, SamplesPerTensor).Select(_ => random.Next(values.Length)).Append(ArgMaxAbs(analytic)).Distinct();
        double scale = Math.Max(analytic.Max(v => Math.Abs((double)v)), 1e-6);
        foreach (int i in indices)
        {
            double saved = values[i];
            values[i] = saved + Epsilon;
            double plus = loss();
            values[i] = saved - Epsilon;
            double minus = loss();
            values[i] = saved;
            double fd = (plus - minus) / (2 * Epsilon);
            double error = Math.Abs(fd - analytic[i]);
            Assert.True(error <= Numerics.Tolerance.GradientRelative * scale,
                $"d loss / d {name}[{i}]: analytic {analytic[i]:R}, finite difference {fd:R} (error {error:E2}, scale {scale:E2})");
        }
    }

    public static Dictionary<string, double[]> ToDoubles(ParameterSet set) => set.Names.ToDictionary(n => n, n => D(set[n]));

    public static double[] D(ReadOnlySpan<float> values)
    {
        var result = new double[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            result[i] = values[i];
        }

        return result;
    }

    private static int ArgMaxAbs(float[] values)
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++)
        {
            if (Math.Abs(values[i]) > Math.Abs(values[best]))
            {
                best = i;
            }
        }

        return best;
    }
}
