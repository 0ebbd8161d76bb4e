using System;
using Xunit;

namespace RnnGen.Tests.Runtime;

public sealed class NonFiniteTests
{
    [Fact]
    public void IndexOfFindsTheFirstNonFiniteValueAtEveryPositionAndLength()
    {
        // Lengths past several blocks of four vectors (the fast path) and every tail length after them.
        float[] bad = [float.NaN, float.PositiveInfinity, float.NegativeInfinity];
        for (int length = 0; length <= 150; length++)
        {
            var values = new float[length];
            for (int i = 0; i < length; i++)
            {
                values[i] = (i % 3 == 0 ? -1 : 1) * (i % 5 == 0 ? float.MaxValue : float.Epsilon * i);
            }

            Assert.Equal(-1, NonFinite.IndexOf(values));
            for (int position = 0; position < length; position++)
            {
                float saved = values[position];
                values[position] = bad[position % 3];
                if (position + 3 < length)
                {
                    values[position + 3] = float.NaN;
                }

                Assert.Equal(position, NonFinite.IndexOf(values));
                values[position] = saved;
                if (position + 3 < length)
                {
                    values[position + 3] = (position + 3) % 3 == 0 ? -1 : 1;
                }
            }
        }
    }

    [Fact]
    public void ThrowIfAnyNamesTheSetTheTensorAndTheIndex()
    {
        var gradients = new ParameterSet([("rnn.weight_ih_l0", [8, 5]), ("rnn.weight_hh_l0", [20, 40])]);
        gradients["rnn.weight_hh_l0"][(3 * 40) + 17] = float.NaN;
        gradients["rnn.weight_hh_l0"][(5 * 40) + 1] = float.NegativeInfinity;

        var e = Assert.Throws<NonFiniteException>(() => NonFinite.ThrowIfAny(gradients, "Gradients"));

        Assert.Equal("Gradients: tensor 'rnn.weight_hh_l0' has NaN at [3, 17].", e.Message);
        Assert.Equal("Gradients", e.SetName);
        Assert.Equal("rnn.weight_hh_l0", e.TensorName);
        Assert.Equal([3, 17], e.Indices);
        Assert.True(float.IsNaN(e.Value));
        Assert.IsAssignableFrom<ArithmeticException>(e);
        Assert.True(NonFinite.TryFind(gradients, out string tensor, out int index));
        Assert.Equal(("rnn.weight_hh_l0", 137), (tensor, index));
    }

    [Fact]
    public void FiniteSetsPassAndThePaddingIsNotLookedAt()
    {
        var parameters = new ParameterSet([("a", [3]), ("b", [2, 2])]);
        parameters["b"][3] = float.MaxValue;
        parameters.Data[parameters.GetOffset("a") + 5] = float.NaN;   // padding, which no tensor owns

        NonFinite.ThrowIfAny(parameters, "Parameters");

        Assert.False(NonFinite.TryFind(parameters, out string tensor, out int index));
        Assert.Equal(("", -1), (tensor, index));
    }

    [Fact]
    public void SpansAndScalarsAreCheckedToo()
    {
        float[] output = new float[40];
        output[33] = float.PositiveInfinity;

        var span = Assert.Throws<NonFiniteException>(() => NonFinite.ThrowIfAny(output, "Output"));
        var loss = Assert.Throws<NonFiniteException>(() => NonFinite.ThrowIfNotFinite(float.NegativeInfinity, "Loss"));
        NonFinite.ThrowIfNotFinite(3.5f, "Loss");

        Assert.Equal("Output has +Infinity at [33].", span.Message);
        Assert.Null(span.TensorName);
        Assert.Equal("Loss is -Infinity.", loss.Message);
        Assert.Empty(loss.Indices);
    }
}
