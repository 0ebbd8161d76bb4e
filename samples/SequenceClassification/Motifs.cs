using System;
using RnnGen;
using RnnGen.Training;

namespace SequenceClassification;

/// <summary>
/// The generated task: a noisy signal of 16 to 48 steps that contains one of five 8-step shapes at a random place,
/// or none. The class is the shape, so the model must look along the whole sequence for it; the lengths vary, so
/// the batches are ragged (right-padded, with lengths).
/// </summary>
public static class Motifs
{
    public const int MaxLength = 48;
    public const int MinLength = 16;
    public const int MotifLength = 8;
    public const int ClassCount = 6;
    public const float Noise = 0.4f;

    public static readonly string[] Names = ["rise", "fall", "peak", "dip", "wave", "none"];

    /// <summary>The shape of class <paramref name="c"/> at step <paramref name="k"/> of its 8 steps (0 for "none").</summary>
    public static float Shape(int c, int k)
    {
        float u = k / (float)(MotifLength - 1);   // 0 .. 1 along the motif
        return c switch
        {
            0 => -1f + (2f * u),                                  // rise: -1 to +1
            1 => 1f - (2f * u),                                   // fall: +1 to -1
            2 => 1.5f * (1f - Math.Abs((2f * u) - 1f)),           // peak: up to 1.5 and back
            3 => -1.5f * (1f - Math.Abs((2f * u) - 1f)),          // dip: down to -1.5 and back
            4 => 1.2f * MathF.Sin(k * MathF.PI / 2f),             // wave: 0, 1.2, 0, -1.2, ...
            _ => 0f,                                              // none: noise only
        };
    }

    /// <summary><paramref name="count"/> labelled sequences, classes balanced in expectation, reproducible from <paramref name="seed"/>.</summary>
    public static SequenceDataset<float, int> Generate(int count, ulong seed)
    {
        var random = new DeterministicRandom(seed);
        var inputs = new float[count * MaxLength];
        var lengths = new int[count];
        var labels = new int[count];
        for (int i = 0; i < count; i++)
        {
            int length = MinLength + (int)(random.NextUInt32() % (MaxLength - MinLength + 1));
            int c = (int)(random.NextUInt32() % ClassCount);
            int at = (int)(random.NextUInt32() % (uint)(length - MotifLength + 1));
            Span<float> x = inputs.AsSpan(i * MaxLength, length);
            for (int t = 0; t < length; t++)
            {
                x[t] = Noise * random.NextNormal();
            }

            for (int k = 0; k < MotifLength; k++)
            {
                x[at + k] += Shape(c, k);
            }

            lengths[i] = length;
            labels[i] = c;
        }

        return new SequenceDataset<float, int>(inputs, labels, count, lengths);
    }
}
