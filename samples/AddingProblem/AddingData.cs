using System;
using RnnGen;
using RnnGen.Training;

namespace AddingProblem;

/// <summary>
/// The adding problem (Hochreiter &amp; Schmidhuber 1997, in the form of Le, Jaitly &amp; Hinton 2015): each step is
/// (value, marker) with the value uniform in [0, 1]; exactly two steps are marked, one in each half of the sequence,
/// and the target is the sum of the two marked values. Predicting the mean, 1, scores Var(u1 + u2) = 1/6 ≈ 0.167.
/// </summary>
public static class AddingData
{
    /// <summary>The trivial predictor's expected MSE: the variance of the sum of two uniform values.</summary>
    public const double BaselineMse = 1.0 / 6.0;

    /// <summary><paramref name="count"/> fresh sequences of <paramref name="length"/> steps drawn from <paramref name="seed"/>.</summary>
    public static SequenceDataset<float, float> Generate(int count, int length, ulong seed)
    {
        var random = new DeterministicRandom(seed);
        var inputs = new float[count * length * 2];
        var targets = new float[count];
        int half = length / 2;
        for (int n = 0; n < count; n++)
        {
            Span<float> row = inputs.AsSpan(n * length * 2, length * 2);
            for (int t = 0; t < length; t++)
            {
                row[2 * t] = random.NextSingle();
            }

            int first = (int)(random.NextUInt32() % (uint)half);
            int second = half + (int)(random.NextUInt32() % (uint)(length - half));
            row[(2 * first) + 1] = 1f;
            row[(2 * second) + 1] = 1f;
            targets[n] = row[2 * first] + row[2 * second];
        }

        return new SequenceDataset<float, float>(inputs, targets, count);
    }

    /// <summary>The MSE of always predicting 1 on <paramref name="data"/> (close to <see cref="BaselineMse"/>).</summary>
    public static double ConstantPredictorMse(SequenceDataset<float, float> data)
    {
        double sum = 0;
        for (int n = 0; n < data.Count; n++)
        {
            double error = data.GetTarget(n)[0] - 1.0;
            sum += error * error;
        }

        return sum / data.Count;
    }
}
