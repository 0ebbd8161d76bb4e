using System;
using System.Linq;
using Xunit;

namespace RnnGen.Tests.Runtime;

/// <summary>The tensors of optimizer_reference.py: dyadic rationals, so C# and PyTorch start from identical floats.</summary>
internal static class ReferenceTensors
{
    public const int Steps = 3;

    public static ParameterSet NewSet() => new([("layer.weight", [4, 3]), ("layer.bias", [5])]);

    public static ParameterSet Initial()
    {
        ParameterSet set = NewSet();
        Fill(set, i => ((i * 37 % 23) - 11) / 8f);
        return set;
    }

    public static void FillGradient(ParameterSet gradients, int step) => Fill(gradients, i => (((i * 17) + (step * 29)) % 19 - 9) / 16f);

    public static float[] Flat(ParameterSet set) => set.Names.SelectMany(n => set[n].ToArray()).ToArray();

    /// <summary>The alignment padding between tensors, which flat optimizer loops must keep at zero.</summary>
    public static float[] Padding(ParameterSet set)
    {
        float[] data = set.Data.ToArray();
        var padding = new System.Collections.Generic.List<float>();
        for (int i = 0; i < data.Length; i++)
        {
            if (!set.Names.Any(n => i >= set.GetOffset(n) && i < set.GetOffset(n) + set[n].Length))
            {
                padding.Add(data[i]);
            }
        }

        Assert.NotEmpty(padding);
        return padding.ToArray();
    }

    /// <summary>Relative 1e-6, with a floor of 0.1 on the magnitude so that values near zero are not held to nothing.</summary>
    public static void AssertClose(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            double tolerance = 1e-6 * Math.Max(Math.Abs(expected[i]), 0.1);
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance, $"Element {i}: expected {expected[i]:R}, got {actual[i]:R}.");
        }
    }

    private static void Fill(ParameterSet set, Func<int, float> value)
    {
        int k = 0;
        foreach (string name in set.Names)
        {
            Span<float> t = set[name];
            for (int i = 0; i < t.Length; i++)
            {
                t[i] = value(k++);
            }
        }
    }
}
