using System;
using RnnGen.Kernels;
using Xunit;

namespace RnnGen.Tests.Kernels;

/// <summary>
/// <see cref="LossOps.SoftmaxCrossEntropy"/> against a plain double-precision softmax cross-entropy: time-major
/// logits [T,B,C], batch-first classes [B,T], the mean over valid positions, and a gradient that is exactly 0 at
/// padded positions and fully rewritten by every call.
/// </summary>
public sealed class SoftmaxCrossEntropyTests
{
    [Theory]
    [InlineData(1, 1f)]
    [InlineData(2, 1f)]
    [InlineData(7, 3f)]
    [InlineData(13, 3f)]
    [InlineData(37, 3f)]
    [InlineData(11, 200f)] // exp of the raw logits overflows: only a max-shifted softmax survives
    public void MatchesDoubleSoftmaxAndSkipsPaddedSteps(int classes, float scale)
    {
        const int Steps = 4, Batch = 3;
        var random = new Random(classes);
        int[] lengths = [4, 1, 3];
        float[] logits = Logits(random, Steps * Batch * classes, scale);
        int[] target = Labels(random, Batch * Steps, classes);
        var dLogits = new float[logits.Length];
        dLogits.AsSpan().Fill(float.NaN);

        float loss = LossOps.SoftmaxCrossEntropy(logits, target, Steps, Batch, classes, lengths, dLogits);

        AssertMatchesReference(logits, target, Steps, Batch, classes, lengths, loss, dLogits);
    }

    [Fact]
    public void EmptyLengthsMeanEveryStepIsValid()
    {
        const int Steps = 3, Batch = 2, Classes = 9;
        var random = new Random(5);
        float[] logits = Logits(random, Steps * Batch * Classes, 2f);
        int[] target = Labels(random, Batch * Steps, Classes);
        var dLogits = new float[logits.Length];
        float loss = LossOps.SoftmaxCrossEntropy(logits, target, Steps, Batch, Classes, default, dLogits);
        AssertMatchesReference(logits, target, Steps, Batch, Classes, [Steps, Steps], loss, dLogits);
    }

    [Fact]
    public void OneOutputPerSequenceTakesOneClassPerRow()
    {
        // Per-sequence outputs: T = 1, logits [B,C], classes [B].
        const int Batch = 5, Classes = 4;
        var random = new Random(6);
        float[] logits = Logits(random, Batch * Classes, 2f);
        int[] target = Labels(random, Batch, Classes);
        var dLogits = new float[logits.Length];
        float loss = LossOps.SoftmaxCrossEntropy(logits, target, 1, Batch, Classes, default, dLogits);
        AssertMatchesReference(logits, target, 1, Batch, Classes, [1, 1, 1, 1, 1], loss, dLogits);
    }

    [Fact]
    public void SecondCallWithOtherLengthsKeepsNothingFromTheFirst()
    {
        const int Steps = 5, Batch = 4, Classes = 6;
        var random = new Random(7);
        float[] first = Logits(random, Steps * Batch * Classes, 2f), second = Logits(random, Steps * Batch * Classes, 2f);
        int[] firstTarget = Labels(random, Batch * Steps, Classes), secondTarget = Labels(random, Batch * Steps, Classes);
        int[] firstLengths = [5, 5, 5, 5], secondLengths = [2, 5, 1, 3];

        var dLogits = new float[first.Length];
        LossOps.SoftmaxCrossEntropy(first, firstTarget, Steps, Batch, Classes, firstLengths, dLogits);
        Assert.DoesNotContain(0f, dLogits); // every position written, so the second call has something to erase
        float loss = LossOps.SoftmaxCrossEntropy(second, secondTarget, Steps, Batch, Classes, secondLengths, dLogits);

        var fresh = new float[first.Length];
        fresh.AsSpan().Fill(float.NaN);
        float freshLoss = LossOps.SoftmaxCrossEntropy(second, secondTarget, Steps, Batch, Classes, secondLengths, fresh);
        Assert.Equal(freshLoss, loss);
        Assert.Equal(fresh, dLogits);
        AssertMatchesReference(second, secondTarget, Steps, Batch, Classes, secondLengths, loss, dLogits);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(6)]
    [InlineData(int.MinValue)]
    public void ClassOutsideTheRangeIsRefusedWithItsPosition(int label)
    {
        const int Steps = 3, Batch = 2, Classes = 6;
        float[] logits = Logits(new Random(8), Steps * Batch * Classes, 1f);
        int[] target = [0, 1, 2, 3, 4, 5];
        target[1 * Steps + 2] = label; // row 1, step 2
        var exception = Assert.Throws<ArgumentOutOfRangeException>("target",
            () => LossOps.SoftmaxCrossEntropy(logits, target, Steps, Batch, Classes, [3, 3], new float[logits.Length]));
        Assert.Contains($"target[1, 2] = {label}", exception.Message, StringComparison.Ordinal);
        Assert.Contains("[0, 6)", exception.Message, StringComparison.Ordinal);

        // A per-sequence target names the row alone.
        int[] rows = [label, 0];
        exception = Assert.Throws<ArgumentOutOfRangeException>("target",
            () => LossOps.SoftmaxCrossEntropy(logits.AsSpan(0, Batch * Classes), rows, 1, Batch, Classes, default, new float[Batch * Classes]));
        Assert.Contains($"target[0] = {label}", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ClassesAtPaddedStepsAreNeverRead()
    {
        // Padding often carries a marker such as -100 (PyTorch's ignore_index); it contributes nothing.
        const int Steps = 3, Batch = 2, Classes = 5;
        var random = new Random(9);
        float[] logits = Logits(random, Steps * Batch * Classes, 2f);
        int[] target = [1, 4, -100, 3, -100, -100];
        int[] lengths = [2, 1];
        var dLogits = new float[logits.Length];
        float loss = LossOps.SoftmaxCrossEntropy(logits, target, Steps, Batch, Classes, lengths, dLogits);
        AssertMatchesReference(logits, target, Steps, Batch, Classes, lengths, loss, dLogits);
    }

    /// <summary>
    /// Loss within 1e-6 relative of the double formula; at valid positions dL/dlogit = (softmax − onehot) / valid
    /// within 1e-6 of the largest gradient; exactly 0 at padded positions.
    /// </summary>
    private static void AssertMatchesReference(float[] logits, int[] target, int steps, int batch, int classes, int[] lengths, float loss, float[] dLogits)
    {
        int valid = 0;
        foreach (int length in lengths)
        {
            valid += length;
        }

        double sum = 0;
        for (int t = 0; t < steps; t++)
        {
            for (int b = 0; b < batch; b++)
            {
                int row = (t * batch + b) * classes;
                if (t >= lengths[b])
                {
                    for (int j = 0; j < classes; j++)
                    {
                        Assert.True(dLogits[row + j] == 0f, $"dLogits[t={t}, b={b}, {j}] = {dLogits[row + j]:R} at a padded step, expected 0");
                    }

                    continue;
                }

                int label = target[b * steps + t];
                double max = double.NegativeInfinity;
                for (int j = 0; j < classes; j++)
                {
                    max = Math.Max(max, logits[row + j]);
                }

                double z = 0;
                for (int j = 0; j < classes; j++)
                {
                    z += Math.Exp(logits[row + j] - max);
                }

                sum += Math.Log(z) + max - logits[row + label];
                for (int j = 0; j < classes; j++)
                {
                    double expected = (Math.Exp(logits[row + j] - max) / z - (j == label ? 1 : 0)) / valid;
                    double error = Math.Abs(expected - dLogits[row + j]);
                    Assert.True(error <= 1e-6 / valid, $"dLogits[t={t}, b={b}, {j}] = {dLogits[row + j]:R}, expected {expected:R} (error {error:E2})");
                }
            }
        }

        double mean = sum / valid;
        Assert.True(Math.Abs(mean - loss) <= 1e-6 * Math.Max(1, Math.Abs(mean)), $"loss {loss:R}, expected {mean:R}");
    }

    private static float[] Logits(Random random, int count, float scale)
    {
        var values = new float[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = (float)(random.NextDouble() * 2 - 1) * scale;
        }

        return values;
    }

    private static int[] Labels(Random random, int count, int classes)
    {
        var values = new int[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = random.Next(classes);
        }

        return values;
    }
}
