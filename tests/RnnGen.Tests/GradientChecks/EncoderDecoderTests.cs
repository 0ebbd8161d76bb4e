using System;
using RnnGen;
using Xunit;

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
/// the encoder's Backward. Checked end to end by central differences (double accumulation of float
/// runs, so a loose tolerance; it catches wiring, sign and scale errors).
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
        RunForward();
        _decoder.ZeroGradients();
        _decoder.Backward();
        _decoder.InitialStateGradient["dec.h0"].CopyTo(_encoder.FinalStateGradient["enc.h_n"]);
        _encoder.ZeroGradients();
        _encoder.Backward(new float[2 * 5 * 4]); // the encoder's outputs feed nothing else
        float[] analytic = _encoder.Gradients["enc.weight_hh_l0"].ToArray();
        Assert.Contains(analytic, g => Math.Abs(g) > 1e-4);

        Span<float> weights = _encoder.Parameters["enc.weight_hh_l0"];
        double scale = 0;
        foreach (float g in analytic)
        {
            scale = Math.Max(scale, Math.Abs(g));
        }

        const float epsilon = 1e-2f;
        for (int i = 0; i < weights.Length; i += 5)
        {
            float saved = weights[i];
            weights[i] = saved + epsilon;
            double plus = RunForward();
            weights[i] = saved - epsilon;
            double minus = RunForward();
            weights[i] = saved;
            double fd = (plus - minus) / (2 * epsilon);
            Assert.True(Math.Abs(fd - analytic[i]) <= 2e-2 * scale, $"enc.weight_hh_l0[{i}]: analytic {analytic[i]:R}, finite difference {fd:R}");
        }
    }

    private double RunForward()
    {
        _encoder.Forward(_source, new float[2 * 5 * 4], _sourceLengths);
        _encoder.FinalState["enc.h_n"].CopyTo(_decoder.InitialState["dec.h0"]);
        _decoder.Forward(_decoderInput, new float[2 * 4 * 2]);
        return _decoder.Loss(_target);
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
