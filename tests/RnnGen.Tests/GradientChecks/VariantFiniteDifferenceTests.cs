using System;
using System.Collections.Generic;
using System.Linq;
using Xunit;

namespace RnnGen.Tests.GradientChecks;

/// <summary>
/// The LSTM variants (peephole, layer norm, projection, and their combinations) and the learned initial state
/// (LSTM, GRU, plain RNN; with and without CarryState) through generated models: loss, every parameter's gradient
/// and the input gradient against central differences of <see cref="ScalarReferenceModel"/> in double precision,
/// at hidden sizes that cross vector widths, on the fused (B = 3) and the packed (B = 10) paths, with ragged lengths.
/// </summary>
public sealed class VariantFiniteDifferenceTests
{
    private static readonly int[] SmallLengths = [5, 2, 4];
    private static readonly int[] LargeLengths = [4, 1, 3, 4, 2, 4, 4, 3, 1, 4];

    [Fact]
    public void PeepholeOnTheFusedStep() =>
        Check(new PeepholeLstmSmallBatch(seed: 1), SmallLengths, new ReferenceLayer("lstm", "rnn", 17, Peephole: true));

    [Fact]
    public void PeepholeOnThePackedProduct() =>
        Check(new PeepholeLstmLargeBatch(seed: 2), LargeLengths, new ReferenceLayer("lstm", "rnn", 33, Peephole: true));

    [Fact]
    public void LayerNormAtThreeRows() =>
        Check(new LayerNormLstmSmallBatch(seed: 3), SmallLengths, new ReferenceLayer("lstm", "rnn", 17, LayerNorm: true));

    [Fact]
    public void LayerNormAtTenRows() =>
        Check(new LayerNormLstmLargeBatch(seed: 4), LargeLengths, new ReferenceLayer("lstm", "rnn", 33, LayerNorm: true));

    [Fact]
    public void ProjectionOnTheFusedStep() =>
        Check(new ProjectionLstmSmallBatch(seed: 5), SmallLengths, new ReferenceLayer("lstm", "rnn", 17, Projection: 5));

    [Fact]
    public void ProjectionOnThePackedProduct() =>
        Check(new ProjectionLstmLargeBatch(seed: 6), LargeLengths, new ReferenceLayer("lstm", "rnn", 33, Projection: 7));

    [Fact]
    public void LearnedInitialStateOfATwoLayerLstm() =>
        Check(new LearnedStateLstm(seed: 7), SmallLengths, new ReferenceLayer("lstm", "rnn", 17, NumLayers: 2, LearnInitialState: true));

    [Fact]
    public void LearnedInitialStateOfAProjectedLstmOnThePackedProduct() =>
        Check(new LearnedStateProjectionLstmLargeBatch(seed: 8), LargeLengths, new ReferenceLayer("lstm", "rnn", 17, Projection: 4, LearnInitialState: true));

    [Fact]
    public void LearnedInitialStateOfABidirectionalGru() =>
        Check(new LearnedStateGru(seed: 9), LargeLengths, new ReferenceLayer("gru", "gru", 17, Bidirectional: true, LearnInitialState: true));

    [Fact]
    public void LearnedInitialStateOfATwoLayerRnn() =>
        Check(new LearnedStateRnn(seed: 10), SmallLengths, new ReferenceLayer("rnn_tanh", "rnn", 33, NumLayers: 2, LearnInitialState: true));

    [Fact]
    public void ProjectionWithTwoBidirectionalLayers() =>
        Check(new ProjectionBidirectionalDeepLstm(seed: 11), [4, 1, 3],
            new ReferenceLayer("lstm", "rnn", 17, NumLayers: 2, Bidirectional: true, Projection: 6));

    [Fact]
    public void LayerNormBidirectionalWithPadding() =>
        Check(new LayerNormBidirectionalLstm(seed: 12), LargeLengths,
            new ReferenceLayer("lstm", "rnn", 17, Bidirectional: true, LayerNorm: true));

    [Fact]
    public void PeepholeWithLayerNorm() =>
        Check(new PeepholeLayerNormLstm(seed: 13), SmallLengths, new ReferenceLayer("lstm", "rnn", 17, Peephole: true, LayerNorm: true));

    /// <summary>The reference's variant formulas against PyTorch itself: the four cases of make_cells_reference.py.</summary>
    [Theory]
    [InlineData("cell_lstm_projection", 5, 8, false, false, 3, 1)]
    [InlineData("cell_lstm_peephole", 4, 6, true, false, 0, 1)]
    [InlineData("cell_lstm_layernorm", 4, 6, false, true, 0, 1)]
    [InlineData("cell_lstm_learn_init", 4, 5, false, false, 0, 2)]
    public void TheReferenceGivesPyTorchsLoss(string name, int inputSize, int hidden, bool peephole, bool layerNorm, int projection, int layers)
    {
        SafeTensorsFile file = SafeTensors.Read(System.IO.Path.Combine(AppContext.BaseDirectory, "Reference", "cells", name + ".safetensors"));
        int[] lengths = file.GetInt32("lengths");
        float[] input = file.GetFloat32("input");
        int steps = input.Length / (lengths.Length * inputSize);
        string[] data = ["input", "lengths", "target", "output", "loss"];
        Dictionary<string, double[]> p = file.Names.Where(n => !n.StartsWith("grad.", StringComparison.Ordinal) && !data.Contains(n))
            .ToDictionary(n => n, n => FiniteDifference.D(file.GetFloat32(n)));
        var reference = new ScalarReferenceModel(steps, lengths.Length, inputSize, "mse",
            new ReferenceLayer("lstm", "rnn", hidden, NumLayers: layers, Projection: projection, Peephole: peephole, LayerNorm: layerNorm, LearnInitialState: p.ContainsKey("rnn.h0")),
            new ReferenceLayer("dense", "fc", 2));
        double loss = reference.Loss(p, FiniteDifference.D(input), null, lengths, FiniteDifference.D(file.GetFloat32("target")), null);
        float expected = file.GetFloat32("loss")[0];
        Assert.True(Math.Abs(loss - expected) <= Numerics.Tolerance.Output * Math.Max(1, Math.Abs(expected)), $"{name}: reference loss {loss:R}, PyTorch {expected:R}");
    }

    /// <summary>
    /// CarryState off: every Forward starts from the learned state, so a second Forward's gradients are those of a
    /// first one; on: the second starts from the first's final state, whose gradient goes to InitialStateGradient
    /// and none to the learned state, until ResetState() brings the learned state back.
    /// </summary>
    [Fact]
    public void LearnedInitialStateWithCarryStateOffAndOn()
    {
        var layers = new[] { new ReferenceLayer("lstm", "rnn", 17, NumLayers: 2, LearnInitialState: true), new ReferenceLayer("dense", "fc", 2) };
        var reference = new ScalarReferenceModel(5, 3, 4, "mse", layers);
        var model = new LearnedStateLstm(seed: 14);
        Randomize(model.Parameters, new Random(14));
        var random = new Random(15);
        float[] first = Floats(random, 3 * 5 * 4), second = Floats(random, 3 * 5 * 4), target = Floats(random, 3 * 5 * 2);
        var output = new float[target.Length];
        int[] lengths = SmallLengths;

        // Off: the first Forward changes nothing the second starts from.
        model.CarryState = false;
        model.Forward(first, output, lengths);
        model.Forward(second, output, lengths);
        Backward(model, target, out float loss);
        FiniteDifference.Compare(model.Parameters, model.Gradients, loss, second, model.InputGradient.ToArray(),
            (p, x) => reference.Loss(p, x, null, lengths, FiniteDifference.D(target), null));

        // On: the second Forward starts from the first's final state.
        model.CarryState = true;
        model.ResetState();
        model.Forward(first, output, lengths);
        Dictionary<string, double[]> carried = model.FinalState.Names.ToDictionary(n => n.Replace("_n", "0", StringComparison.Ordinal), n => FiniteDifference.D(model.FinalState[n]));
        model.Forward(second, output, lengths);
        Backward(model, target, out loss);
        FiniteDifference.Compare(model.Parameters, model.Gradients, loss, second, model.InputGradient.ToArray(),
            (p, x) => reference.Loss(p, x, null, lengths, FiniteDifference.D(target), null, carried));
        Assert.True(model.Gradients["rnn.h0"].ToArray().All(v => v == 0) && model.Gradients["rnn.c0"].ToArray().All(v => v == 0),
            "a carried state must not send gradient to the learned one");
        Dictionary<string, double[]> p = FiniteDifference.ToDoubles(model.Parameters);
        foreach (string name in model.InitialStateGradient.Names)
        {
            FiniteDifference.CheckTensor("initial state " + name, carried[name], model.InitialStateGradient[name].ToArray(), new Random(1),
                () => reference.Loss(p, FiniteDifference.D(second), null, lengths, FiniteDifference.D(target), null, carried));
        }

        // ResetState: back to the learned state, with the numbers of CarryState off.
        var expected = new float[output.Length];
        model.CarryState = false;
        model.Forward(second, expected, lengths);
        model.CarryState = true;
        model.ResetState();
        model.Forward(second, output, lengths);
        Assert.Equal(expected, output);
    }

    /// <summary>One Forward, Loss and Backward of <paramref name="model"/> against the reference of [layer, Dense(2)].</summary>
    private static void Check<TModel>(TModel model, int[] lengths, ReferenceLayer layer)
        where TModel : IRnnModel<float>, ILossModel<float>
    {
        int batch = model.BatchSize, steps = model.SequenceLength;
        Assert.Equal(batch, lengths.Length);
        var random = new Random(batch * 100 + steps);
        Randomize(model.Parameters, random);
        float[] input = Floats(random, batch * steps * model.InputSize), target = Floats(random, batch * steps * model.OutputSize);
        var output = new float[target.Length];
        model.Forward(input, output, lengths);
        Backward(model, target, out float loss);
        var reference = new ScalarReferenceModel(steps, batch, model.InputSize, "mse", layer, new ReferenceLayer("dense", "fc", model.OutputSize));
        FiniteDifference.Compare(model.Parameters, model.Gradients, loss, input, model.InputGradient.ToArray(),
            (p, x) => reference.Loss(p, x, null, lengths, FiniteDifference.D(target), null));
        for (int b = 0; b < batch; b++)
        {
            for (int i = lengths[b] * model.OutputSize; i < steps * model.OutputSize; i++)
            {
                Assert.Equal(0f, output[(b * steps * model.OutputSize) + i]);
            }
        }
    }

    private static void Backward<TModel>(TModel model, float[] target, out float loss)
        where TModel : IRnnModel<float>, ILossModel<float>
    {
        loss = model.Loss(target);
        model.ZeroGradients();
        model.Backward();
    }

    /// <summary>
    /// Parameters a fresh model initialises to constants get random values, so their gradients are not special:
    /// layer-norm gains 1 ± 0.3 and biases ±0.3, learned initial states ±0.5.
    /// </summary>
    private static void Randomize(ParameterSet parameters, Random random)
    {
        foreach (string name in parameters.Names)
        {
            Span<float> values = parameters[name];
            bool gain = name.Contains("layer_norm", StringComparison.Ordinal) && name.Contains("_weight", StringComparison.Ordinal);
            bool bias = name.Contains("layer_norm", StringComparison.Ordinal) && name.Contains("_bias", StringComparison.Ordinal);
            bool state = name.EndsWith(".h0", StringComparison.Ordinal) || name.EndsWith(".c0", StringComparison.Ordinal);
            for (int i = 0; i < values.Length && (gain || bias || state); i++)
            {
                float u = (float)((random.NextDouble() * 2) - 1);
                values[i] = gain ? 1 + (0.3f * u) : bias ? 0.3f * u : 0.5f * u;
            }
        }

        parameters.EndDirectWrites();
    }

    private static float[] Floats(Random random, int count) =>
        Enumerable.Range(0, count).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray();
}
