using System;
using System.Runtime.Intrinsics;
using RnnGen.Kernels;
using Xunit;

namespace RnnGen.Tests.Kernels;

/// <summary>
/// The fused step's product <see cref="RecurrentProduct.Panel{TOps, TV}"/> at every vector width this process runs, on
/// <see cref="RecurrentWeights"/> laid out for that width (the recurrence driver reaches only the widest), for row
/// groups of 1, 2 and 4 and one-, three- and four-gate cells. The design requires each output to be one FMA chain
/// over the inputs in order, starting from zero, whatever the row group (so a partial batch or a one-step Step gives
/// the bits of a full Forward); the test computes that chain lane by lane and demands the same bits.
/// </summary>
public sealed unsafe class RecurrentProductWidthTests
{
    public static TheoryData<int, int, int> Cases()
    {
        var data = new TheoryData<int, int, int>();
        foreach (int width in KernelWidths.Supported)
        {
            foreach (int gates in new[] { 1, 3, 4 })
            {
                foreach (int rows in new[] { 1, 2, 4 })
                {
                    data.Add(width, gates, rows);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void EachOutputIsOneFmaChainInInputOrderWhateverTheRowGroup(int width, int gates, int rows)
    {
        var random = new Random((width * 100) + (gates * 10) + rows);
        int unitsPerPanel = (gates == 1 ? 4 : 1) * width;
        foreach (int hidden in new[] { 1, width - 1, width + 1, unitsPerPanel + 3, 2 * unitsPerPanel })
        {
            foreach (int k in new[] { 1, 7, 9, 33 })
            {
                Check(width, gates, rows, Math.Max(1, hidden), k, random);
            }
        }
    }

    [Fact]
    public void TheWidthIsCheckedAndDefaultsToTheWidestPath()
    {
        Assert.Equal(Gemm.VectorWidth, new RecurrentWeights(4, 5, 5).Width);
        Assert.Throws<ArgumentOutOfRangeException>(() => new RecurrentWeights(4, 5, 5, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RecurrentWeights(4, 5, 5, 32));
        var weights = new RecurrentWeights(1, 40, 3, 8);
        Assert.Equal((8, 4, 32, 4, 2), (weights.Width, weights.UnitVectors, weights.UnitsPerPanel, weights.PanelVectors, weights.Panels));
    }

    private static void Check(int width, int gates, int rows, int hidden, int k, Random random)
    {
        var weights = new RecurrentWeights(gates, hidden, k, width);
        Assert.Equal(width, weights.Width);
        float[] w = Noise(random, gates * hidden * k);
        weights.Pack(w, version: -1);

        int ldh = k + random.Next(0, 3);
        float[] h = Noise(random, ((rows - 1) * ldh) + k);
        int vectors = weights.PanelVectors, rowFloats = vectors * width;
        string what = $"width {width}, {gates} gate(s), H={hidden}, K={k}, {rows} row(s)";
        for (int panel = 0; panel < weights.Panels; panel++)
        {
            float[] tile = Run(width, weights, panel, rows, h, 0, ldh, out float sentinel);
            Assert.True(BitConverter.SingleToInt32Bits(sentinel) == BitConverter.SingleToInt32Bits(Sentinel), $"{what}: the product wrote past its tile");
            for (int r = 0; r < rows; r++)
            {
                // The same row alone: the group must not change its bits.
                float[] alone = Run(width, weights, panel, 1, h, r * ldh, ldh, out _);
                for (int v = 0; v < vectors; v++)
                {
                    int gate = v / weights.UnitVectors;
                    for (int lane = 0; lane < width; lane++)
                    {
                        int unit = (panel * weights.UnitsPerPanel) + ((v % weights.UnitVectors) * width) + lane;
                        float chain = 0f;
                        double exact = 0;
                        if (unit < hidden)
                        {
                            for (int p = 0; p < k; p++)
                            {
                                float x = h[(r * ldh) + p], weight = w[((((gate * hidden) + unit) * k) + p)];
                                chain = KernelWidths.MultiplyAdd(width, x, weight, chain);
                                exact += (double)x * weight;
                            }
                        }

                        float actual = tile[(r * rowFloats) + (v * width) + lane];
                        string at = $"{what}: panel {panel}, row {r}, gate {gate}, unit {unit}";
                        Assert.True(BitConverter.SingleToInt32Bits(actual) == BitConverter.SingleToInt32Bits(chain),
                            $"{at} = {actual:R}; the FMA chain over the inputs in order gives {chain:R}");
                        Assert.True(BitConverter.SingleToInt32Bits(actual) == BitConverter.SingleToInt32Bits(alone[(v * width) + lane]),
                            $"{at} = {actual:R} in a group of {rows}, {alone[(v * width) + lane]:R} alone");
                        Assert.True(Math.Abs(actual - exact) <= 1e-6 * (k + 1), $"{at} = {actual:R}, exactly {exact:R}");
                    }
                }
            }
        }
    }

    private const float Sentinel = -12345.5f;

    /// <summary>The tile of rows [first/ldh, +rows) for one panel, and the float just past it (which must keep <see cref="Sentinel"/>).</summary>
    private static float[] Run(int width, RecurrentWeights weights, int panel, int rows, float[] h, int first, int ldh, out float past)
    {
        int floats = rows * weights.PanelVectors * width;
        var tile = new float[floats + 1];
        tile.AsSpan().Fill(float.NaN);
        tile[floats] = Sentinel;
        fixed (float* ph = h, pt = tile)
        {
            float* hp = ph + first, panelData = weights.Panel(panel);
            int vectors = weights.PanelVectors, k = weights.Inputs;
            switch (width)
            {
                case 16:
                    RecurrentProduct.Panel<Vec512Ops, Vector512<float>>(rows, vectors, k, hp, ldh, panelData, pt);
                    break;
                case 8:
                    RecurrentProduct.Panel<Vec256Ops, Vector256<float>>(rows, vectors, k, hp, ldh, panelData, pt);
                    break;
                default:
                    RecurrentProduct.Panel<Vec128Ops, Vector128<float>>(rows, vectors, k, hp, ldh, panelData, pt);
                    break;
            }
        }

        past = tile[floats];
        return tile[..floats];
    }

    private static float[] Noise(Random random, int length)
    {
        var values = new float[length];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (float)((random.NextDouble() * 2) - 1);
        }

        return values;
    }
}
