using System;
using System.Linq;
using RnnGen.Kernels;
using RnnGen.Tests.Threading;
using Xunit;

namespace RnnGen.Tests.Kernels;

/// <summary>
/// The fused small-batch step (<c>Cell.Step</c> on <see cref="RecurrentWeights"/>) against the unfused
/// path it replaces: h·W_hhᵀ summed in double precision here, added to the gates, then the cell's own
/// <c>Forward</c>. Shapes cover partial panels, every row-group size, padded rows, and odd steps (panels
/// walked backwards).
/// </summary>
[Collection(ThreadCountCollection.Name)] // changes RnnThreads.Count
public sealed class RecurrentStepTests
{
    public static TheoryData<string, int, int, int> Cases()
    {
        var data = new TheoryData<string, int, int, int>();
        foreach (string cell in new[] { "lstm", "gru", "relu", "tanh" })
        {
            foreach (int hidden in new[] { 1, 5, 8, 16, 17, 37, 64 })
            {
                foreach (int batch in new[] { 1, 2, 3, 4, 5, 8 })
                {
                    data.Add(cell, hidden, batch, (hidden + batch) % 2 == 0 ? 2 : 3);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void FusedStepMatchesProductThenCell(string cell, int hidden, int batch, int t)
    {
        int gatesPerUnit = cell == "lstm" ? 4 : cell == "gru" ? 3 : 1;
        int gh = gatesPerUnit * hidden, stride = hidden + 3;
        var random = new Random((hidden * 31) + batch);
        float[] weight = Random(random, gh * hidden, 0.5f);
        float[] gatesIn = Random(random, batch * gh, 1f), hGatesIn = Random(random, batch * gh, 1f);
        float[] hPrev = Random(random, batch * hidden, 1f), cPrev = Random(random, batch * hidden, 1f);
        int[] lengths = Enumerable.Range(0, batch).Select(b => b % 3 == 1 ? t : t + 1).ToArray(); // rows 1, 4, 7 ended

        // Expected: the product in double, rounded once, then the unfused cell.
        float[] product = new float[batch * gh];
        for (int b = 0; b < batch; b++)
        {
            for (int n = 0; n < gh; n++)
            {
                double sum = 0;
                for (int p = 0; p < hidden; p++)
                {
                    sum += (double)hPrev[(b * hidden) + p] * weight[(n * hidden) + p];
                }

                product[(b * gh) + n] = (float)sum;
            }
        }

        float[] expectedGates = (float[])gatesIn.Clone(), expectedHGates = (float[])hGatesIn.Clone();
        float[] target = cell == "gru" ? expectedHGates : expectedGates;
        for (int i = 0; i < target.Length; i++)
        {
            target[i] += product[i];
        }

        var expectedH = new float[batch * hidden];
        var expectedC = new float[batch * hidden];
        var expectedY = new float[batch * stride];
        var packed = new RecurrentWeights(gatesPerUnit, hidden);
        packed.Pack(weight);
        float[] gates = (float[])gatesIn.Clone(), hGates = (float[])hGatesIn.Clone();
        var h = new float[batch * hidden];
        var c = new float[batch * hidden];
        var y = new float[batch * stride];
        switch (cell)
        {
            case "lstm":
                LstmCell.Forward(batch, hidden, t, lengths, expectedGates, cPrev, expectedC, hPrev, expectedH, expectedY, stride);
                LstmCell.Step(packed, batch, t, lengths, gates, cPrev, c, hPrev, h, y, stride);
                break;
            case "gru":
                GruCell.Forward(batch, hidden, t, lengths, expectedGates, expectedHGates, hPrev, expectedH, expectedY, stride);
                GruCell.Step(packed, batch, t, lengths, gates, hGates, hPrev, h, y, stride);
                break;
            default:
                Nonlinearity act = cell == "relu" ? Nonlinearity.Relu : Nonlinearity.Tanh;
                SimpleRnnCell.Forward(batch, hidden, t, lengths, act, expectedGates, hPrev, expectedH, expectedY, stride);
                SimpleRnnCell.Step(packed, batch, t, lengths, act, gates, hPrev, h, y, stride);
                break;
        }

        AssertClose(expectedGates, gates, "gates");
        AssertClose(expectedHGates, hGates, "hGates");
        AssertClose(expectedH, h, "hNext");
        AssertClose(expectedC, c, "cNext");
        AssertClose(expectedY, y, "y");
    }

    [Theory]
    [InlineData("lstm", 256, 1)]
    [InlineData("gru", 160, 3)]
    [InlineData("tanh", 512, 2)]
    public void SplitAcrossThreadsGivesTheSameBits(string cell, int hidden, int batch)
    {
        int gatesPerUnit = cell == "lstm" ? 4 : cell == "gru" ? 3 : 1;
        int gh = gatesPerUnit * hidden;
        var random = new Random(hidden);
        float[] weight = Random(random, gh * hidden, 0.1f);
        float[] gatesIn = Random(random, batch * gh, 1f), hPrev = Random(random, batch * hidden, 1f), cPrev = Random(random, batch * hidden, 1f);
        int[] lengths = Enumerable.Repeat(8, batch).ToArray();
        var packed = new RecurrentWeights(gatesPerUnit, hidden);
        packed.Pack(weight);

        (float[] Gates, float[] H, int Parts) Run(int threads)
        {
            int saved = RnnThreads.Count;
            RnnThreads.Count = threads;
            try
            {
                float[] gates = (float[])gatesIn.Clone(), hGates = new float[batch * gh];
                var h = new float[batch * hidden];
                int parts = packed.Step.Parts(batch);
                switch (cell)
                {
                    case "lstm":
                        LstmCell.Step(packed, batch, 5, lengths, gates, cPrev, new float[batch * hidden], hPrev, h, default, 0);
                        break;
                    case "gru":
                        GruCell.Step(packed, batch, 5, lengths, gates, hGates, hPrev, h, default, 0);
                        break;
                    default:
                        SimpleRnnCell.Step(packed, batch, 5, lengths, Nonlinearity.Tanh, gates, hPrev, h, default, 0);
                        break;
                }

                return (gates, h, parts);
            }
            finally
            {
                RnnThreads.Count = saved;
            }
        }

        var one = Run(1);
        var three = Run(3);
        Assert.Equal(1, one.Parts);
        Assert.True(three.Parts > 1, $"the step did not split ({three.Parts} part)");
        Assert.Equal(one.Gates, three.Gates);
        Assert.Equal(one.H, three.H);
    }

    [Fact]
    public void RepacksWhenTheWeightsChangeAndOnlyThen()
    {
        const int hidden = 20;
        var random = new Random(7);
        float[] weight = Random(random, 4 * hidden * hidden, 0.5f);
        float[] hPrev = Random(random, hidden, 1f), cPrev = new float[hidden];
        int[] lengths = [1];
        var packed = new RecurrentWeights(4, hidden);

        float[] Run()
        {
            packed.Pack(weight);
            var gates = new float[4 * hidden];
            var h = new float[hidden];
            LstmCell.Step(packed, 1, 0, lengths, gates, cPrev, new float[hidden], hPrev, h, default, 0);
            return h;
        }

        float[] first = Run();
        Assert.Equal(first, Run());
        weight[(5 * hidden) + 3] += 1f; // unit 5's input gate, input 3
        float[] changed = Run();
        Assert.NotEqual(first[5], changed[5]);
        Assert.Equal(first[6], changed[6]);
    }

    [Fact]
    public void BadArgumentsNameTheSpan()
    {
        var packed = new RecurrentWeights(4, 8);
        int[] lengths = [1, 1];
        var error = Assert.Throws<ArgumentException>(() =>
            LstmCell.Step(packed, 2, 0, lengths, new float[63], new float[16], new float[16], new float[16], new float[16], default, 0));
        Assert.Contains("gates", error.Message);
        Assert.Contains("64", error.Message);
        Assert.Throws<ArgumentException>(() => GruCell.Step(packed, 2, 0, lengths, new float[48], new float[48], new float[16], new float[16], default, 0));
        error = Assert.Throws<ArgumentException>(() => packed.Pack(new float[100]));
        Assert.Contains("[32, 8]", error.Message);
    }

    private static void AssertClose(float[] expected, float[] actual, string name)
    {
        for (int i = 0; i < expected.Length; i++)
        {
            float tolerance = 2e-6f * (1 + Math.Abs(expected[i]));
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance, $"{name}[{i}]: {actual[i]:R}, expected {expected[i]:R}");
        }
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
