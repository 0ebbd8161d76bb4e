using System;
using System.Numerics;
using RnnGen.Kernels;
using Xunit;
using static RnnGen.Tests.GradientChecks.GradientCheck;

namespace RnnGen.Tests.GradientChecks;

/// <summary>
/// Finite-difference checks (the <see cref="FiniteDifferenceTests"/> standard) at hidden sizes that run the cells'
/// vector loops and scalar tails, the fused step's several panels (B ≤ 8) and the packed large-batch step (B &gt; 8),
/// forward and backward, bidirectional on padded rows. Each first asserts that its sizes really cross the widths
/// and panels of the path this process runs.
/// </summary>
public sealed class WideHiddenGradientTests
{
    [Fact]
    public void LstmH37BidirectionalFusedStep()
    {
        AssertVectorBodyAndTail(37);
        AssertSeveralPanels(gates: 4, hidden: 37);
        var model = new WideBidirLstm(seed: 21);
        var reference = new ScalarReferenceModel(5, 3, 5, "mse",
            new ReferenceLayer("lstm", "rnn", 37, Bidirectional: true), new ReferenceLayer("dense", "fc", 3));
        CheckMse(model.Parameters, model.Gradients, model.Forward, model.Loss, model.Backward, () => model.InputGradient.ToArray(),
            reference, batch: 3, steps: 5, inputSize: 5, outputSize: 3, lengths: [5, 3, 1], seed: 31);
    }

    [Fact]
    public void GruH33BidirectionalFusedStep()
    {
        AssertVectorBodyAndTail(33);
        AssertSeveralPanels(gates: 3, hidden: 33);
        var model = new WideBidirGru(seed: 22);
        var reference = new ScalarReferenceModel(6, 4, 3, "mse",
            new ReferenceLayer("gru", "rnn", 33, Bidirectional: true), new ReferenceLayer("dense", "fc", 2, Activation: "tanh"));
        CheckMse(model.Parameters, model.Gradients, model.Forward, model.Loss, model.Backward, () => model.InputGradient.ToArray(),
            reference, batch: 4, steps: 6, inputSize: 3, outputSize: 2, lengths: [6, 2, 5, 4], seed: 32);
    }

    [Fact]
    public void TanhRnnH70BidirectionalFusedStep()
    {
        AssertVectorBodyAndTail(70);
        AssertSeveralPanels(gates: 1, hidden: 70);
        var model = new WideBidirTanhRnn(seed: 23);
        var reference = new ScalarReferenceModel(4, 2, 3, "mse",
            new ReferenceLayer("rnn_tanh", "rnn", 70, Bidirectional: true), new ReferenceLayer("dense", "fc", 2));
        CheckMse(model.Parameters, model.Gradients, model.Forward, model.Loss, model.Backward, () => model.InputGradient.ToArray(),
            reference, batch: 2, steps: 4, inputSize: 3, outputSize: 2, lengths: [4, 3], seed: 33);
    }

    [Fact]
    public void ReluRnnH67AndH17ClassifierFusedStep()
    {
        AssertVectorBodyAndTail(67);
        AssertVectorBodyAndTail(17);
        AssertSeveralPanels(gates: 1, hidden: 67);
        var model = new WideReluRnnClassifier(seed: 24);
        var data = new CaseData(5, 5, 4, seed: 34, lengths: [5, 1, 3, 5, 2]);
        int[] classes = [2, 0, 1, 1, 2];
        var output = new float[5 * 3];
        model.Forward(data.Input, output, data.Lengths);
        float loss = model.Loss(classes);
        model.ZeroGradients();
        model.Backward();
        var reference = new ScalarReferenceModel(5, 5, 4, "ce",
            new ReferenceLayer("rnn_relu", "rnn", 67, Bidirectional: true), new ReferenceLayer("rnn_relu", "top", 17, ReturnSequences: false),
            new ReferenceLayer("dense", "fc", 3));
        Compare(model.Parameters, model.Gradients, loss, data.Input, model.InputGradient.ToArray(),
            (p, x) => reference.Loss(p, x, null, data.Lengths, null, classes));
    }

    [Fact]
    public void LstmH17BidirectionalAndTanhRnnH33LargeBatch()
    {
        AssertVectorBodyAndTail(17);
        AssertVectorBodyAndTail(33);
        var model = new WideLargeBatchLstmTanh(seed: 25);
        var reference = new ScalarReferenceModel(4, 9, 3, "mse",
            new ReferenceLayer("lstm", "lstm", 17, Bidirectional: true), new ReferenceLayer("rnn_tanh", "tanh", 33), new ReferenceLayer("dense", "fc", 2));
        CheckMse(model.Parameters, model.Gradients, model.Forward, model.Loss, model.Backward, () => model.InputGradient.ToArray(),
            reference, batch: 9, steps: 4, inputSize: 3, outputSize: 2, lengths: [4, 1, 3, 4, 2, 4, 3, 1, 4], seed: 35);
    }

    [Fact]
    public void GruH37BidirectionalAndReluRnnH33LargeBatch()
    {
        AssertVectorBodyAndTail(37);
        AssertVectorBodyAndTail(33);
        var model = new WideLargeBatchGruRelu(seed: 26);
        var reference = new ScalarReferenceModel(4, 10, 3, "mse",
            new ReferenceLayer("gru", "gru", 37, Bidirectional: true), new ReferenceLayer("rnn_relu", "relu", 33), new ReferenceLayer("dense", "fc", 3));
        CheckMse(model.Parameters, model.Gradients, model.Forward, model.Loss, model.Backward, () => model.InputGradient.ToArray(),
            reference, batch: 10, steps: 4, inputSize: 3, outputSize: 3, lengths: [4, 2, 3, 4, 1, 3, 4, 2, 1, 4], seed: 36);
    }

    private delegate void ForwardFn(ReadOnlySpan<float> input, Span<float> output, ReadOnlySpan<int> lengths);

    private delegate float LossFn(ReadOnlySpan<float> target);

    /// <summary>A sequence-output MSE model on random input and target: loss, every gradient and zero padded outputs.</summary>
    private static void CheckMse(ParameterSet parameters, ParameterSet gradients, ForwardFn forward, LossFn loss, Action backward, Func<float[]> inputGradient,
        ScalarReferenceModel reference, int batch, int steps, int inputSize, int outputSize, int[] lengths, int seed)
    {
        var data = new CaseData(batch, steps, inputSize, seed, lengths);
        float[] target = data.Floats(batch * steps * outputSize);
        var output = new float[target.Length];
        forward(data.Input, output, data.Lengths);
        float value = loss(target);
        gradients.Clear();
        backward();
        Compare(parameters, gradients, value, data.Input, inputGradient(),
            (p, x) => reference.Loss(p, x, null, data.Lengths, D(target), null));
        AssertPaddedOutputIsZero(output, data.Lengths, steps, outputSize);
    }

    /// <summary>The cells' pointwise loops (<see cref="Vector{T}"/> wide) run a vector body and a scalar tail at this size.</summary>
    private static void AssertVectorBodyAndTail(int hidden)
    {
        int width = Vector<float>.Count;
        Assert.True(Vector.IsHardwareAccelerated, "Vector<float> is not hardware accelerated: the cells' vector loops do not run.");
        Assert.True(hidden > width && hidden % width != 0, $"H = {hidden} has no vector body and scalar tail at {width} floats per vector.");
        Assert.True(hidden % 4 != 0, $"H = {hidden} has no scalar tail at 4, 8 or 16 floats per vector.");
    }

    /// <summary>The fused step cuts H into two or more panels here, the last one partial.</summary>
    private static void AssertSeveralPanels(int gates, int hidden)
    {
        var weights = new RecurrentWeights(gates, hidden, hidden);
        Assert.True(weights.Panels >= 2 && hidden % weights.UnitsPerPanel != 0,
            $"H = {hidden} with {gates} gates gives {weights.Panels} panel(s) of {weights.UnitsPerPanel} units: not several, or none partial.");
    }
}
