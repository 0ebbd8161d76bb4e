using System;
using System.Collections.Generic;
using RnnGen;
using Xunit;
using static RnnGen.Tests.GradientChecks.GradientCheck;

namespace RnnGen.Tests.GradientChecks;

[RnnModel(SequenceLength = 5, BatchSize = 2, InputSize = 3)]
[Gru(HiddenSize = 4, Name = "enc")]
public partial class TinyEncoder { }

[RnnModel(SequenceLength = 4, BatchSize = 2, InputSize = 2)]
[Gru(HiddenSize = 4, Name = "dec")]
[Dense(OutputSize = 2, Name = "out")]
[Loss(LossKind.MeanSquaredError)]
public partial class TinyDecoder { }

/// <summary>
/// Two generated models composed as an encoder-decoder through the state API: the encoder's final
/// state is the decoder's initial state, and the decoder's initial-state gradient flows back into
/// the encoder's Backward. Every gradient of both models and both inputs against central differences
/// of the same composition of double-precision <see cref="ScalarReferenceModel"/>s, at the tolerance
/// of the other gradient checks.
/// </summary>
public sealed class EncoderDecoderTests
{
    private readonly TinyEncoder _encoder = new(seed: 1);
    private readonly TinyDecoder _decoder = new(seed: 2);
    private readonly float[] _source = Random(2 * 5 * 3, 3);
    private readonly float[] _decoderInput = Random(2 * 4 * 2, 4);
    private readonly float[] _target = Random(2 * 4 * 2, 5);
    private readonly int[] _sourceLengths = [5, 3];

    [Fact]
    public void GradientFlowsFromDecoderLossIntoEncoderWeights()
    {
        _encoder.Forward(_source, new float[2 * 5 * 4], _sourceLengths);
        _encoder.FinalState["enc.h_n"].CopyTo(_decoder.InitialState["dec.h0"]);
        _decoder.Forward(_decoderInput, new float[2 * 4 * 2]);
        float loss = _decoder.Loss(_target);
        _decoder.ZeroGradients();
        _decoder.Backward();
        _decoder.InitialStateGradient["dec.h0"].CopyTo(_encoder.FinalStateGradient["enc.h_n"]);
        _encoder.ZeroGradients();
        _encoder.Backward(new float[2 * 5 * 4]); // the encoder's outputs feed nothing else
        Assert.Contains(_encoder.Gradients["enc.weight_hh_l0"].ToArray(), g => Math.Abs(g) > 1e-4);

        var encoder = new ScalarReferenceModel(5, 2, 3, "none", new ReferenceLayer("gru", "enc", 4));
        var decoder = new ScalarReferenceModel(4, 2, 2, "mse", new ReferenceLayer("gru", "dec", 4), new ReferenceLayer("dense", "out", 2));
        double[] target = D(_target);
        Compare([(_encoder.Parameters, _encoder.Gradients), (_decoder.Parameters, _decoder.Gradients)], loss,
            [new InputTensor("source", _source, _encoder.InputGradient.ToArray()), new InputTensor("decoder input", _decoderInput, _decoder.InputGradient.ToArray())],
            (p, x) =>
            {
                Dictionary<string, double[]> states = encoder.FinalStates(p, x["source"], null, _sourceLengths);
                var initial = new Dictionary<string, double[]> { ["dec.h0"] = states["enc.h_n"] };
                return decoder.Loss(p, x["decoder input"], null, [4, 4], target, null, initial);
            });
    }

    private static float[] Random(int count, int seed)
    {
        var random = new Random(seed);
        var values = new float[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = (float)(random.NextDouble() * 2 - 1);
        }

        return values;
    }
}
