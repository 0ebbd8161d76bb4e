using System;
using System.Runtime.Intrinsics.X86;
using RnnGen.Kernels;
using Xunit;

namespace RnnGen.Tests.Kernels;

/// <summary>
/// Every transposing packer path against a plain transpose, whatever the machine picks: the blocked GEMM's
/// <c>PackBTransposed</c> with the AVX 8 × 8 register transpose, the SSE 4 × 4 one and element by element, and
/// <see cref="RecurrentWeights"/> with and without the register transpose, at every panel layout (4, 8, 16 floats).
/// Without these the SSE and scalar packers would run only on machines without AVX, which CI never is.
/// </summary>
public sealed unsafe class PackingPathTests
{
    public static TheoryData<int, int> GemmCases()
    {
        var data = new TheoryData<int, int>();
        foreach (int registerRows in new[] { 8, 4, 1 })
        {
            if ((registerRows == 8 && !Avx.IsSupported) || (registerRows == 4 && !Sse.IsSupported))
            {
                continue; // that register transpose does not exist here; the others still run
            }

            foreach (int nr in new[] { 8, 16, 32 })
            {
                data.Add(registerRows, nr);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(GemmCases))]
    public void GemmPackerMatchesAPlainTranspose(int registerRows, int nr)
    {
        var random = new Random((registerRows * 64) + nr);

        // Columns around 4, 8 and the panel (whole and partial register blocks), depths around 4 and 8 (register tails).
        foreach (int nc in new[] { 1, 3, 4, 5, 8, 9, nr - 1, nr, nr + 5, (2 * nr) + 11 })
        {
            foreach (int kc in new[] { 1, 3, 4, 7, 8, 12, 17 })
            {
                int ldb = kc + random.Next(0, 4);
                float[] b = Noise(random, ((nc - 1) * ldb) + kc); // B(p, j) stored at b[j·ldb + p]
                int padded = (nc + nr - 1) / nr * nr;
                var packed = new float[(padded * kc) + 1];
                packed.AsSpan().Fill(float.NaN); // every packed float must be written, padding included
                packed[^1] = 7f;
                fixed (float* pb = b, pd = packed)
                {
                    GemmBlocked.PackBTransposed(pb, ldb, nc, kc, nr, pd, registerRows);
                }

                for (int j = 0; j < padded; j++)
                {
                    for (int p = 0; p < kc; p++)
                    {
                        float actual = packed[((j / nr) * nr * kc) + (p * nr) + (j % nr)];
                        float expected = j < nc ? b[(j * ldb) + p] : 0f;
                        if (BitConverter.SingleToInt32Bits(actual) != BitConverter.SingleToInt32Bits(expected))
                        {
                            Assert.Fail($"{registerRows}-row transpose, NR={nr}, {nc} columns × depth {kc} (ldb {ldb}): B({p}, {j}) packed as {actual:R}, expected {expected:R}");
                        }
                    }
                }

                Assert.Equal(7f, packed[^1]);
            }
        }
    }

    public static TheoryData<int, int, bool> RecurrentCases()
    {
        var data = new TheoryData<int, int, bool>();
        foreach (int width in new[] { 4, 8, 16 })
        {
            foreach (int gates in new[] { 1, 3, 4 })
            {
                data.Add(width, gates, false);
                if (Transpose.Vectorized)
                {
                    data.Add(width, gates, true);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(RecurrentCases))]
    public void RecurrentPackerMatchesAPlainTranspose(int width, int gates, bool registerTranspose)
    {
        var random = new Random((width * 10) + gates);

        // Hidden sizes with whole and partial 8-unit blocks and panels; inputs with and without 8 × 8 tails.
        foreach (int hidden in new[] { 1, 7, 8, 17, 40, 67 })
        {
            foreach (int k in new[] { 1, 5, 8, 13, 24 })
            {
                var weights = new RecurrentWeights(gates, hidden, k, width);
                float[] w = Noise(random, gates * hidden * k); // W_hh[gate·H + unit, p]
                for (int panel = 0; panel < weights.Panels; panel++)
                {
                    new Span<float>(weights.Panel(panel), weights.PanelLength).Fill(float.NaN); // all must be written
                }

                weights.Pack(w, version: -1, registerTranspose);
                int vectors = weights.PanelVectors;
                for (int panel = 0; panel < weights.Panels; panel++)
                {
                    float* data = weights.Panel(panel);
                    for (int p = 0; p < k; p++)
                    {
                        for (int v = 0; v < vectors; v++)
                        {
                            for (int lane = 0; lane < width; lane++)
                            {
                                int gate = v / weights.UnitVectors;
                                int unit = (panel * weights.UnitsPerPanel) + ((v % weights.UnitVectors) * width) + lane;
                                float expected = unit < hidden ? w[(((gate * hidden) + unit) * k) + p] : 0f;
                                float actual = data[(p * vectors * width) + (v * width) + lane];
                                if (BitConverter.SingleToInt32Bits(actual) != BitConverter.SingleToInt32Bits(expected))
                                {
                                    Assert.Fail($"width {width}, {gates} gate(s), H={hidden}, K={k}, register transpose {registerTranspose}: " +
                                        $"W_hh[{(gate * hidden) + unit}, {p}] packed as {actual:R}, expected {expected:R}");
                                }
                            }
                        }
                    }
                }
            }
        }
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
