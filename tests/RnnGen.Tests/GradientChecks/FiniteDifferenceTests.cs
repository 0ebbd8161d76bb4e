using System;
using System.Collections.Generic;
using System.Linq;
using RnnGen.Tests.Numerics;
using Xunit;
using static RnnGen.Tests.GradientChecks.GradientCheck;

namespace RnnGen.Tests.GradientChecks;

/// <summary>
/// The generated models' analytic gradients (float32) against central differences of the
/// double-precision <see cref="ScalarReferenceModel"/>; forward values against its loss.
/// </summary>
public sealed class FiniteDifferenceTests
{
    [Fact]
    public void DeepBidirectionalLstmWithRaggedLengths()
    {
        var model = new DeepBidirLstm(seed: 1);
        var data = new CaseData(DeepBidirLstm.BatchSize, DeepBidirLstm.SequenceLength, DeepBidirLstm.InputSize, seed: 11, lengths: [9, 4, 1]);
        float[] target = data.Floats(DeepBidirLstm.BatchSize * DeepBidirLstm.SequenceLength * DeepBidirLstm.OutputSize);
        var output = new float[target.Length];
        model.Forward(data.Input, output, data.Lengths);
        float loss = model.Loss(target);
        model.ZeroGradients();
        model.Backward();
        var reference = new ScalarReferenceModel(9, 3, 5, "mse",
            new ReferenceLayer("lstm", "rnn", 7, NumLayers: 3, Bidirectional: true), new ReferenceLayer("dense", "fc", 3, Activation: "tanh"));
        Compare(model.Parameters, model.Gradients, loss, data.Input, model.InputGradient.ToArray(),
            (p, x) => reference.Loss(p, x, null, data.Lengths, D(target), null));
        AssertPaddedOutputIsZero(output, data.Lengths, DeepBidirLstm.SequenceLength, DeepBidirLstm.OutputSize);
    }

    [Fact]
    public void BidirectionalGruClassifierOnLastStep()
    {
        var model = new BidirGruClassifier(seed: 2);
        var data = new CaseData(4, 11, 3, seed: 12, lengths: [11, 7, 2, 5]);
        int[] classes = [4, 0, 2, 1];
        var output = new float[4 * 5];
        model.Forward(data.Input, output, data.Lengths);
        float loss = model.Loss(classes);
        model.ZeroGradients();
        model.Backward();
        var reference = new ScalarReferenceModel(11, 4, 3, "ce",
            new ReferenceLayer("gru", "gru", 6, NumLayers: 2, Bidirectional: true, ReturnSequences: false), new ReferenceLayer("dense", "head", 5));
        Compare(model.Parameters, model.Gradients, loss, data.Input, model.InputGradient.ToArray(),
            (p, x) => reference.Loss(p, x, null, data.Lengths, null, classes));
    }

    [Fact]
    public void LongTwoLayerTanhRnnWithDefaultNames()
    {
        var model = new LongTanhRnn(seed: 3);
        Assert.Contains("simplernn0.weight_hh_l1", model.Parameters.Names);
        Assert.Contains("dense0.weight", model.Parameters.Names);
        var data = new CaseData(2, 64, 4, seed: 13, lengths: [64, 33]);
        float[] target = data.Floats(2 * 64 * 2);
        var output = new float[target.Length];
        model.Forward(data.Input, output, data.Lengths);
        float loss = model.Loss(target);
        model.ZeroGradients();
        model.Backward();
        var reference = new ScalarReferenceModel(64, 2, 4, "mse",
            new ReferenceLayer("rnn_tanh", "simplernn0", 5, NumLayers: 2), new ReferenceLayer("dense", "dense0", 2, Activation: "sigmoid"));
        Compare(model.Parameters, model.Gradients, loss, data.Input, model.InputGradient.ToArray(),
            (p, x) => reference.Loss(p, x, null, data.Lengths, D(target), null));
    }

    [Fact]
    public void LargeBatchOfEveryCellThroughPackedWeights()
    {
        var model = new LargeBatchMixedStack(seed: 6);
        var data = new CaseData(10, 6, 3, seed: 16, lengths: [6, 1, 5, 6, 3, 2, 6, 4, 6, 5]);
        float[] target = data.Floats(10 * 6 * 2);
        var output = new float[target.Length];
        model.Forward(data.Input, output, data.Lengths);
        float loss = model.Loss(target);
        model.ZeroGradients();
        model.Backward();
        var reference = new ScalarReferenceModel(6, 10, 3, "mse",
            new ReferenceLayer("lstm", "lstm", 5, Bidirectional: true), new ReferenceLayer("gru", "gru", 4),
            new ReferenceLayer("rnn_tanh", "rnn", 3), new ReferenceLayer("dense", "fc", 2));
        Compare(model.Parameters, model.Gradients, loss, data.Input, model.InputGradient.ToArray(),
            (p, x) => reference.Loss(p, x, null, data.Lengths, D(target), null));
        AssertPaddedOutputIsZero(output, data.Lengths, 6, 2);
    }

    [Fact]
    public void EmbeddingIntoMixedLstmGruStack()
    {
        var model = new MixedStackLm(seed: 4);
        var random = new Random(14);
        int[] tokens = Enumerable.Range(0, 3 * 10).Select(_ => random.Next(13)).ToArray();
        int[] classes = Enumerable.Range(0, 3 * 10).Select(_ => random.Next(13)).ToArray();
        int[] lengths = [10, 6, 3];
        var output = new float[3 * 10 * 13];
        model.Forward(tokens, output, lengths);
        float loss = model.Loss(classes);
        model.ZeroGradients();
        model.Backward();
        var reference = new ScalarReferenceModel(10, 3, 0, "ce",
            new ReferenceLayer("embedding", "embed", 4, VocabSize: 13), new ReferenceLayer("lstm", "enc", 6, Bidirectional: true),
            new ReferenceLayer("gru", "dec", 5), new ReferenceLayer("dense", "out", 13));
        Compare(model.Parameters, model.Gradients, loss, null, null, (p, _) => reference.Loss(p, null, tokens, lengths, null, classes));
    }

    [Fact]
    public void NoLossModelBackpropagatesAGivenOutputGradient()
    {
        var model = new NoLossReluRnn(seed: 5);
        var data = new CaseData(2, 7, 3, seed: 15, lengths: [7, 4]);
        // L = Σ w·y, so dL/dy = w: the reference computes the same functional.
        float[] weights = data.Floats(2 * 7 * 10);
        var output = new float[weights.Length];
        model.Forward(data.Input, output, data.Lengths);
        double loss = 0;
        for (int b = 0; b < 2; b++)
        {
            for (int t = 0; t < data.Lengths[b]; t++)
            {
                for (int j = 0; j < 10; j++)
                {
                    loss += weights[(b * 7 + t) * 10 + j] * output[(b * 7 + t) * 10 + j];
                }
            }
        }

        model.ZeroGradients();
        model.Backward(weights);
        var reference = new ScalarReferenceModel(7, 2, 3, "none",
            new ReferenceLayer("dense", "pre", 4, Activation: "relu"), new ReferenceLayer("rnn_relu", "rnn", 5, Bidirectional: true));
        Compare(model.Parameters, model.Gradients, (float)loss, data.Input, model.InputGradient.ToArray(),
            (p, x) => reference.Loss(p, x, null, data.Lengths, D(weights), null));
    }

    [Fact]
    public void InitialStateInAndFinalStateGradientOut()
    {
        var model = new StatefulLstm(seed: 6);
        var data = new CaseData(2, 6, 3, seed: 16, lengths: [6, 3]);
        var random = new Random(17);
        foreach (string name in model.InitialState.Names)
        {
            Fill(model.InitialState[name], random);
        }

        foreach (string name in model.FinalStateGradient.Names)
        {
            Fill(model.FinalStateGradient[name], random);
        }

        float[] target = data.Floats(2 * 6 * 8);
        var output = new float[target.Length];
        model.Forward(data.Input, output, data.Lengths);
        double loss = model.Loss(target);
        foreach (string name in model.FinalState.Names)
        {
            loss += Dot(model.FinalState[name], model.FinalStateGradient[name]);
        }

        model.ZeroGradients();
        model.Backward();
        var reference = new ScalarReferenceModel(6, 2, 3, "mse", new ReferenceLayer("lstm", "rnn", 4, NumLayers: 2, Bidirectional: true));
        var finalWeights = model.FinalStateGradient.Names.ToDictionary(n => n, n => D(model.FinalStateGradient[n]));
        var initial = model.InitialState.Names.ToDictionary(n => n, n => D(model.InitialState[n]));
        Compare(model.Parameters, model.Gradients, (float)loss, data.Input, model.InputGradient.ToArray(),
            (p, x) => reference.Loss(p, x, null, data.Lengths, D(target), null, initial, finalWeights));

        // dLoss/dInitialState by central differences on the reference's initial state.
        foreach (string name in model.InitialState.Names)
        {
            double[] fd = new double[initial[name].Length];
            for (int i = 0; i < fd.Length; i++)
            {
                fd[i] = CentralDifference(initial[name], i, () => reference.Loss(ToDoubles(model.Parameters), D(data.Input), null, data.Lengths, D(target), null, initial, finalWeights));
            }

            Tolerance.RelativeToMax(F(fd), model.InitialStateGradient[name], Tolerance.GradientRelative, "initial state gradient " + name);
        }
    }
}
