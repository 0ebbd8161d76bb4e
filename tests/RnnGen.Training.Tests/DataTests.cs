using System;
using System.Collections.Generic;
using System.Linq;
using Xunit;

namespace RnnGen.Training.Tests;

public sealed class DataTests
{
    private static SequenceDataset<float, int> Numbered(int count)
    {
        // Sequence i has input [i, i, i] and target i, so batches can be read back.
        var x = new float[count * 3];
        var y = new int[count];
        for (int i = 0; i < count; i++)
        {
            x.AsSpan(i * 3, 3).Fill(i);
            y[i] = i;
        }

        return new SequenceDataset<float, int>(x, y, count);
    }

    [Fact]
    public void BatchesCoverTheDataInOrderWithAPartialLastBatch()
    {
        SequenceDataset<float, int> data = Numbered(10);
        var rows = new List<int>();
        var seen = new List<int>();
        foreach (SequenceBatch<float, int> batch in data.Batches(4))
        {
            rows.Add(batch.Rows);
            Assert.Equal(batch.Rows * 3, batch.Inputs.Length);
            Assert.True(batch.Lengths.IsEmpty);
            for (int r = 0; r < batch.Rows; r++)
            {
                Assert.Equal(batch.Targets[r], (int)batch.Inputs[r * 3 + 2]);
                seen.Add(batch.Targets[r]);
            }
        }

        Assert.Equal([4, 4, 2], rows);
        Assert.Equal(Enumerable.Range(0, 10), seen);
        Assert.Equal(3, data.BatchCount(4));
    }

    [Fact]
    public void ShufflingIsASeededPermutationAndNewEachEpoch()
    {
        SequenceDataset<float, int> data = Numbered(50);
        static List<int> Order(SequenceDataset<float, int> d, DeterministicRandom r) =>
            d.Batches(8, r).SelectMany(b => b.Targets.ToArray()).ToList();

        var random = new DeterministicRandom(3);
        List<int> first = Order(data, random);
        List<int> second = Order(data, random);
        Assert.Equal(Enumerable.Range(0, 50), first.Order());
        Assert.NotEqual(Enumerable.Range(0, 50), first);
        Assert.NotEqual(first, second);
        Assert.Equal(first, Order(data, new DeterministicRandom(3)));
    }

    [Fact]
    public void ShufflingIsUnbiased()
    {
        // Where element 0 lands over many shuffles of 5: each position about 1/5 of the time.
        var counts = new int[5];
        var random = new DeterministicRandom(11);
        const int Trials = 20000;
        for (int trial = 0; trial < Trials; trial++)
        {
            int[] order = Shuffling.Order(5, random);
            counts[Array.IndexOf(order, 0)]++;
        }

        foreach (int c in counts)
        {
            Assert.InRange(c, Trials / 5 - 400, Trials / 5 + 400);   // ~7 standard deviations
        }
    }

    [Fact]
    public void SplitHoldsOutTheLastPartOrASeededChoice()
    {
        SequenceDataset<float, int> data = Numbered(10);
        (var train, var validation) = data.Split(0.25);
        Assert.Equal(7, train.Count);
        Assert.Equal([7, 8, 9], Enumerable.Range(0, validation.Count).Select(i => validation.GetTarget(i)[0]));

        (var shuffledTrain, var shuffledValidation) = data.Split(0.3, shuffleSeed: 5);
        var all = Enumerable.Range(0, 7).Select(i => shuffledTrain.GetTarget(i)[0])
            .Concat(Enumerable.Range(0, 3).Select(i => shuffledValidation.GetTarget(i)[0])).ToList();
        Assert.Equal(Enumerable.Range(0, 10), all.Order());
        Assert.NotEqual(Enumerable.Range(0, 10), all);

        Assert.Throws<ArgumentException>(() => Numbered(1).Split(0.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => data.Split(1.0));
    }

    [Fact]
    public void WindowsGiveForecastAndNextTokenTargets()
    {
        // Two features per step: step s is (s, 100 + s).
        var series = new float[10 * 2];
        for (int s = 0; s < 10; s++)
        {
            series[s * 2] = s;
            series[s * 2 + 1] = 100 + s;
        }

        SequenceDataset<float, float> forecast = SequenceDataset.Windows<float>(series, features: 2, window: 3, horizon: 2, stride: 2);
        // Starts 0, 2, 4: the last needs steps 4..6 and the target at step 8.
        Assert.Equal(3, forecast.Count);
        Assert.Equal([4f, 104, 5, 105, 6, 106], forecast.GetInput(2).ToArray());
        Assert.Equal([8f, 108], forecast.GetTarget(2).ToArray());

        int[] tokens = [5, 6, 7, 8, 9, 10, 11];
        SequenceDataset<int, int> language = SequenceDataset.Windows<int>(tokens, features: 1, window: 3, stride: 3, sequenceTargets: true);
        Assert.Equal(2, language.Count);
        Assert.Equal([8, 9, 10], language.GetInput(1).ToArray());
        Assert.Equal([9, 10, 11], language.GetTarget(1).ToArray());

        Assert.Throws<ArgumentException>(() => SequenceDataset.Windows<int>(tokens, features: 1, window: 7));
        Assert.Throws<ArgumentException>(() => SequenceDataset.Windows<float>(new float[5], features: 2, window: 1));
    }

    [Fact]
    public void PadLaysOutRaggedSequencesWithLengths()
    {
        var sequences = new List<float[]> { new float[] { 1, 2, 3, 4 }, new float[] { 5, 6 } };
        float[] padded = SequenceDataset.Pad(sequences, stepSize: 2, sequenceLength: 3, padValue: -1f, out int[] lengths);
        Assert.Equal([1f, 2, 3, 4, -1, -1, 5, 6, -1, -1, -1, -1], padded);
        Assert.Equal([2, 1], lengths);

        var data = new SequenceDataset<float, int>(padded, [0, 1], 2, lengths);
        Assert.True(data.HasLengths);
        Assert.Equal(1, data.GetLength(1));
        SequenceBatch<float, int> batch = data.Batches(2).Single();
        Assert.Equal([2, 1], batch.Lengths.ToArray());

        Assert.Throws<ArgumentException>(() => SequenceDataset.Pad(sequences, 2, 1, 0f, out _));
        Assert.Throws<ArgumentException>(() => SequenceDataset.Pad(new List<float[]> { new float[3] }, 2, 3, 0f, out _));
    }

    [Fact]
    public void TheConstructorChecksAndCopies()
    {
        float[] x = [1, 2, 3, 4];
        var data = new SequenceDataset<float, float>(x, [7f, 8f], 2);
        x[0] = 99;
        Assert.Equal(1f, data.GetInput(0)[0]);
        Assert.Equal(0, data.GetLength(0));
        Assert.Throws<ArgumentException>(() => new SequenceDataset<float, float>(new float[5], new float[2], 2));
        Assert.Throws<ArgumentException>(() => new SequenceDataset<float, float>(new float[4], new float[3], 2));
        Assert.Throws<ArgumentException>(() => new SequenceDataset<float, float>(new float[4], new float[2], 2, [1]));
        Assert.Throws<ArgumentException>(() => new SequenceDataset<float, float>(new float[4], new float[2], 2, [1, 0]));
        Assert.Throws<ArgumentOutOfRangeException>(() => data.Subset([2]));
        Assert.Equal(8f, data.Subset([1, 1]).GetTarget(1)[0]);
    }
}
