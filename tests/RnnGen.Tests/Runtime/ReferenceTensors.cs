using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using Xunit;

namespace RnnGen.Tests.Runtime;

/// <summary>
/// optimizer_reference.json, written by optimizer_reference.py from PyTorch 1.13: the tensors, their
/// initial values and per-step gradients (random float32, stored exactly), and torch's results.
/// </summary>
internal static class ReferenceTensors
{
    private static readonly Lazy<JsonDocument> Document = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Runtime", "optimizer_reference.json"))));

    public static JsonElement Root => Document.Value.RootElement;

    public static int Steps => Root.GetProperty("gradients").GetArrayLength();

    public static (string Name, int[] Shape)[] Tensors =>
        Root.GetProperty("tensors").EnumerateArray()
            .Select(t => (t.GetProperty("name").GetString()!, t.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()).ToArray()))
            .ToArray();

    public static ParameterSet NewSet() => new(Tensors);

    public static ParameterSet Initial()
    {
        ParameterSet set = NewSet();
        Fill(set, Floats(Root.GetProperty("initial")));
        return set;
    }

    public static void FillGradient(ParameterSet gradients, int step) => Fill(gradients, Floats(Root.GetProperty("gradients")[step]));

    public static float[] Floats(JsonElement array) => array.EnumerateArray().Select(v => v.GetSingle()).ToArray();

    public static double[] Doubles(JsonElement array) => array.EnumerateArray().Select(v => v.GetDouble()).ToArray();

    public static IEnumerable<object[]> Names(string section) =>
        Root.GetProperty(section).EnumerateObject().Select(p => new object[] { p.Name });

    public static float[] Flat(ParameterSet set) => set.Names.SelectMany(n => set[n].ToArray()).ToArray();

    /// <summary>The alignment padding between tensors, which optimizers must leave at zero.</summary>
    public static float[] Padding(ParameterSet set)
    {
        float[] data = set.Data.ToArray();
        var padding = new List<float>();
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

    /// <summary>Distance in units in the last place: how many floats lie between the two (0 when bitwise equal).</summary>
    public static long Ulps(float a, float b)
    {
        if (a == b)
        {
            return 0;
        }

        if (float.IsNaN(a) || float.IsNaN(b))
        {
            return long.MaxValue;
        }

        return Math.Abs(Ordered(a) - Ordered(b));

        static long Ordered(float x)
        {
            int bits = BitConverter.SingleToInt32Bits(x);
            return bits < 0 ? -(long)(bits & int.MaxValue) : bits;
        }
    }

    /// <summary>Asserts every element within <paramref name="maxUlps"/>; returns the largest distance seen.</summary>
    public static long AssertWithinUlps(float[] expected, float[] actual, long maxUlps, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        long worst = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            long ulps = Ulps(expected[i], actual[i]);
            Assert.True(ulps <= maxUlps, $"{what}, element {i}: expected {expected[i]:R}, got {actual[i]:R} ({ulps} ulps apart; at most {maxUlps} allowed).");
            worst = Math.Max(worst, ulps);
        }

        return worst;
    }

    private static void Fill(ParameterSet set, float[] values)
    {
        int k = 0;
        foreach (string name in set.Names)
        {
            Span<float> t = set[name];
            values.AsSpan(k, t.Length).CopyTo(t);
            k += t.Length;
        }

        Assert.Equal(values.Length, k);
    }
}
