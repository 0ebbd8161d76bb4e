using System;
using System.Collections.Generic;
using System.Linq;
using RnnGen.Kernels;
using RnnGen.Tests.Threading;
using Xunit;
using Xunit.Abstractions;

namespace RnnGen.Tests.Kernels;

/// <summary>
/// The recurrence driver (<see cref="RecurrentSequence{TCell}"/>, through <see cref="RecurrentLayer"/>) for every cell:
/// the fused small-batch step against the packed product, 1, 2 and 3 threads bit for bit, a partial batch against the
/// first rows of a full one bit for bit, padding (state kept, output 0, no gradient, padded inputs without influence),
/// the projection, and a short span named in the exception, with every buffer left as it was.
/// </summary>
[Collection(ThreadCountCollection.Name)] // changes RnnThreads.Count
public sealed class RecurrentSequenceTests(ITestOutputHelper output)
{
    private static readonly RecurrentCellKind[] UnitLocalKinds =
        [RecurrentCellKind.Lstm, RecurrentCellKind.PeepholeLstm, RecurrentCellKind.Gru, RecurrentCellKind.SimpleRnnTanh, RecurrentCellKind.SimpleRnnRelu];

    private static readonly RecurrentCellKind[] AllKinds =
        [.. UnitLocalKinds, RecurrentCellKind.LayerNormLstm, RecurrentCellKind.LayerNormPeepholeLstm];

    public static TheoryData<RecurrentCellKind, int, int, bool> FusedCases()
    {
        var data = new TheoryData<RecurrentCellKind, int, int, bool>();
        foreach (RecurrentCellKind kind in UnitLocalKinds)
        {
            data.Add(kind, 17, 0, false);
            data.Add(kind, 37, 0, true);
        }

        data.Add(RecurrentCellKind.Lstm, 17, 5, false);
        data.Add(RecurrentCellKind.PeepholeLstm, 37, 6, true);
        return data;
    }

    [Theory]
    [MemberData(nameof(FusedCases))]
    public void FusedStepAndPackedProductAgreeWithin1e6(RecurrentCellKind kind, int hidden, int projection, bool reverse)
    {
        var c = RecurrentCase.Create(kind, hidden, projection, steps: 6, lengths: [6, 3, 6, 1, 5], reverse, seed: hidden + (int)kind, nanPadding: true);
        RecurrentCase fused = Run(c, c.Layer(fused: true)), packed = Run(c, c.Layer(fused: false));
        double worst = Compare(fused, packed, c.Rows, 1e-6, "fused vs packed");
        output.WriteLine($"{kind}, H = {hidden}, P = {projection}: worst relative difference {worst:E2}");
    }

    public static TheoryData<RecurrentCellKind, int, int, int> ThreadCases() => new()
    {
        // Big enough that the step's product splits over 3 threads (asserted below): fused at 8 rows, packed at 10.
        { RecurrentCellKind.Lstm, 128, 0, 8 },
        { RecurrentCellKind.Lstm, 128, 0, 10 },
        { RecurrentCellKind.PeepholeLstm, 192, 96, 8 },
        { RecurrentCellKind.PeepholeLstm, 192, 96, 10 },
        { RecurrentCellKind.LayerNormLstm, 128, 0, 8 },
        { RecurrentCellKind.LayerNormPeepholeLstm, 128, 0, 10 },
        { RecurrentCellKind.Gru, 160, 0, 8 },
        { RecurrentCellKind.Gru, 160, 0, 10 },
        { RecurrentCellKind.SimpleRnnTanh, 256, 0, 8 },
        { RecurrentCellKind.SimpleRnnRelu, 256, 0, 10 },
    };

    [Theory]
    [MemberData(nameof(ThreadCases))]
    public void OneTwoAndThreeThreadsGiveTheSameBits(RecurrentCellKind kind, int hidden, int projection, int rows)
    {
        int[] lengths = Enumerable.Range(0, rows).Select(b => b % 3 == 1 ? 2 : 3).ToArray();
        var c = RecurrentCase.Create(kind, hidden, projection, steps: 3, lengths, reverse: rows % 2 == 0, seed: hidden, nanPadding: true);
        bool fused = rows <= RecurrentLayer.FusedBatch && !CellBuffers.HasLayerNorm(kind);
        using (new ThreadCountScope(3))
        {
            int parts = PlannedParts(c, fused);
            output.WriteLine($"{kind}, H = {hidden}, {rows} rows, {(fused ? "fused step" : "packed product")}: {parts} parts at 3 threads");
            Assert.True(parts > 1, "the step's product would not split: the test would not test threads");
        }

        RecurrentCase? first = null;
        foreach (int threads in new[] { 1, 2, 3 })
        {
            using (new ThreadCountScope(threads))
            {
                RecurrentCase result = Run(c, new RecurrentLayer(kind, hidden, rows, c.Reverse, projection));
                first ??= result;
                Compare(first, result, rows, 0, $"{threads} threads vs 1");
            }
        }
    }

    public static TheoryData<RecurrentCellKind, int, bool> PathCases()
    {
        var data = new TheoryData<RecurrentCellKind, int, bool>();
        foreach (RecurrentCellKind kind in AllKinds)
        {
            if (!CellBuffers.HasLayerNorm(kind))
            {
                data.Add(kind, 0, true);
            }

            data.Add(kind, 0, false);
        }

        data.Add(RecurrentCellKind.Lstm, 7, true);
        data.Add(RecurrentCellKind.PeepholeLstm, 7, false);
        return data;
    }

    [Theory]
    [MemberData(nameof(PathCases))]
    public void APartialBatchForwardGivesTheFirstRowsOfAFullOneBitForBit(RecurrentCellKind kind, int projection, bool fused) =>
        CheckPartialBatch(kind, projection, fused, backward: false);

    [Theory]
    [MemberData(nameof(PathCases))]
    public void PaddedRowsKeepTheirStateOutputZeroAndGetNoGradient(RecurrentCellKind kind, int projection, bool fused)
    {
        foreach (bool reverse in new[] { false, true })
        {
            int[] lengths = [4, 1, 4, 2, 3];
            RecurrentCase c = Run(RecurrentCase.Create(kind, 17, projection, 4, lengths, reverse, seed: 9, nanPadding: true), LayerFor(kind, 17, projection, reverse, fused));
            int k = c.State, gh = c.GateWidth, h = c.Hidden, rows = c.Rows;
            for (int b = 0; b < rows; b++)
            {
                for (int t = 0; t < c.Steps; t++)
                {
                    int before = reverse ? t + 1 : t, after = reverse ? t : t + 1;
                    string at = $"{kind} {(reverse ? "reverse" : "forward")}, row {b}, step {t}";
                    Assert.True(Row(c, "Output", t, b, c.OutputStride)[k..].All(v => v == 7f), at + ": the output's spare columns were written");
                    if (!c.Padded(t, b))
                    {
                        continue;
                    }

                    Assert.Equal(Row(c, "States", before, b, k), Row(c, "States", after, b, k));
                    if (CellBuffers.IsLstm(kind))
                    {
                        Assert.Equal(Row(c, "Cells", before, b, h), Row(c, "Cells", after, b, h));
                    }

                    Assert.True(Row(c, "Output", t, b, c.OutputStride)[..k].All(v => v == 0f && !float.IsNegative(v)), at + ": output not +0");
                    Assert.True(Row(c, "GatesGradient", t, b, gh).All(v => v == 0f), at + ": gate gradient not 0");
                    if (CellBuffers.SeparateHiddenGates(kind))
                    {
                        Assert.True(Row(c, "HiddenGatesGradient", t, b, gh).All(v => v == 0f), at + ": hidden gate gradient not 0");
                    }

                    if (projection > 0)
                    {
                        Assert.True(Row(c, "Unprojected", t, b, h).All(v => v == 0f), at + ": m not 0");
                        Assert.True(Row(c, "StateGradients", t, b, projection).All(v => v == 0f), at + ": dL/dh not 0");
                    }
                }
            }

            // The NaN at padded steps' gate inputs and output gradients went nowhere: the same bits as finite values there.
            RecurrentCase clean = Run(RecurrentCase.Create(kind, 17, projection, 4, lengths, reverse, seed: 9, nanPadding: false), LayerFor(kind, 17, projection, reverse, fused));
            Compare(clean, c, rows, 0, "padded inputs NaN vs finite", skip: "OutputGradient");
        }
    }

    [Fact]
    public void TheProjectionMultipliesTheCellOutputByWhr()
    {
        const int hidden = 17, projection = 5;
        foreach (bool fused in new[] { true, false })
        {
            RecurrentCase c = Run(RecurrentCase.Create(RecurrentCellKind.Lstm, hidden, projection, 4, [4, 2, 4], reverse: false, seed: 4), LayerFor(RecurrentCellKind.Lstm, hidden, projection, false, fused));
            for (int b = 0; b < c.Rows; b++)
            {
                for (int t = 0; t < c.Lengths[b]; t++)
                {
                    float[] m = Row(c, "Unprojected", t, b, hidden), h = Row(c, "States", t + 1, b, projection);
                    for (int p = 0; p < projection; p++)
                    {
                        double expected = 0;
                        for (int j = 0; j < hidden; j++)
                        {
                            expected += (double)c["WeightHr"][(p * hidden) + j] * m[j];
                        }

                        Assert.True(Math.Abs(h[p] - expected) <= 1e-6 * Math.Max(1, Math.Abs(expected)), $"h({t})[{b}, {p}] = {h[p]:R}, W_hr·m = {expected:R}");
                    }
                }
            }
        }
    }

    public static TheoryData<RecurrentCellKind, int> SpanCases() => new()
    {
        { RecurrentCellKind.Lstm, 0 },
        { RecurrentCellKind.Lstm, 5 },
        { RecurrentCellKind.PeepholeLstm, 0 },
        { RecurrentCellKind.LayerNormPeepholeLstm, 0 },
        { RecurrentCellKind.Gru, 0 },
        { RecurrentCellKind.SimpleRnnRelu, 0 },
    };

    [Theory]
    [MemberData(nameof(SpanCases))]
    public void AShortSpanThrowsNamingItsFieldAndChangesNothing(RecurrentCellKind kind, int projection)
    {
        RecurrentCase c = RecurrentCase.Create(kind, 9, projection, 3, [3, 2], reverse: false, seed: 5);
        var layer = new RecurrentLayer(kind, 9, 2, reverse: false, projection);
        List<string> forward = ["WeightHh", "Gates", "States", "Output", "OutputStride"], backward = ["GatesGradient", "HiddenGradient", "OutputGradient"];
        if (CellBuffers.SeparateHiddenGates(kind))
        {
            forward.Add("HiddenGates");
            backward.Add("HiddenGatesGradient");
        }

        if (CellBuffers.IsLstm(kind))
        {
            forward.Add("Cells");
            backward.Add("CellGradient");
        }

        if (projection > 0)
        {
            forward.AddRange(["WeightHr", "Unprojected"]);
            backward.AddRange(["StateGradients", "UnprojectedGradient"]);
        }

        IEnumerable<string> cellParameters = c.Names.Where(n => n.StartsWith("Peephole", StringComparison.Ordinal) || n.StartsWith("Norm", StringComparison.Ordinal));
        forward.AddRange(cellParameters.Where(n => !n.EndsWith("Gradient", StringComparison.Ordinal)));
        backward.AddRange(cellParameters.Where(n => n.EndsWith("Gradient", StringComparison.Ordinal)));
        if (CellBuffers.HasLayerNorm(kind))
        {
            forward.Add("Statistics");
        }

        if (kind == RecurrentCellKind.Gru)
        {
            forward.Add("BiasHh");
        }

        Assert.Equal(forward.Count + backward.Count, forward.Concat(backward).Distinct().Count());
        foreach (string field in forward)
        {
            RecurrentCase before = c.Clone();
            ArgumentException error = Assert.ThrowsAny<ArgumentException>(() => c.Forward(layer, shorten: field));
            AssertNames(error, field);
            Compare(before, c, c.Rows, 0, $"Forward with a short {field}");
        }

        c.Forward(layer);
        foreach (string field in backward)
        {
            RecurrentCase before = c.Clone();
            ArgumentException error = Assert.ThrowsAny<ArgumentException>(() => c.Backward(layer, shorten: field));
            AssertNames(error, field);
            Compare(before, c, c.Rows, 0, $"Backward with a short {field}");
        }

        // Nothing of the refused calls stuck to the layer: it gives what a fresh one gives.
        c.Backward(layer);
        RecurrentCase fresh = Run(RecurrentCase.Create(kind, 9, projection, 3, [3, 2], reverse: false, seed: 5), new RecurrentLayer(kind, 9, 2, reverse: false, projection));
        Compare(fresh, c, c.Rows, 0, "after refused calls vs a fresh layer");

        Assert.Equal("rows", Assert.Throws<ArgumentOutOfRangeException>(() => layer.Forward(3, 3, [3, 3, 3], c.Spans())).ParamName);
        Assert.Equal("lengths", Assert.Throws<ArgumentException>(() => layer.Forward(2, 3, [3], c.Spans())).ParamName);
    }

    private static void AssertNames(ArgumentException error, string field)
    {
        Assert.Equal(field, error.ParamName);
        if (field != "OutputStride")
        {
            Assert.Contains("RecurrentSpans." + field + " has ", error.Message, StringComparison.Ordinal);
        }
    }

    /// <summary>
    /// Within 1e-6, not bit for bit: on the fused path and with a projection the backward products dGates·W_hh and
    /// dh·W_hr run through <see cref="Gemm.AxB"/>, whose small-m kernel sums a group of four rows in one chain per
    /// output and the remaining rows in two chains (GemmSmallM.Axpy4x2 vs Axpy1x2), so the last bits of a row's
    /// gradient depend on the row count (the generated code's products over T·rows rows do the same).
    /// </summary>
    [Theory]
    [MemberData(nameof(PathCases))]
    public void APartialBatchBackwardGivesTheFirstRowsOfAFullOneWithin1e6(RecurrentCellKind kind, int projection, bool fused) =>
        CheckPartialBatch(kind, projection, fused, backward: true);

    /// <summary>Runs a full batch, then 3 rows and 1 row of it on the same layer (as a model's last batch does).</summary>
    private void CheckPartialBatch(RecurrentCellKind kind, int projection, bool fused, bool backward)
    {
        int[] lengths = [5, 2, 5, 4, 1, 5, 3, 5, 2, 5, 4, 5];
        int batch = fused ? RecurrentLayer.FusedBatch : lengths.Length;
        bool reverse = projection == 0 && kind != RecurrentCellKind.Gru;
        var layer = new RecurrentLayer(kind, 37, batch, reverse, projection);
        RecurrentCase full = Run(RecurrentCase.Create(kind, 37, projection, 5, lengths[..batch], reverse, seed: 3, nanPadding: true), layer, backward);
        foreach (int rows in new[] { 3, 1 })
        {
            RecurrentCase part = Run(RecurrentCase.Create(kind, 37, projection, 5, lengths[..rows], reverse, seed: 3, nanPadding: true), layer, backward);
            double worst = Compare(full, part, rows, backward ? 1e-6 : 0, $"{(backward ? "Backward" : "Forward")}: {rows} rows vs the first rows of {batch}");
            output.WriteLine($"{rows} rows vs {batch}: worst relative difference {worst:E2}");
        }
    }

    /// <summary>Plans the step's product as the driver does, to know the test's shapes really split.</summary>
    private static int PlannedParts(RecurrentCase c, bool fused)
    {
        if (fused)
        {
            var panels = new RecurrentWeights(CellBuffers.GateCount(c.Kind), c.Hidden, c.State);
            return GemmParallel.Parts(c.Rows, c.GateWidth, c.State, panels.Panels);
        }

        var packed = new PackedMatrix(c.State, c.GateWidth);
        return GemmParallel.Parts(c.Rows, c.GateWidth, c.State, packed.PaddedColumns / packed.PanelWidth);
    }

    private static RecurrentLayer LayerFor(RecurrentCellKind kind, int hidden, int projection, bool reverse, bool fused) =>
        new(kind, hidden, fused ? RecurrentLayer.FusedBatch : RecurrentLayer.FusedBatch + 1, reverse, projection);

    /// <summary>A copy of <paramref name="c"/> after Forward (and Backward) on <paramref name="layer"/>.</summary>
    private static RecurrentCase Run(RecurrentCase c, RecurrentLayer layer, bool backward = true)
    {
        RecurrentCase result = c.Clone();
        result.Forward(layer);
        if (backward)
        {
            result.Backward(layer);
        }

        return result;
    }

    /// <summary>Row <paramref name="b"/> of slice <paramref name="slice"/> of a [slices, rows, width] buffer.</summary>
    private static float[] Row(RecurrentCase c, string name, int slice, int b, int width) =>
        c[name].AsSpan(((slice * c.Rows) + b) * width, width).ToArray();

    /// <summary>
    /// Every defined element of the first <paramref name="rows"/> rows of every per-row buffer (and the parameters and
    /// their gradients when both cases have the same rows): bit for bit when <paramref name="tolerance"/> is 0, else within
    /// it relative to max(1, |value|). Returns the worst relative difference.
    /// </summary>
    private static double Compare(RecurrentCase expected, RecurrentCase actual, int rows, double tolerance, string what, string? skip = null)
    {
        double worst = 0;
        foreach (string name in expected.Names.Where(n => n != skip))
        {
            float[] e = expected[name], a = actual[name];
            if (expected.Layout(name) is not (int slices, int width))
            {
                if (expected.Rows == actual.Rows)
                {
                    for (int i = 0; i < e.Length; i++)
                    {
                        worst = Math.Max(worst, Check(e[i], a[i], tolerance, () => $"{what}: {name}[{i}]"));
                    }
                }

                continue;
            }

            for (int s = 0; s < slices; s++)
            {
                for (int b = 0; b < rows; b++)
                {
                    if (!expected.Defined(name, s, b))
                    {
                        continue;
                    }

                    for (int j = 0; j < width; j++)
                    {
                        float x = e[(((s * expected.Rows) + b) * width) + j], y = a[(((s * actual.Rows) + b) * width) + j];
                        worst = Math.Max(worst, Check(x, y, tolerance, () => $"{what}: {name}[{s}, {b}, {j}]"));
                    }
                }
            }
        }

        return worst;
    }

    private static double Check(float expected, float actual, double tolerance, Func<string> where)
    {
        if (float.IsNaN(expected) && float.IsNaN(actual))
        {
            return 0;
        }

        double difference = Math.Abs((double)expected - actual) / Math.Max(1, Math.Abs(expected));
        bool same = tolerance == 0 ? BitConverter.SingleToInt32Bits(expected) == BitConverter.SingleToInt32Bits(actual) : difference <= tolerance;
        if (!same)
        {
            Assert.Fail($"{where()} = {actual:R}, expected {expected:R}");
        }

        return difference;
    }
}
