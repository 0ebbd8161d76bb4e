using System;
using RnnGen;
using RnnGen.Training;

namespace PyTorchInterop;

/// <summary>Ragged sequences of two noisy features (lengths 4 to T), for the models trained on the RnnGen side.</summary>
public static class SyntheticData
{
    /// <summary>
    /// Which of three patterns a sequence carries under unit noise: class 0 shifts feature 0 up, class 1 shifts
    /// feature 1 up, class 2 makes feature 0 alternate in sign from step to step (zero mean: only order tells).
    /// </summary>
    public static SequenceDataset<float, int> Patterns(int count, int steps, ulong seed, out float[] inputs, out int[] lengths)
    {
        var random = new DeterministicRandom(seed);
        inputs = new float[count * steps * 2];
        lengths = new int[count];
        var classes = new int[count];
        for (int i = 0; i < count; i++)
        {
            int length = 4 + (int)(random.NextUInt32() % (uint)(steps - 3));
            int c = (int)(random.NextUInt32() % 3);
            for (int t = 0; t < length; t++)
            {
                Span<float> x = inputs.AsSpan(((i * steps) + t) * 2, 2);
                x[0] = random.NextNormal() + c switch { 0 => 0.7f, 2 => t % 2 == 0 ? 1f : -1f, _ => 0f };
                x[1] = random.NextNormal() + (c == 1 ? 0.7f : 0f);
            }

            lengths[i] = length;
            classes[i] = c;
        }

        return new SequenceDataset<float, int>(inputs, classes, count, lengths);
    }

    /// <summary>Targets at every step: the mean of feature 0 over the steps so far (feature 1 is a distraction).</summary>
    public static SequenceDataset<float, float> RunningMean(int count, int steps, ulong seed, out float[] inputs, out int[] lengths)
    {
        var random = new DeterministicRandom(seed);
        inputs = new float[count * steps * 2];
        lengths = new int[count];
        var targets = new float[count * steps];
        for (int i = 0; i < count; i++)
        {
            int length = 4 + (int)(random.NextUInt32() % (uint)(steps - 3));
            float sum = 0;
            for (int t = 0; t < length; t++)
            {
                Span<float> x = inputs.AsSpan(((i * steps) + t) * 2, 2);
                random.FillNormal(x);
                sum += x[0];
                targets[(i * steps) + t] = sum / (t + 1);
            }

            lengths[i] = length;
        }

        return new SequenceDataset<float, float>(inputs, targets, count, lengths);
    }
}
