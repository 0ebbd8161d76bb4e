using System;
using System.Collections.Generic;
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

    /// <summary>Widths below, at and above one vector (4, 8 or 16 lanes) and with tails; each with and without dy.</summary>
    public static IEnumerable<object[]> BackwardCases()
    {
        foreach (int hidden in new[] { 1, 7, 8, 16, 37, 64 })
        {
            yield return [hidden, false];
            yield return [hidden, true];
        }
    }

    [Theory]
    [MemberData(nameof(BackwardCases))]
    public void LstmBackwardMatchesScalarFormula(int hidden, bool withDy)
    {
        var random = new Random(200 + hidden);
        int h4 = 4 * hidden, dyStride = hidden + 5;
        // Activations as the forward pass leaves them: i, f, o in [0,1], g in [-1,1], including the saturated ends.
        var gates = new float[Batch * h4];
        for (int b = 0; b < Batch; b++)
        {
            for (int j = 0; j < hidden; j++)
            {
                int g = b * h4 + j;
                gates[g] = Unit(random);
                gates[g + hidden] = Unit(random);
                gates[g + 2 * hidden] = 2 * Unit(random) - 1;
                gates[g + 3 * hidden] = Unit(random);
            }
        }

        float[] cPrev = Random(random, Batch * hidden, scale: 3), cNext = Random(random, Batch * hidden, scale: 6);
        cNext[0] = 60f; // beyond the tanh clamp
        cNext[^1] = -60f;
        float[] dh = Random(random, Batch * hidden, scale: 2), dc = Random(random, Batch * hidden, scale: 2);
        float[] dy = withDy ? Random(random, (Batch - 1) * dyStride + hidden, scale: 2) : [];
        float[] dhIn = (float[])dh.Clone(), dcIn = (float[])dc.Clone();
        float[] dGates = Filled(Batch * h4, float.NaN);
        int[] lengths = [5, 2, 5];
        LstmCell.Backward(Batch, hidden, 3, lengths, gates, cPrev, cNext, withDy ? dy : default, dyStride, dh, dc, dGates);
        for (int b = 0; b < Batch; b++)
        {
            for (int j = 0; j < hidden; j++)
            {
                int g = b * h4 + j, s = b * hidden + j;
                if (lengths[b] <= 3)
                {
                    for (int k = 0; k < 4; k++)
                    {
                        Assert.Equal(0f, dGates[g + k * hidden]);
                    }

                    Assert.Equal(dhIn[s], dh[s]);
                    Assert.Equal(dcIn[s], dc[s]);
                    continue;
                }

                double i = gates[g], f = gates[g + hidden], n = gates[g + 2 * hidden], o = gates[g + 3 * hidden];
                double dhj = dhIn[s] + (withDy ? dy[b * dyStride + j] : 0.0);
                double tc = Math.Tanh(cNext[s]);
                double dcj = dcIn[s] + dhj * o * (1 - tc * tc);
                CloseScaled(dcj * n * i * (1 - i), dGates[g]);
                CloseScaled(dcj * cPrev[s] * f * (1 - f), dGates[g + hidden]);
                CloseScaled(dcj * i * (1 - n * n), dGates[g + 2 * hidden]);
                CloseScaled(dhj * tc * o * (1 - o), dGates[g + 3 * hidden]);
                CloseScaled(dcj * f, dc[s]);
                Assert.Equal(0f, dh[s]);
            }
        }
    }

    [Theory]
    [MemberData(nameof(BackwardCases))]
    public void GruBackwardMatchesScalarFormula(int hidden, bool withDy)
    {
        var random = new Random(300 + hidden);
        int h3 = 3 * hidden, dyStride = 2 * hidden + 3;
        // r, z in [0,1] and n in [-1,1], as the forward pass leaves them.
        var gates = new float[Batch * h3];
        for (int b = 0; b < Batch; b++)
        {
            for (int j = 0; j < hidden; j++)
            {
                int g = b * h3 + j;
                gates[g] = Unit(random);
                gates[g + hidden] = Unit(random);
                gates[g + 2 * hidden] = 2 * Unit(random) - 1;
            }
        }

        float[] hGates = Random(random, Batch * h3, scale: 3), hPrev = Random(random, Batch * hidden, scale: 1);
        float[] dh = Random(random, Batch * hidden, scale: 2), dhIn = (float[])dh.Clone();
        float[] dy = withDy ? Random(random, (Batch - 1) * dyStride + hidden, scale: 2) : [];
        float[] dGx = Filled(Batch * h3, float.NaN), dGh = Filled(Batch * h3, float.NaN);
        int[] lengths = [1, 4, 4];
        GruCell.Backward(Batch, hidden, 2, lengths, gates, hGates, hPrev, withDy ? dy : default, dyStride, dh, dGx, dGh);
        for (int b = 0; b < Batch; b++)
        {
            for (int j = 0; j < hidden; j++)
            {
                int g = b * h3 + j, s = b * hidden + j;
                if (lengths[b] <= 2)
                {
                    for (int k = 0; k < 3; k++)
                    {
                        Assert.Equal(0f, dGx[g + k * hidden]);
                        Assert.Equal(0f, dGh[g + k * hidden]);
                    }

                    Assert.Equal(dhIn[s], dh[s]);
                    continue;
                }

                double r = gates[g], z = gates[g + hidden], n = gates[g + 2 * hidden];
                double dhj = dhIn[s] + (withDy ? dy[b * dyStride + j] : 0.0);
                double dn = dhj * (1 - z) * (1 - n * n);
                double dz = dhj * (hPrev[s] - n) * z * (1 - z);
                double dr = dn * hGates[g + 2 * hidden] * r * (1 - r);
                CloseScaled(dr, dGx[g]);
                CloseScaled(dz, dGx[g + hidden]);
                CloseScaled(dn, dGx[g + 2 * hidden]);
                CloseScaled(dr, dGh[g]);
                CloseScaled(dz, dGh[g + hidden]);
                CloseScaled(dn * r, dGh[g + 2 * hidden]);
                CloseScaled(dhj * z, dh[s]);
            }
        }
    }

    [Theory]
    [InlineData(1, Nonlinearity.Tanh)]
    [InlineData(7, Nonlinearity.Relu)]
    [InlineData(8, Nonlinearity.Tanh)]
    [InlineData(16, Nonlinearity.Relu)]
    [InlineData(37, Nonlinearity.Tanh)]
    [InlineData(37, Nonlinearity.Relu)]
    [InlineData(64, Nonlinearity.Tanh)]
    [InlineData(64, Nonlinearity.Relu)]
    public void SimpleRnnForwardMatchesScalarFormula(int hidden, Nonlinearity nonlinearity)
    {
        var random = new Random(400 + hidden);
        float[] gates = Random(random, Batch * hidden, scale: 6);
        gates[0] = -100f; // saturated and clamped
        gates[^1] = 1e30f;
        gates[Batch * hidden / 2] = 0f;
        float[] pre = (float[])gates.Clone(), hPrev = Random(random, Batch * hidden, scale: 1);
        var hNext = new float[Batch * hidden];
        var y = new float[Batch * 2 * hidden];
        int[] lengths = [3, 1, 3];
        foreach (bool withY in new[] { true, false })
        {
            pre.CopyTo(gates, 0);
            y.AsSpan().Fill(float.NaN);
            SimpleRnnCell.Forward(Batch, hidden, 1, lengths, nonlinearity, gates, hPrev, hNext, withY ? y : default, 2 * hidden);
            for (int b = 0; b < Batch; b++)
            {
                for (int j = 0; j < hidden; j++)
                {
                    int s = b * hidden + j;
                    float yj = y[b * 2 * hidden + j];
                    if (lengths[b] <= 1)
                    {
                        Assert.Equal(hPrev[s], hNext[s]);
                        Assert.Equal(pre[s], gates[s]);
                        Assert.True(withY ? yj == 0f : float.IsNaN(yj));
                        continue;
                    }

                    double h = nonlinearity == Nonlinearity.Relu ? Math.Max(pre[s], 0.0) : Math.Tanh(pre[s]);
                    Close(h, hNext[s]);
                    Assert.Equal(hNext[s], gates[s]);
                    Assert.True(withY ? yj == hNext[s] : float.IsNaN(yj));
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(BackwardCases))]
    public void SimpleRnnBackwardMatchesScalarFormula(int hidden, bool withDy)
    {
        foreach (Nonlinearity nonlinearity in new[] { Nonlinearity.Tanh, Nonlinearity.Relu })
        {
            var random = new Random(500 + hidden);
            int dyStride = hidden + 1;
            // The stored outputs: relu's are ≥ 0 with exact zeros, tanh's in [-1,1] including the ends.
            float[] h = Random(random, Batch * hidden, scale: 1);
            for (int s = 0; s < h.Length; s++)
            {
                h[s] = nonlinearity == Nonlinearity.Relu ? Math.Max(h[s], 0f) : (s % 9 == 4 ? MathF.Sign(h[s]) : h[s]);
            }

            float[] dh = Random(random, Batch * hidden, scale: 2), dhIn = (float[])dh.Clone();
            float[] dy = withDy ? Random(random, (Batch - 1) * dyStride + hidden, scale: 2) : [];
            float[] dGates = Filled(Batch * hidden, float.NaN);
            int[] lengths = [6, 6, 2];
            SimpleRnnCell.Backward(Batch, hidden, 4, lengths, nonlinearity, h, withDy ? dy : default, dyStride, dh, dGates);
            for (int b = 0; b < Batch; b++)
            {
                for (int j = 0; j < hidden; j++)
                {
                    int s = b * hidden + j;
                    if (lengths[b] <= 4)
                    {
                        Assert.Equal(0f, dGates[s]);
                        Assert.Equal(dhIn[s], dh[s]);
                        continue;
                    }

                    double dhj = dhIn[s] + (withDy ? dy[b * dyStride + j] : 0.0);
                    double derivative = nonlinearity == Nonlinearity.Relu ? (h[s] > 0 ? 1 : 0) : 1 - (double)h[s] * h[s];
                    CloseScaled(dhj * derivative, dGates[s]);
                    Assert.Equal(0f, dh[s]);
                }
            }
        }
    }

    [Fact]
    public void VectorReluMatchesScalarRelu()
    {
        foreach (float x in new[] { float.NaN, float.NegativeInfinity, -1f, -0f, 0f, 1e-40f, 2.5f, float.PositiveInfinity })
        {
            float lane = Activations.Relu(new System.Numerics.Vector<float>(x))[0];
            Assert.Equal(BitConverter.SingleToInt32Bits(Activations.Relu(x)), BitConverter.SingleToInt32Bits(lane));
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

    /// <summary>Backward values grow with the inputs (up to about 20 here), so the bound is relative above 1.</summary>
    private static void CloseScaled(double expected, float actual)
    {
        double bound = 2e-6 * Math.Max(1, Math.Abs(expected));
        Assert.True(Math.Abs(expected - actual) <= bound, $"{actual:R} differs from {expected:R} by {Math.Abs(expected - actual):E2} (bound {bound:E2})");
    }

    private static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    /// <summary>A value in [0,1]; one in eight is exactly 0 or 1 (a saturated gate).</summary>
    private static float Unit(Random random) => random.Next(8) switch
    {
        0 => random.Next(2),
        _ => (float)random.NextDouble(),
    };

    private static float[] Filled(int count, float value)
    {
        var values = new float[count];
        values.AsSpan().Fill(value);
        return values;
    }

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
