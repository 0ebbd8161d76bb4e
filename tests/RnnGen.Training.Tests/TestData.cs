using System;
using System.IO;

namespace RnnGen.Training.Tests;

/// <summary>Deterministic data for the tests.</summary>
internal static class TestData
{
    public static float[] Uniform(int count, ulong seed, float low = -1f, float high = 1f)
    {
        var values = new float[count];
        new DeterministicRandom(seed).FillUniform(values, low, high);
        return values;
    }

    /// <summary>Sequences [n, 5, 2] and the sum of each sequence's values, for <see cref="SumRegressor"/>.</summary>
    public static SequenceDataset<float, float> Sums(int n, ulong seed)
    {
        float[] x = Uniform(n * 5 * 2, seed);
        var y = new float[n];
        for (int i = 0; i < n; i++)
        {
            float sum = 0;
            foreach (float v in x.AsSpan(i * 10, 10))
            {
                sum += v;
            }

            y[i] = sum / 4;
        }

        return new SequenceDataset<float, float>(x, y, n);
    }

    /// <summary>Ragged sequences [n, ≤6, 3] labelled with the feature of the largest sum, for <see cref="MaxFeatureClassifier"/>.</summary>
    public static SequenceDataset<float, int> MaxFeature(int n, ulong seed)
    {
        var random = new DeterministicRandom(seed);
        var x = new float[n * 6 * 3];
        var labels = new int[n];
        var lengths = new int[n];
        for (int i = 0; i < n; i++)
        {
            lengths[i] = 3 + (int)(random.NextUInt32() % 4);
            var sums = new float[3];
            for (int t = 0; t < lengths[i]; t++)
            {
                for (int f = 0; f < 3; f++)
                {
                    float v = random.NextUniform(-1f, 1f);
                    x[(((i * 6) + t) * 3) + f] = v;
                    sums[f] += v;
                }
            }

            labels[i] = sums[0] >= sums[1] && sums[0] >= sums[2] ? 0 : sums[1] >= sums[2] ? 1 : 2;
        }

        return new SequenceDataset<float, int>(x, labels, n, lengths);
    }

    /// <summary>A repeating token pattern 1 2 3 4 1 2 3 4 … in windows of 8 with next-token targets.</summary>
    public static SequenceDataset<int, int> Pattern(int tokens)
    {
        var series = new int[tokens];
        for (int i = 0; i < tokens; i++)
        {
            series[i] = 1 + (i % 4);
        }

        return SequenceDataset.Windows<int>(series, features: 1, window: 8, horizon: 1, stride: 3, sequenceTargets: true);
    }

    public static int[] Bits(ReadOnlySpan<float> values)
    {
        var bits = new int[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            bits[i] = BitConverter.SingleToInt32Bits(values[i]);
        }

        return bits;
    }
}

/// <summary>A fresh folder per test, deleted on dispose.</summary>
internal sealed class TemporaryDirectory : IDisposable
{
    public TemporaryDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "rnngen-training-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
