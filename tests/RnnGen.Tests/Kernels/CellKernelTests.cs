using System;
using RnnGen.Kernels;
using Xunit;

namespace RnnGen.Tests.Kernels;

/// <summary>
/// The vectorised cell steps against plain double-precision formulas, at widths that exercise the
/// vector body, the scalar tail, saturated inputs, and padded rows.
/// </summary>
public sealed class CellKernelTests
{
    private const int Batch = 3;

    [Theory]
    [InlineData(1)]
    [InlineData(8)]
    [InlineData(37)]
    [InlineData(64)]
    public void LstmForwardMatchesScalarFormula(int hidden)
    {
        var random = new Random(hidden);
        float[] gates = Random(random, Batch * 4 * hidden, scale: 6), pre = (float[])gates.Clone();
        float[] cPrev = Random(random, Batch * hidden, scale: 2), hPrev = Random(random, Batch * hidden, scale: 1);
        var cNext = new float[Batch * hidden];
        var hNext = new float[Batch * hidden];
        var y = new float[Batch * 2 * hidden];
        int[] lengths = [5, 2, 5];
        LstmCell.Forward(Batch, hidden, 3, lengths, gates, cPrev, cNext, hPrev, hNext, y, 2 * hidden);
        for (int b = 0; b < Batch; b++)
        {
            for (int j = 0; j < hidden; j++)
            {
                int g = b * 4 * hidden + j, s = b * hidden + j;
                if (lengths[b] <= 3)
                {
                    Assert.Equal(hPrev[s], hNext[s]);
                    Assert.Equal(cPrev[s], cNext[s]);
                    Assert.Equal(0f, y[b * 2 * hidden + j]);
                    continue;
                }

                double i = Sigmoid(pre[g]), f = Sigmoid(pre[g + hidden]), n = Math.Tanh(pre[g + 2 * hidden]), o = Sigmoid(pre[g + 3 * hidden]);
                double c = f * cPrev[s] + i * n, h = o * Math.Tanh(c);
                Close(i, gates[g]);
                Close(n, gates[g + 2 * hidden]);
                Close(c, cNext[s]);
                Close(h, hNext[s]);
                Assert.Equal(hNext[s], y[b * 2 * hidden + j]);
            }
        }
    }

    [Theory]
    [InlineData(3)]
    [InlineData(16)]
    [InlineData(45)]
    public void GruForwardMatchesScalarFormula(int hidden)
    {
        var random = new Random(100 + hidden);
        float[] gates = Random(random, Batch * 3 * hidden, scale: 6), pre = (float[])gates.Clone();
        float[] hGates = Random(random, Batch * 3 * hidden, scale: 3), hPrev = Random(random, Batch * hidden, scale: 1);
        var hNext = new float[Batch * hidden];
        int[] lengths = [4, 4, 1];
        GruCell.Forward(Batch, hidden, 2, lengths, gates, hGates, hPrev, hNext, default, 0);
        for (int b = 0; b < Batch; b++)
        {
            for (int j = 0; j < hidden; j++)
            {
                int g = b * 3 * hidden + j, s = b * hidden + j;
                if (lengths[b] <= 2)
                {
                    Assert.Equal(hPrev[s], hNext[s]);
                    continue;
                }

                double r = Sigmoid(pre[g] + hGates[g]), z = Sigmoid(pre[g + hidden] + hGates[g + hidden]);
                double n = Math.Tanh(pre[g + 2 * hidden] + r * hGates[g + 2 * hidden]);
                Close(r, gates[g]);
                Close(n, gates[g + 2 * hidden]);
                Close((1 - z) * n + z * hPrev[s], hNext[s]);
            }
        }
    }

    [Fact]
    public void ActivationsSaturateWithoutDenormalsOrNaN()
    {
        foreach (float x in new[] { -1e30f, -100f, -88f, -40f, 0f, 40f, 88f, 100f, 1e30f })
        {
            float s = Activations.Sigmoid(x), t = Activations.Tanh(x);
            Assert.True(s == 0f || s >= 1.17549435e-38f, $"sigmoid({x}) = {s} is denormal");
            Assert.True(float.IsFinite(s) && float.IsFinite(t));
            var v = Activations.Sigmoid(new System.Numerics.Vector<float>(x));
            Assert.True(v[0] == 0f || v[0] >= 1.17549435e-38f, $"vector sigmoid({x}) = {v[0]} is denormal");
            Close(Math.Tanh(x), Activations.Tanh(new System.Numerics.Vector<float>(x))[0]);
        }
    }

    private static void Close(double expected, float actual) =>
        Assert.True(Math.Abs(expected - actual) <= 1e-6, $"{actual:R} differs from {expected:R} by {Math.Abs(expected - actual):E2}");

    private static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    private static float[] Random(Random random, int count, float scale)
    {
        var values = new float[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = (float)((random.NextDouble() * 2 - 1) * scale);
        }

        return values;
    }
}
