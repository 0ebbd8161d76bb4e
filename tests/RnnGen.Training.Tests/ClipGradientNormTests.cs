using System;
using Xunit;

namespace RnnGen.Training.Tests;

/// <summary>
/// <see cref="Trainer.ClipGradientNorm"/> and <see cref="EncoderDecoder.ClipGradientNorm"/> take a finite norm above 0,
/// or null for no clipping; anything else throws and leaves the setting as it was.
/// </summary>
public sealed class ClipGradientNormTests
{
    public static TheoryData<float> Invalid => new() { 0f, -1f, float.NaN, float.PositiveInfinity, float.NegativeInfinity };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void TheTrainerRefusesANormThatIsNotFiniteAndPositive(float norm)
    {
        var trainer = new Trainer(new SumRegressor(1), new Adam(0.01f)) { ClipGradientNorm = 2f };

        Assert.Throws<ArgumentOutOfRangeException>(() => trainer.ClipGradientNorm = norm);

        Assert.Equal(2f, trainer.ClipGradientNorm);
        trainer.ClipGradientNorm = null;
        Assert.Null(trainer.ClipGradientNorm);
    }

    [Theory]
    [MemberData(nameof(Invalid))]
    public void TheEncoderDecoderRefusesANormThatIsNotFiniteAndPositive(float norm)
    {
        var seq2seq = new EncoderDecoder(new LstmEncoder(1), new LstmDecoder(2), new Adam(0.01f), new Adam(0.01f)) { ClipGradientNorm = 0.5f };

        Assert.Throws<ArgumentOutOfRangeException>(() => seq2seq.ClipGradientNorm = norm);

        Assert.Equal(0.5f, seq2seq.ClipGradientNorm);
        seq2seq.ClipGradientNorm = null;
        Assert.Null(seq2seq.ClipGradientNorm);
    }
}
