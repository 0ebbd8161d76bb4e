using System;
using System.Collections.Generic;
using System.Linq;
using RnnGen.Kernels;
using Xunit;
using Xunit.Abstractions;

namespace RnnGen.Tests.Kernels;

/// <summary>
/// Every cell's pointwise unit bodies, forward and backward, run directly at every width this process accelerates
/// (<see cref="Vec512Ops"/>, <see cref="Vec256Ops"/>, <see cref="Vec128Ops"/>) and at <see cref="ScalarOps"/>, on one
/// row of random inputs at hidden sizes with a vector body and a tail: (a) each width, and the cell's own entry point,
/// gives the scalar instance's bits (all fuse FMAs alike here; see <see cref="VectorWidths.FuseAlike"/>); (b) the
/// scalar instance is within 1e-6 (relative to max(1, |value|)) of <see cref="CellFormulas"/> in double precision,
/// for every buffer the step touches: activations, states, layer-norm statistics, input and parameter gradients.
/// </summary>
public sealed class CellKernelTests(ITestOutputHelper output)
{
    private const double FormulaTolerance = 1e-6;

    private static readonly RecurrentCellKind[] Kinds =
    [
        RecurrentCellKind.Lstm, RecurrentCellKind.PeepholeLstm, RecurrentCellKind.LayerNormLstm, RecurrentCellKind.LayerNormPeepholeLstm,
        RecurrentCellKind.Gru, RecurrentCellKind.SimpleRnnTanh, RecurrentCellKind.SimpleRnnRelu,
    ];

    /// <summary>5: tail only; 16: one 512-bit body; 17: body + tail; 29 = 16 + 8 + 4 + 1: every width in one row; 37.</summary>
    public static TheoryData<RecurrentCellKind, int> Cases()
    {
        var data = new TheoryData<RecurrentCellKind, int>();
        foreach (RecurrentCellKind kind in Kinds)
        {
            foreach (int hidden in new[] { 5, 16, 17, 29, 37 })
            {
                data.Add(kind, hidden);
            }
        }

        return data;
    }

    public static TheoryData<RecurrentCellKind> AllKinds()
    {
        var data = new TheoryData<RecurrentCellKind>();
        foreach (RecurrentCellKind kind in Kinds)
        {
            data.Add(kind);
        }

        return data;
    }

    public static TheoryData<RecurrentCellKind> NaNKinds()
    {
        var data = new TheoryData<RecurrentCellKind>();
        foreach (RecurrentCellKind kind in Kinds.Where(k => k != RecurrentCellKind.SimpleRnnRelu))
        {
            data.Add(kind);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ForwardAtEveryWidthMatchesTheScalarInstanceAndTheFormula(RecurrentCellKind kind, int hidden)
    {
        CellBuffers input = CellBuffers.ForwardInputs(kind, hidden, new Random((31 * (int)kind) + hidden));
        CheckEveryWidth(input, forward: true);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void BackwardAtEveryWidthMatchesTheScalarInstanceAndTheFormula(RecurrentCellKind kind, int hidden)
    {
        var random = new Random((37 * (int)kind) + hidden);
        CellBuffers forward = RunAt<WidthScalar>(CellBuffers.ForwardInputs(kind, hidden, random), forward: true, out _);
        CheckEveryWidth(forward.BackwardInputs(random), forward: false);
    }

    /// <summary>
    /// A NaN pre-activation comes out as a NaN state (PyTorch's behaviour), so NonFinite can find it downstream, at a
    /// unit of the vector body and one of the tail. The relu cell is left out: its relu maps NaN to 0 by design.
    /// </summary>
    [Theory]
    [MemberData(nameof(NaNKinds))]
    public void ANaNPreActivationGivesANaNState(RecurrentCellKind kind)
    {
        const int hidden = 17;
        foreach (int unit in new[] { 3, 16 })
        {
            CellBuffers input = CellBuffers.ForwardInputs(kind, hidden, new Random(unit));
            input["Gates"][unit] = float.NaN; // the first gate's pre-activation of one unit
            CellBuffers result = RunCell(input, forward: true, split: false);
            Assert.True(float.IsNaN(result["Output"][unit]), $"{kind}: unit {unit}'s output is {result["Output"][unit]:R}");
        }
    }

    /// <summary>The oracle itself: its backward formulas against central differences of its forward ones.</summary>
    [Theory]
    [MemberData(nameof(AllKinds))]
    public void TheFormulasBackwardIsTheGradientOfItsForward(RecurrentCellKind kind)
    {
        const int hidden = 6;
        var random = new Random(5 + (int)kind);
        Dictionary<string, double[]> input = CellBuffers.ForwardInputs(kind, hidden, random).ToDoubles();
        double[] preActivations = input["Gates"];
        for (int k = 0; k < preActivations.Length; k++)
        {
            if (Math.Abs(preActivations[k]) < 1e-3)
            {
                preActivations[k] = 0.3; // away from relu's kink, where a central difference is not a derivative
            }
        }

        double[] dh = CellBuffers.Uniform(random, hidden, 1).Select(v => (double)v).ToArray();
        double[] dc = CellBuffers.Uniform(random, hidden, 1).Select(v => (double)v).ToArray();
        double Loss(Dictionary<string, double[]> x)
        {
            Dictionary<string, double[]> y = CellFormulas.Forward(kind, hidden, x);
            double loss = y["Output"].Zip(dh, (a, b) => a * b).Sum();
            return CellBuffers.IsLstm(kind) ? loss + y["CellNext"].Zip(dc, (a, b) => a * b).Sum() : loss;
        }

        Dictionary<string, double[]> state = CellFormulas.Forward(kind, hidden, input);
        state["OutputGradient"] = (double[])dh.Clone();
        state["GatesGradient"] = new double[preActivations.Length];
        state["HiddenGatesGradient"] = new double[preActivations.Length];
        if (CellBuffers.IsLstm(kind))
        {
            state["CellGradient"] = (double[])dc.Clone();
        }

        foreach (string name in state.Keys.Where(IsParameterGradient).ToList())
        {
            state[name] = new double[state[name].Length]; // so the backward's additions are the derivatives
        }

        Dictionary<string, double[]> gradients = CellFormulas.Backward(kind, hidden, state);
        var analytic = new Dictionary<string, string>
        {
            ["Gates"] = "GatesGradient",
            ["HiddenGates"] = "HiddenGatesGradient",
            ["CellPrev"] = "CellGradient",
            ["StatePrev"] = "OutputGradient",
        };
        foreach (string name in input.Keys.Where(n => !IsParameterGradient(n) && IsParameterGradient(n + "Gradient")))
        {
            analytic[name] = name + "Gradient";
        }

        int checkedValues = 0;
        foreach ((string name, string gradient) in analytic.Where(p => input.ContainsKey(p.Key)))
        {
            double[] values = input[name];
            for (int k = 0; k < values.Length; k++)
            {
                double saved = values[k];
                values[k] = saved + 1e-6;
                double plus = Loss(input);
                values[k] = saved - 1e-6;
                double minus = Loss(input);
                values[k] = saved;
                double fd = (plus - minus) / 2e-6, a = gradients[gradient][k];
                Assert.True(Math.Abs(fd - a) <= 1e-6 * Math.Max(1, Math.Abs(a)), $"{kind}: d loss / d {name}[{k}]: formula {a:R}, central difference {fd:R}");
                checkedValues++;
            }
        }

        output.WriteLine($"{kind}: {checkedValues} derivatives checked");
    }

    private static bool IsParameterGradient(string name) =>
        (name.StartsWith("Peephole", StringComparison.Ordinal) || name.StartsWith("Norm", StringComparison.Ordinal)) && name.EndsWith("Gradient", StringComparison.Ordinal);

    /// <summary>Runs one step at every width and through the cell's own entry point; compares all of them.</summary>
    private void CheckEveryWidth(CellBuffers input, bool forward)
    {
        string step = $"{input.Kind} {(forward ? "forward" : "backward")}, H = {input.Hidden}";
        output.WriteLine(VectorWidths.Describe());
        CellBuffers scalar = RunAt<WidthScalar>(input, forward, out _);
        foreach (string width in VectorWidths.Accelerated)
        {
            int bodies;
            CellBuffers result = width switch
            {
                "Vec512Ops" => RunAt<Width512>(input, forward, out bodies),
                "Vec256Ops" => RunAt<Width256>(input, forward, out bodies),
                _ => RunAt<Width128>(input, forward, out bodies),
            };
            int lanes = VectorWidths.LanesOf(width);
            Assert.True(bodies >= input.Hidden / lanes, $"{step}: {width} ran {bodies} vector bodies, expected at least {input.Hidden / lanes}");
            output.WriteLine($"{step}: {width} ran {bodies} vector bodies");
            AssertSameAsScalar(scalar, result, $"{step} at {width}");
        }

        AssertSameAsScalar(scalar, RunCell(input, forward, split: false), $"{step} through the cell's entry point");
        if (forward && !CellBuffers.HasLayerNorm(input.Kind))
        {
            // A fused step finishes a row panel by panel: any split of the units gives the same bits.
            AssertSameAsScalar(scalar, RunCell(input, forward, split: true), $"{step} in two unit ranges");
        }

        Dictionary<string, double[]> expected = forward
            ? CellFormulas.Forward(input.Kind, input.Hidden, input.ToDoubles())
            : CellFormulas.Backward(input.Kind, input.Hidden, input.ToDoubles());
        double worst = 0;
        foreach (string name in scalar.Names)
        {
            float[] actual = scalar[name];
            double[] want = expected[name];
            for (int k = 0; k < actual.Length; k++)
            {
                double error = Math.Abs(actual[k] - want[k]) / Math.Max(1, Math.Abs(want[k]));
                Assert.True(error <= FormulaTolerance, $"{step}: {name}[{k}] = {actual[k]:R}, the formula gives {want[k]:R} (relative error {error:E2})");
                worst = Math.Max(worst, error);
            }
        }

        output.WriteLine($"{step}: ScalarOps vs the double formula, worst relative error {worst:E2}");
    }

    private static void AssertSameAsScalar(CellBuffers scalar, CellBuffers actual, string what)
    {
        foreach (string name in scalar.Names)
        {
            float[] want = scalar[name], got = actual[name];
            for (int k = 0; k < want.Length; k++)
            {
                bool same = VectorWidths.FuseAlike
                    ? BitConverter.SingleToInt32Bits(want[k]) == BitConverter.SingleToInt32Bits(got[k])
                    : Math.Abs(want[k] - got[k]) <= FormulaTolerance * Math.Max(1, Math.Abs(want[k]));
                Assert.True(same, $"{what}: {name}[{k}] = {got[k]:R}, ScalarOps gives {want[k]:R}");
            }
        }
    }

    private static CellBuffers RunAt<TWidth>(CellBuffers input, bool forward, out int vectorBodies)
        where TWidth : IWidth
    {
        CellBuffers b = input.Clone();
        int bodies = 0;
        b.Run((ref CellRow row, in CellParameters p) =>
        {
            if (forward)
            {
                Forward<TWidth>(b.Kind, ref row, p, ref bodies);
            }
            else
            {
                Backward<TWidth>(b.Kind, ref row, p, ref bodies);
            }
        });
        vectorBodies = bodies;
        return b;
    }

    private static void Forward<TWidth>(RecurrentCellKind kind, ref CellRow row, in CellParameters p, ref int n)
        where TWidth : IWidth
    {
        int h = row.Hidden;
        switch (kind)
        {
            case RecurrentCellKind.Lstm:
                TWidth.Run<LstmCell<Off>.GateUnits>(ref row, p, 0, h, ref n);
                TWidth.Run<LstmCell<Off>.OutputUnits>(ref row, p, 0, h, ref n);
                break;
            case RecurrentCellKind.PeepholeLstm:
                TWidth.Run<LstmCell<On>.GateUnits>(ref row, p, 0, h, ref n);
                TWidth.Run<LstmCell<On>.OutputUnits>(ref row, p, 0, h, ref n);
                break;
            case RecurrentCellKind.LayerNormLstm:
                NormForward<TWidth, Off>(ref row, p, ref n);
                break;
            case RecurrentCellKind.LayerNormPeepholeLstm:
                NormForward<TWidth, On>(ref row, p, ref n);
                break;
            case RecurrentCellKind.Gru:
                TWidth.Run<GruCell.ForwardUnits>(ref row, p, 0, h, ref n);
                break;
            case RecurrentCellKind.SimpleRnnTanh:
                TWidth.Run<SimpleRnnCell<Off>.ForwardUnits>(ref row, p, 0, h, ref n);
                break;
            default:
                TWidth.Run<SimpleRnnCell<On>.ForwardUnits>(ref row, p, 0, h, ref n);
                break;
        }
    }

    private static void Backward<TWidth>(RecurrentCellKind kind, ref CellRow row, in CellParameters p, ref int n)
        where TWidth : IWidth
    {
        int h = row.Hidden;
        switch (kind)
        {
            case RecurrentCellKind.Lstm:
                TWidth.Run<LstmCell<Off>.BackwardUnits>(ref row, p, 0, h, ref n);
                break;
            case RecurrentCellKind.PeepholeLstm:
                TWidth.Run<LstmCell<On>.BackwardUnits>(ref row, p, 0, h, ref n);
                break;
            case RecurrentCellKind.LayerNormLstm:
                NormBackward<TWidth, Off>(ref row, p, ref n);
                break;
            case RecurrentCellKind.LayerNormPeepholeLstm:
                NormBackward<TWidth, On>(ref row, p, ref n);
                break;
            case RecurrentCellKind.Gru:
                TWidth.Run<GruCell.BackwardUnits>(ref row, p, 0, h, ref n);
                break;
            case RecurrentCellKind.SimpleRnnTanh:
                TWidth.Run<SimpleRnnCell<Off>.BackwardUnits>(ref row, p, 0, h, ref n);
                break;
            default:
                TWidth.Run<SimpleRnnCell<On>.BackwardUnits>(ref row, p, 0, h, ref n);
                break;
        }
    }

    /// <summary><see cref="LayerNormLstmCell{TPeephole}.Forward"/>'s steps, in its order, at the width chosen here.</summary>
    private static unsafe void NormForward<TWidth, TPeephole>(ref CellRow row, in CellParameters p, ref int n)
        where TWidth : IWidth
        where TPeephole : struct, IFlag
    {
        int h = row.Hidden;
        LayerNormOps.Statistics(row.HiddenGates, 4 * h, row.Statistics);
        TWidth.Run<LayerNormLstmCell<TPeephole>.GateUnits>(ref row, p, 0, h, ref n);
        LayerNormOps.Statistics(row.CellNext, h, row.Statistics + 2);
        TWidth.Run<LayerNormLstmCell<TPeephole>.OutputUnits>(ref row, p, 0, h, ref n);
    }

    /// <summary>
    /// <see cref="LayerNormLstmCell{TPeephole}.Backward"/>'s steps, in its order, at the width chosen here (its row
    /// sums are copied; the comparison with the cell's own entry point keeps the copy honest).
    /// </summary>
    private static unsafe void NormBackward<TWidth, TPeephole>(ref CellRow row, in CellParameters p, ref int n)
        where TWidth : IWidth
        where TPeephole : struct, IFlag
    {
        int h = row.Hidden;
        TWidth.Run<LayerNormLstmCell<TPeephole>.OutputBackwardUnits>(ref row, p, 0, h, ref n);
        float mean = row.Statistics[2], inverse = row.Statistics[3];
        double sum = 0, dot = 0;
        for (int j = 0; j < h; j++)
        {
            float g = row.GatesGradient[(2 * h) + j];
            sum += g;
            dot += (double)g * ((row.CellNext[j] - mean) * inverse);
        }

        row.NormMean = (float)(sum / h);
        row.NormMeanTimesNormalized = (float)(dot / h);
        TWidth.Run<LayerNormLstmCell<TPeephole>.CellBackwardUnits>(ref row, p, 0, h, ref n);
        LayerNormOps.Backward(row.GatesGradient, row.HiddenGates, 4 * h, row.Statistics[0], row.Statistics[1],
            p.NormHiddenWeight, row.HiddenGatesGradient, p.NormHiddenWeightGradient, p.NormHiddenBiasGradient);
    }

    /// <summary>The cell's own <c>Forward</c>/<c>Backward</c> (the runtime's <see cref="UnitLoop"/>): whole, or forward in two ranges.</summary>
    private static CellBuffers RunCell(CellBuffers input, bool forward, bool split)
    {
        CellBuffers b = input.Clone();
        b.Run((ref CellRow row, in CellParameters p) =>
        {
            int h = row.Hidden;
            if (!forward)
            {
                CellBackward(b.Kind, ref row, p);
            }
            else if (split)
            {
                CellForward(b.Kind, ref row, p, 0, h / 2);
                CellForward(b.Kind, ref row, p, h / 2, h);
            }
            else
            {
                CellForward(b.Kind, ref row, p, 0, h);
            }
        });
        return b;
    }

    private static void CellForward(RecurrentCellKind kind, ref CellRow row, in CellParameters p, int from, int to)
    {
        switch (kind)
        {
            case RecurrentCellKind.Lstm:
                LstmCell<Off>.Forward(ref row, p, from, to);
                break;
            case RecurrentCellKind.PeepholeLstm:
                LstmCell<On>.Forward(ref row, p, from, to);
                break;
            case RecurrentCellKind.LayerNormLstm:
                LayerNormLstmCell<Off>.Forward(ref row, p, from, to);
                break;
            case RecurrentCellKind.LayerNormPeepholeLstm:
                LayerNormLstmCell<On>.Forward(ref row, p, from, to);
                break;
            case RecurrentCellKind.Gru:
                GruCell.Forward(ref row, p, from, to);
                break;
            case RecurrentCellKind.SimpleRnnTanh:
                SimpleRnnCell<Off>.Forward(ref row, p, from, to);
                break;
            default:
                SimpleRnnCell<On>.Forward(ref row, p, from, to);
                break;
        }
    }

    private static void CellBackward(RecurrentCellKind kind, ref CellRow row, in CellParameters p)
    {
        switch (kind)
        {
            case RecurrentCellKind.Lstm:
                LstmCell<Off>.Backward(ref row, p);
                break;
            case RecurrentCellKind.PeepholeLstm:
                LstmCell<On>.Backward(ref row, p);
                break;
            case RecurrentCellKind.LayerNormLstm:
                LayerNormLstmCell<Off>.Backward(ref row, p);
                break;
            case RecurrentCellKind.LayerNormPeepholeLstm:
                LayerNormLstmCell<On>.Backward(ref row, p);
                break;
            case RecurrentCellKind.Gru:
                GruCell.Backward(ref row, p);
                break;
            case RecurrentCellKind.SimpleRnnTanh:
                SimpleRnnCell<Off>.Backward(ref row, p);
                break;
            default:
                SimpleRnnCell<On>.Backward(ref row, p);
                break;
        }
    }
}
