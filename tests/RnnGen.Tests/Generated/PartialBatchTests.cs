using System;
using System.Collections.Generic;
using System.Linq;
using Xunit;

namespace RnnGen.Tests.Generated;

/// <summary>
/// Partial batches (the last batch of an epoch): a call of fewer rows than BatchSize. Forward gives exactly the
/// first rows of a full-batch Forward; Loss and Backward give what a model declared with BatchSize = rows gives
/// with the same weights and states (bit for bit when both take the same recurrence path, else within 1e-6 of the
/// largest value); bad row counts are refused naming the tensor and its shape.
/// </summary>
public sealed class PartialBatchTests
{
    private const int Seed = 21;

    private static readonly Dictionary<string, Func<object>> Models = new()
    {
        ["Regress12"] = () => new Regress12(Seed),
        ["Regress9"] = () => new Regress9(Seed),
        ["Regress5"] = () => new Regress5(Seed),
        ["Regress3"] = () => new Regress3(Seed),
        ["Regress2"] = () => new Regress2(Seed),
        ["Language12"] = () => new Language12(Seed),
        ["Language9"] = () => new Language9(Seed),
        ["Language5"] = () => new Language5(Seed),
        ["Classify12"] = () => new Classify12(Seed),
        ["Classify5"] = () => new Classify5(Seed),
        ["StepStack12"] = () => new StepStack12(Seed),
        ["StepLayerNorm12"] = () => new StepLayerNorm12(Seed),
        ["StepWide12"] = () => new StepWide12(Seed),
        ["StepLast12"] = () => new StepLast12(Seed),
    };

    [Theory]
    [InlineData("Regress12", 11)]
    [InlineData("Regress12", 9)]
    [InlineData("Regress12", 5)]
    [InlineData("Regress12", 1)]
    [InlineData("Regress3", 2)]
    [InlineData("Regress3", 1)]
    [InlineData("Language12", 9)]
    [InlineData("Language12", 4)]
    [InlineData("Classify12", 7)]
    [InlineData("StepStack12", 5)]
    [InlineData("StepLayerNorm12", 10)]
    [InlineData("StepWide12", 5)]
    [InlineData("StepWide12", 9)]
    [InlineData("StepLast12", 6)]
    public void ForwardOfAPartialBatchIsTheFirstRowsOfTheFullBatch(string name, int rows)
    {
        object model = Models[name]();
        if (model is IRnnModel<int> tokens)
        {
            CheckFirstRows(tokens, () => (IRnnModel<int>)Models[name](), rows);
        }
        else
        {
            CheckFirstRows((IRnnModel<float>)model, () => (IRnnModel<float>)Models[name](), rows);
        }
    }

    private static void CheckFirstRows<TInput>(IRnnModel<TInput> full, Func<IRnnModel<TInput>> create, int rows)
        where TInput : unmanaged
    {
        int b = full.BatchSize, steps = full.SequenceLength, perRow = (full.SequenceOutput ? steps : 1) * full.OutputSize;
        TInput[] input = Contract.Input(full, b, steps, seed: 31);
        int[] lengths = RaggedLengths(b, steps, seed: 32);
        Contract.Randomize(full.InitialState, seed: 33);
        var fullOutput = new float[b * perRow];
        full.Forward(input, fullOutput, lengths);

        IRnnModel<TInput> partial = create();
        partial.InitialState.CopyFrom(full.InitialState);
        var output = new float[rows * perRow];
        partial.Forward(input.AsSpan(0, rows * steps * full.InputSize), output, lengths.AsSpan(0, rows));
        Contract.Bitwise(Contract.FirstRows(fullOutput, rows, perRow), output, $"output of {rows} rows");
        Contract.Bitwise(Contract.StateRows(full.FinalState, rows), Contract.StateRows(partial.FinalState, rows), $"FinalState of {rows} rows");
    }

    [Theory]
    [InlineData("Regress12", "Regress9", 9, true)]   // both packed
    [InlineData("Regress12", "Regress5", 5, false)]  // packed vs fused
    [InlineData("Regress3", "Regress2", 2, true)]    // both fused
    [InlineData("Language12", "Language9", 9, true)]
    [InlineData("Language12", "Language5", 5, false)]
    [InlineData("Classify12", "Classify5", 5, false)]
    public void LossAndBackwardOfAPartialBatchEqualAModelDeclaredWithThatBatch(string large, string small, int rows, bool bitwise)
    {
        object big = Models[large](), exact = Models[small]();
        switch (big)
        {
            case IRnnModel<int>:
                CheckAgainstDeclared<int, int>(big, exact, rows, bitwise);
                break;
            case ILossModel<int>:
                CheckAgainstDeclared<float, int>(big, exact, rows, bitwise);
                break;
            default:
                CheckAgainstDeclared<float, float>(big, exact, rows, bitwise);
                break;
        }
    }

    /// <summary>
    /// Forward, Loss and Backward of <paramref name="rows"/> rows on <paramref name="large"/> against all rows of
    /// <paramref name="small"/> (BatchSize = rows), with the same weights, initial states and final-state gradients:
    /// ragged lengths, and for class targets one ignored position.
    /// </summary>
    private static void CheckAgainstDeclared<TInput, TTarget>(object large, object small, int rows, bool bitwise)
        where TInput : unmanaged
        where TTarget : unmanaged
    {
        var big = (IRnnModel<TInput>)large;
        var exact = (IRnnModel<TInput>)small;
        Assert.Equal(rows, exact.BatchSize);
        int steps = big.SequenceLength, perRow = (big.SequenceOutput ? steps : 1) * big.OutputSize;
        Contract.Randomize(big.Parameters, seed: 41);
        exact.Parameters.CopyFrom(big.Parameters);
        Contract.Randomize(big.InitialState, seed: 42);
        CopyRows(big.InitialState, exact.InitialState, rows);
        Contract.Randomize(big.FinalStateGradient, seed: 43, scale: 0.1f);
        CopyRows(big.FinalStateGradient, exact.FinalStateGradient, rows);

        TInput[] input = Contract.Input(big, rows, steps, seed: 44);
        int[] lengths = RaggedLengths(rows, steps, seed: 45);
        TTarget[] target = Target<TTarget>(big, rows, lengths);
        var bigOutput = new float[rows * perRow];
        var exactOutput = new float[rows * perRow];
        big.Forward(input, bigOutput, lengths);
        exact.Forward(input, exactOutput, lengths);
        float bigLoss = ((ILossModel<TTarget>)big).Loss(target);
        float exactLoss = ((ILossModel<TTarget>)exact).Loss(target);
        big.ZeroGradients();
        exact.ZeroGradients();
        ((ILossModel<TTarget>)big).Backward();
        ((ILossModel<TTarget>)exact).Backward();

        Assert.Equal(rows * steps * big.InputSize * (typeof(TInput) == typeof(float) ? 1 : 0), big.InputGradient.Length);
        if (bitwise)
        {
            Contract.Bitwise(exactOutput, bigOutput, "output");
            Contract.Bitwise(exactLoss, bigLoss, "loss");
            Contract.Bitwise(exact.Gradients, big.Gradients, "gradient");
            Contract.Bitwise(Contract.StateRows(exact.InitialStateGradient, rows), Contract.StateRows(big.InitialStateGradient, rows), "InitialStateGradient");
            Contract.Bitwise(exact.InputGradient, big.InputGradient, "InputGradient");
        }
        else
        {
            Contract.Close(exactOutput, bigOutput, 1e-6, "output");
            Contract.Close([exactLoss], [bigLoss], 1e-6, "loss");
            Contract.Close(exact.Gradients, big.Gradients, 1e-6, "gradient");
            Contract.Close(Contract.StateRows(exact.InitialStateGradient, rows), Contract.StateRows(big.InitialStateGradient, rows), 1e-6, "InitialStateGradient");
            Contract.Close(exact.InputGradient, big.InputGradient, 1e-6, "InputGradient");
        }

        // The rows the call did not pass keep their initial-state gradient: 0.
        ParameterSet dState = big.InitialStateGradient;
        foreach (string name in dState.Names)
        {
            int[] shape = dState.GetShape(name);
            for (int i = 0; i < shape[0]; i++)
            {
                ReadOnlySpan<float> unused = dState.GetReadOnly(name).Slice(((i * shape[1]) + rows) * shape[2], (shape[1] - rows) * shape[2]);
                Assert.True(unused.ToArray().All(v => v == 0), $"{name}[{i}] has gradient in rows the call did not pass");
            }
        }
    }

    [Fact]
    public void InputGradientHasThePartialLength()
    {
        var model = new Regress12(Seed);
        int rows = 5;
        var output = new float[rows * Regress12.SequenceLength * Regress12.OutputSize];
        model.Forward(Contract.Floats(rows * Regress12.SequenceLength * Regress12.InputSize, seed: 1), output);
        model.Loss(new float[output.Length]);
        model.Backward();
        Assert.Equal(rows * Regress12.SequenceLength * Regress12.InputSize, model.InputGradient.Length);
        Assert.Equal(rows * Regress12.SequenceLength * Regress12.InputSize, ((IRnnModel)model).InputGradient.Length);
        Assert.Contains(model.InputGradient.ToArray(), v => v != 0);
    }

    [Fact]
    public void InputGradientKeepsTheLastBackwardsRowsUntilTheNextBackward()
    {
        // InputGradient is [rows, T, I] of the last Backward: a later Forward or Step of other rows must not reshape it.
        var model = new Regress12(Seed);
        const int T = Regress12.SequenceLength, I = Regress12.InputSize, O = Regress12.OutputSize;
        model.Forward(Contract.Floats(5 * T * I, seed: 1), new float[5 * T * O]);
        model.Loss(Contract.Floats(5 * T * O, seed: 2));
        model.Backward();
        float[] expected = model.InputGradient.ToArray();
        Assert.Equal(5 * T * I, expected.Length);

        model.Forward(Contract.Floats(3 * T * I, seed: 3), new float[3 * T * O]);
        Contract.Bitwise(expected, model.InputGradient, "InputGradient after a Forward of 3 rows");
        model.Step(Contract.Floats(2 * I, seed: 4), new float[2 * O]);
        Contract.Bitwise(expected, model.InputGradient, "InputGradient after a Step of 2 rows");
        Contract.Bitwise(expected, ((IRnnModel)model).InputGradient, "IRnnModel.InputGradient");
    }

    [Fact]
    public void BadRowCountsAreRefusedNamingTheTensorAndTheShape()
    {
        var model = new Regress12(Seed);
        const int T = Regress12.SequenceLength, I = Regress12.InputSize, O = Regress12.OutputSize, B = Regress12.BatchSize;
        foreach (int length in new[] { 0, (T * I) + 1, (3 * T * I) - 1, (B + 1) * T * I })
        {
            var error = Assert.Throws<ArgumentException>(() => model.Forward(new float[length], new float[B * T * O]));
            Assert.Equal("input", error.ParamName);
            Assert.Contains($"input has {length} elements", error.Message, StringComparison.Ordinal);
            Assert.Contains($"1 ≤ B ≤ {B}", error.Message, StringComparison.Ordinal);
            Assert.Contains($"[B, T, I] = [B, {T}, {I}]", error.Message, StringComparison.Ordinal);
        }

        var output = Assert.Throws<ArgumentException>(() => model.Forward(new float[3 * T * I], new float[4 * T * O]));
        Assert.Equal("output", output.ParamName);
        Assert.Contains($"expected {3 * T * O} = [B, T, O] = [B, {T}, {O}]", output.Message, StringComparison.Ordinal);

        var lengths = Assert.Throws<ArgumentException>(() => model.Forward(new float[3 * T * I], new float[3 * T * O], [T, T]));
        Assert.Equal("lengths", lengths.ParamName);
        Assert.Contains("one per input row: 3", lengths.Message, StringComparison.Ordinal);

        foreach (int length in new[] { 0, I + 1, (B + 1) * I })
        {
            var step = Assert.Throws<ArgumentException>(() => model.Step(new float[length], new float[B * O]));
            Assert.Equal("input", step.ParamName);
            Assert.Contains($"[B, I] = [B, {I}]", step.Message, StringComparison.Ordinal);
        }

        var stepOutput = Assert.Throws<ArgumentException>(() => model.Step(new float[2 * I], new float[3 * O]));
        Assert.Equal("output", stepOutput.ParamName);

        // Loss and Backward follow the rows of the last Forward.
        model.Forward(new float[3 * T * I], new float[3 * T * O]);
        var target = Assert.Throws<ArgumentException>(() => model.Loss(new float[B * T * O]));
        Assert.Equal("target", target.ParamName);
        Assert.Contains($"expected {3 * T * O}", target.Message, StringComparison.Ordinal);
        var gradient = Assert.Throws<ArgumentException>(() => model.Backward(new float[2 * T * O]));
        Assert.Equal("outputGradient", gradient.ParamName);
        Assert.Contains($"expected {3 * T * O}", gradient.Message, StringComparison.Ordinal);

        var tokens = new Language12(Seed);
        foreach (int length in new[] { 0, T + 1, (B + 1) * T })
        {
            var error = Assert.Throws<ArgumentException>(() => tokens.Forward(new int[length], new float[B * T * Language12.OutputSize]));
            Assert.Equal("input", error.ParamName);
            Assert.Contains($"[B, T] = [B, {T}]", error.Message, StringComparison.Ordinal);
        }

        tokens.Forward(new int[2 * T], new float[2 * T * Language12.OutputSize]);
        var classes = Assert.Throws<ArgumentException>(() => tokens.Loss(new int[3 * T]));
        Assert.Equal("target", classes.ParamName);
        Assert.Contains($"expected {2 * T} = [B, T] = [B, {T}]", classes.Message, StringComparison.Ordinal);
    }

    /// <summary>Lengths in 1..T with at least one full row and one of length 1 (when there are two rows).</summary>
    private static int[] RaggedLengths(int rows, int steps, int seed)
    {
        var random = new Random(seed);
        int[] lengths = Enumerable.Range(0, rows).Select(_ => 1 + random.Next(steps)).ToArray();
        lengths[0] = steps;
        if (rows > 1)
        {
            lengths[^1] = 1;
        }

        return lengths;
    }

    /// <summary>Values shaped like the output, or classes (one ignored, −100, at a valid position; garbage at padded ones).</summary>
    private static TTarget[] Target<TTarget>(IRnnModel model, int rows, int[] lengths)
    {
        int steps = model.SequenceOutput ? model.SequenceLength : 1;
        if (typeof(TTarget) == typeof(float))
        {
            return (TTarget[])(object)Contract.Floats(rows * steps * model.OutputSize, seed: 46);
        }

        int[] classes = Contract.Tokens(rows * steps, model.OutputSize, seed: 47);
        for (int b = 0; b < rows && steps > 1; b++)
        {
            for (int t = lengths[b]; t < steps; t++)
            {
                classes[(b * steps) + t] = 1_000_000; // padded: never read
            }
        }

        classes[steps > 1 ? 1 : 0] = -100;
        return (TTarget[])(object)classes;
    }

    /// <summary>Copies the first <paramref name="rows"/> rows of each [n, B, W] state tensor into a set of the same tensors at BatchSize = rows.</summary>
    private static void CopyRows(ParameterSet source, ParameterSet destination, int rows)
    {
        foreach (string name in source.Names)
        {
            int[] shape = source.GetShape(name);
            var values = new List<float>();
            for (int i = 0; i < shape[0]; i++)
            {
                values.AddRange(source.GetReadOnly(name).Slice(i * shape[1] * shape[2], rows * shape[2]).ToArray());
            }

            destination.CopyFrom(name, values.ToArray());
        }
    }
}
