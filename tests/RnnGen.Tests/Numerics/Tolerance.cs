using System;
using Xunit;

namespace RnnGen.Tests.Numerics;

/// <summary>The tolerances PyTorch's float32 results support (shared/reference/README.md).</summary>
internal static class Tolerance
{
    public const double Output = 1e-5;
    public const double GradientRelative = 1e-4;

    public static void Absolute(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, double tolerance, string what)
    {
        Assert.True(expected.Length == actual.Length, $"{what}: {actual.Length} values, expected {expected.Length}");
        for (int i = 0; i < expected.Length; i++)
        {
            double error = Math.Abs(expected[i] - actual[i]);
            Assert.True(error <= tolerance && !float.IsNaN(actual[i]), $"{what}[{i}] = {actual[i]:R}, expected {expected[i]:R} (error {error:E2} > {tolerance:E0})");
        }
    }

    /// <summary>Every element within <paramref name="relative"/> of the tensor's largest magnitude.</summary>
    public static void RelativeToMax(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, double relative, string what)
    {
        double scale = 0;
        foreach (float v in expected)
        {
            scale = Math.Max(scale, Math.Abs(v));
        }

        Absolute(expected, actual, relative * Math.Max(scale, 1e-12), what);
    }
}
