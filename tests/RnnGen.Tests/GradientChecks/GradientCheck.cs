using System;
using System.Collections.Generic;
using System.Linq;
using RnnGen.Tests.Numerics;
using Xunit;

namespace RnnGen.Tests.GradientChecks;

/// <summary>
/// A generated model's analytic gradients (float32) against central differences of a double-precision
/// reference loss, element by element: every element of a small tensor; of a large one a random sample, its
/// largest gradient, and for recurrent weights and biases the first, last (the scalar tail) and a random
/// unit of every gate.
/// </summary>
internal static class GradientCheck
{
    /// <summary>A float input of the composed model, and the model's gradient for it (null: not checked).</summary>
    public sealed record InputTensor(string Name, float[] Values, float[]? Gradient);

    public const double Epsilon = 1e-5;
    public const int SamplesPerTensor = 48;

    /// <summary>The loss against the reference's (1e-5 relative), then every parameter tensor and the input gradient.</summary>
    public static void Compare(ParameterSet parameters, ParameterSet gradients, float modelLoss, float[]? input, float[]? inputGradient,
        Func<Dictionary<string, double[]>, double[]?, double> referenceLoss) =>
        Compare([(parameters, gradients)], modelLoss, input is null ? [] : [new InputTensor("input", input, inputGradient)],
            (p, inputs) => referenceLoss(p, inputs.GetValueOrDefault("input")));

    /// <summary>
    /// The same for several models composed into one loss (parameter names unique across the sets) with several
    /// float inputs: the reference gets every parameter and every input, by name, in double precision.
    /// </summary>
    public static void Compare(IReadOnlyList<(ParameterSet Parameters, ParameterSet Gradients)> sets, float modelLoss, IReadOnlyList<InputTensor> inputs,
        Func<Dictionary<string, double[]>, Dictionary<string, double[]>, double> referenceLoss)
    {
        var p = new Dictionary<string, double[]>();
        foreach ((ParameterSet parameters, _) in sets)
        {
            foreach (string name in parameters.Names)
            {
                p.Add(name, D(parameters[name]));
            }
        }

        Dictionary<string, double[]> x = inputs.ToDictionary(i => i.Name, i => D(i.Values));
        double baseline = referenceLoss(p, x);
        Assert.True(Math.Abs(baseline - modelLoss) <= 1e-5 * Math.Max(1, Math.Abs(baseline)), $"loss {modelLoss:R}, scalar reference {baseline:R}");

        var random = new Random(99);
        foreach ((ParameterSet parameters, ParameterSet gradients) in sets)
        {
            foreach (string name in parameters.Names)
            {
                IEnumerable<int> gateEdges = GateEdges(parameters, name, random);
                CheckTensor(name, p[name], gradients[name].ToArray(), random, () => referenceLoss(p, x), gateEdges);
            }
        }

        foreach (InputTensor input in inputs)
        {
            if (input.Gradient is not null)
            {
                CheckTensor(input.Name, x[input.Name], input.Gradient, random, () => referenceLoss(p, x), []);
            }
        }
    }

    /// <summary>Central differences on a sample of elements (all of a small tensor), within 1e-4 of the tensor's largest gradient.</summary>
    public static void CheckTensor(string name, double[] values, float[] analytic, Random random, Func<double> loss, IEnumerable<int> extra)
    {
        IEnumerable<int> indices = values.Length <= SamplesPerTensor
            ? Enumerable.Range(0, values.Length)
            : Enumerable.Range(0, SamplesPerTensor).Select(_ => random.Next(values.Length)).Append(ArgMaxAbs(analytic)).Concat(extra).Distinct();
        double scale = Math.Max(analytic.Max(v => Math.Abs((double)v)), 1e-6);
        double tolerance = Tolerance.GradientRelative * scale;
        foreach (int i in indices)
        {
            double fd = CentralDifference(values, i, loss);
            double error = Math.Abs(fd - analytic[i]);
            if (error > tolerance && AtKink(values, i, loss, tolerance, analytic[i]))
            {
                continue;
            }

            Assert.True(error <= tolerance,
                $"d loss / d {name}[{i}]: analytic {analytic[i]:R}, finite difference {fd:R} (error {error:E2}, scale {scale:E2})");
        }
    }

    /// <summary>
    /// A relu switches within ±ε of this point when the one-sided differences disagree beyond the tolerance; the
    /// central difference then averages two slopes, and the analytic gradient must equal one of them instead.
    /// </summary>
    private static bool AtKink(double[] values, int i, Func<double> loss, double tolerance, float analytic)
    {
        double saved = values[i];
        double at = loss();
        values[i] = saved + Epsilon;
        double forward = (loss() - at) / Epsilon;
        values[i] = saved - Epsilon;
        double backward = (at - loss()) / Epsilon;
        values[i] = saved;
        return Math.Abs(forward - backward) > tolerance
            && (Math.Abs(forward - analytic) <= tolerance || Math.Abs(backward - analytic) <= tolerance);
    }

    public static double CentralDifference(double[] values, int i, Func<double> loss)
    {
        double saved = values[i];
        values[i] = saved + Epsilon;
        double plus = loss();
        values[i] = saved - Epsilon;
        double minus = loss();
        values[i] = saved;
        return (plus - minus) / (2 * Epsilon);
    }

    public static void AssertPaddedOutputIsZero(float[] output, int[] lengths, int steps, int features)
    {
        for (int b = 0; b < lengths.Length; b++)
        {
            for (int t = lengths[b]; t < steps; t++)
            {
                for (int j = 0; j < features; j++)
                {
                    Assert.Equal(0f, output[(b * steps + t) * features + j]);
                }
            }
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

    public static float[] F(double[] values) => values.Select(v => (float)v).ToArray();

    public static double Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++)
        {
            s += (double)a[i] * b[i];
        }

        return s;
    }

    public static void Fill(Span<float> values, Random random)
    {
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (float)(random.NextDouble() * 2 - 1);
        }
    }

    /// <summary>
    /// For a recurrent weight or bias ([G·H, in] or [G·H]): one element in the rows of unit 0, unit H − 1 and a
    /// random unit of each gate, so the vector body and the scalar tail of every gate are probed whatever the sample.
    /// </summary>
    private static IEnumerable<int> GateEdges(ParameterSet parameters, string name, Random random)
    {
        string[] kinds = ["weight_ih", "weight_hh", "bias_ih", "bias_hh"];
        string? kind = kinds.FirstOrDefault(k => name.Contains("." + k, StringComparison.Ordinal));
        if (kind is null)
        {
            return [];
        }

        int[] recurrent = parameters.GetShape(name.Replace("." + kind, ".weight_hh", StringComparison.Ordinal));
        int hidden = recurrent[1], gates = recurrent[0] / hidden;
        int[] shape = parameters.GetShape(name);
        int columns = shape.Length == 2 ? shape[1] : 1;
        var indices = new List<int>();
        for (int g = 0; g < gates; g++)
        {
            foreach (int unit in new[] { 0, hidden - 1, random.Next(hidden) })
            {
                indices.Add(((g * hidden) + unit) * columns + random.Next(columns));
            }
        }

        return indices;
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
