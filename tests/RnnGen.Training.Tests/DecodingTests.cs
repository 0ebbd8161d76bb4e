using System;
using System.Collections.Generic;
using System.Linq;
using Xunit;

namespace RnnGen.Training.Tests;

public sealed class DecodingTests
{
    private const int Start = 0, A = 1, B = 2, C = 3, X = 4, End = 5;

    /// <summary>
    /// A <see cref="MarkovDecoder"/> whose next-token log-probabilities are <c>log table[current, next]</c>:
    /// the embedding is 20·I, the recurrence is off, tanh(20) ≈ 1 gives a one-hot state, the output weights hold the table.
    /// </summary>
    private static MarkovDecoder Markov(double[,] table)
    {
        var model = new MarkovDecoder();
        var identity = new float[36];
        var embedding = new float[36];
        var output = new float[36];
        for (int i = 0; i < 6; i++)
        {
            identity[i * 6 + i] = 1;
            embedding[i * 6 + i] = 20;
            double total = 0;
            for (int o = 0; o < 6; o++)
            {
                total += table[i, o];
            }

            for (int o = 0; o < 6; o++)
            {
                output[o * 6 + i] = (float)Math.Log(Math.Max(table[i, o] / total, 1e-30));
            }
        }

        model.Parameters.CopyFrom("embed.weight", embedding);
        model.Parameters.CopyFrom("rnn.weight_ih_l0", identity);
        model.Parameters.CopyFrom("rnn.weight_hh_l0", new float[36]);
        model.Parameters.CopyFrom("rnn.bias_ih_l0", new float[6]);
        model.Parameters.CopyFrom("rnn.bias_hh_l0", new float[6]);
        model.Parameters.CopyFrom("out.weight", output);
        model.Parameters.CopyFrom("out.bias", new float[6]);
        return model;
    }

    /// <summary>Token i is followed by i + 1 for certain; End by End.</summary>
    private static MarkovDecoder Counter()
    {
        var table = new double[6, 6];
        for (int i = 0; i < 6; i++)
        {
            table[i, Math.Min(i + 1, End)] = 1;
        }

        return Markov(table);
    }

    /// <summary>Greedy takes A (0.6) and then the best of a flat spread; B (0.4) leads to a near-certain C, End: beam search finds it.</summary>
    private static MarkovDecoder Trap()
    {
        var table = new double[6, 6];
        table[Start, A] = 0.6;
        table[Start, B] = 0.4;
        table[A, X] = 0.34;
        table[A, C] = 0.33;
        table[A, B] = 0.33;
        table[B, C] = 0.99;
        table[B, End] = 0.01;
        table[C, End] = 0.99;
        table[C, A] = 0.01;
        table[X, End] = 1;
        table[End, End] = 1;
        return Markov(table);
    }

    [Fact]
    public void GreedyFollowsCertainLogitsAndStopsAtTheEndToken()
    {
        MarkovDecoder decoder = Counter();
        int[][] tokens = Decoding.Greedy(decoder, [Start, C, End], maxLength: 10, endToken: End);
        Assert.Equal([A, B, C, X, End], tokens[0]);
        Assert.Equal([X, End], tokens[1]);
        Assert.Equal([End], tokens[2]);
        Assert.Equal([A, B, C], Decoding.Greedy(decoder, [Start], maxLength: 3, endToken: End)[0]);
        Assert.Equal([End, End], Decoding.Greedy(decoder, [X], maxLength: 2)[0]);   // no end token: runs to the limit
    }

    [Fact]
    public void DecodingStartsAFreshStreamAndLeavesStateAndModeAsTheyWere()
    {
        // A decoder with recurrence, so that its state matters.
        var decoder = new MarkovDecoder(seed: 3) { Training = true };
        TestData.Uniform(4 * 6, 5, -2f, 2f).CopyTo(decoder.InitialState["rnn.h0"]);
        float[] initial = decoder.InitialState.ReadOnlyData.ToArray();
        int[][] first = Decoding.Greedy(decoder, [0, 1, 2, 3], maxLength: 6);

        decoder.Step([1, 2, 3, 4], new float[4 * 6]);   // a stream in progress must not leak into the next decode
        int[][] second = Decoding.Greedy(decoder, [0, 1, 2, 3], maxLength: 6);
        Assert.Equal(first, second);
        Assert.Equal(initial, decoder.InitialState.ReadOnlyData.ToArray());
        Assert.True(decoder.Training);

        decoder.InitialState.CopyFrom("rnn.h0", new float[4 * 6]);
        Assert.NotEqual(first, Decoding.Greedy(decoder, [0, 1, 2, 3], maxLength: 6));
    }

    [Fact]
    public void BeamSearchFindsTheLikelierSequenceGreedyMisses()
    {
        MarkovDecoder decoder = Trap();
        Assert.Equal([A, X, End], Decoding.Greedy(decoder, [Start], maxLength: 5, endToken: End)[0]);

        IReadOnlyList<BeamHypothesis> beams = Decoding.BeamSearch(decoder, Start, maxLength: 5, beamWidth: 2, endToken: End);
        Assert.Equal([B, C, End], beams[0].Tokens);
        Assert.True(beams[0].Finished);
        Assert.Equal(Math.Log(0.4 * 0.99 * 0.99), beams[0].LogProbability, 4);
        Assert.Equal([A, X, End], beams[1].Tokens);
        Assert.Equal(Math.Log(0.6 * 0.34), beams[1].LogProbability, 4);
        Assert.True(beams[0].Score > beams[1].Score);
    }

    [Fact]
    public void BeamSearchScoresAreTheSequencesLogProbabilities()
    {
        var decoder = new MarkovDecoder(seed: 7);   // random weights, recurrence on
        IReadOnlyList<BeamHypothesis> beams = Decoding.BeamSearch(decoder, Start, maxLength: 4, beamWidth: 4, endToken: End, lengthPenalty: 0.7f);
        Assert.Equal(4, beams.Count);
        for (int i = 0; i < beams.Count; i++)
        {
            BeamHypothesis h = beams[i];
            Assert.Equal(h.LogProbability / Math.Pow(h.Tokens.Length, 0.7f), h.Score, 12);
            Assert.Equal(h.Finished, h.Tokens[^1] == End);
            Assert.Equal(Replay(decoder, h.Tokens), h.LogProbability, 5);
            if (i > 0)
            {
                Assert.True(beams[i - 1].Score >= h.Score);
            }
        }

        // Width 1 with no length normalisation is greedy search.
        Assert.Equal(
            Decoding.Greedy(decoder, [Start], maxLength: 4, endToken: End)[0],
            Decoding.BeamSearch(decoder, Start, maxLength: 4, beamWidth: 1, endToken: End, lengthPenalty: 0)[0].Tokens);
    }

    [Fact]
    public void SamplingFollowsTheSoftmaxWithTemperatureAndTopK()
    {
        MarkovDecoder decoder = Trap();
        double Frequency(float temperature, int topK)
        {
            var random = new DeterministicRandom(1);
            int a = 0, total = 0;
            for (int call = 0; call < 1000; call++)
            {
                foreach (int[] row in Decoding.Sample(decoder, [Start, Start, Start, Start], maxLength: 1, random, temperature, topK))
                {
                    Assert.Contains(row[0], new[] { A, B });
                    a += row[0] == A ? 1 : 0;
                    total++;
                }
            }

            return (double)a / total;
        }

        Assert.InRange(Frequency(1f, 0), 0.6 - 0.025, 0.6 + 0.025);   // 4000 draws: ~5 standard deviations
        double hot = Math.Sqrt(0.6) / (Math.Sqrt(0.6) + Math.Sqrt(0.4));
        Assert.InRange(Frequency(2f, 0), hot - 0.025, hot + 0.025);
        Assert.Equal(1.0, Frequency(1f, 1));

        int[][] first = Decoding.Sample(decoder, [Start, Start], 4, new DeterministicRandom(9), endToken: End);
        int[][] again = Decoding.Sample(decoder, [Start, Start], 4, new DeterministicRandom(9), endToken: End);
        Assert.Equal(first, again);
    }

    [Fact]
    public void LogitHelpersAreTheFormulas()
    {
        float[] logits = [1f, 3f, -2f, 3f];
        Assert.Equal(1, Logits.ArgMax(logits));
        var p = new float[4];
        Logits.Softmax(logits, p);
        double total = logits.Sum(x => Math.Exp(x));
        for (int i = 0; i < 4; i++)
        {
            Assert.Equal(Math.Exp(logits[i]) / total, p[i], 6);
        }

        Logits.Softmax(logits, p, temperature: 0.5f);
        Assert.Equal(Math.Exp(2) / (Math.Exp(2) + 2 * Math.Exp(6) + Math.Exp(-4)), p[0], 6);
        var logp = new float[4];
        Logits.LogSoftmax(logits, logp);
        Assert.Equal(Math.Log(Math.Exp(3) / total), logp[3], 5);

        // Top-2 of [1, 3, -2, 3] is the two 3s; a tie at the edge keeps the lower index.
        var random = new DeterministicRandom(2);
        var seen = new HashSet<int>();
        for (int i = 0; i < 200; i++)
        {
            seen.Add(Logits.Sample(logits, random, topK: 2));
        }

        Assert.Equal([1, 3], seen.Order());
        Assert.Equal(1, Logits.Sample([0f, 5f, 5f], new DeterministicRandom(4), topK: 1));
        Assert.Throws<ArgumentException>(() => Logits.ArgMax([1f, float.NaN]));
        Assert.Throws<ArgumentOutOfRangeException>(() => Logits.Sample(logits, random, temperature: 0));
        Assert.Throws<ArgumentException>(() => Logits.Softmax(logits, new float[3]));
    }

    [Fact]
    public void PrimingContinuesAfterThePrompt()
    {
        var decoder = new MarkovDecoder(seed: 11);   // recurrence on: the prompt matters
        int[] prompt = [1, 3, 2, 4];

        // By hand: step the whole prompt, then feed back the arg-max.
        decoder.ResetState();
        var logits = new float[6];
        foreach (int token in prompt)
        {
            decoder.Step([token], logits);
        }

        var expected = new List<int>();
        for (int i = 0; i < 5; i++)
        {
            int next = Logits.ArgMax(logits);
            expected.Add(next);
            decoder.Step([next], logits);
        }

        decoder.ResetState();
        Decoding.Prime(decoder, prompt[..^1]);
        Assert.Equal(expected, Decoding.Greedy(decoder, [prompt[^1]], maxLength: 5)[0]);

        // Two rows at once, [rows, steps].
        decoder.ResetState();
        Decoding.Prime(decoder, [1, 3, 2, 1, 3, 2], rows: 2);
        int[][] both = Decoding.Greedy(decoder, [4, 4], maxLength: 5);
        Assert.Equal(expected, both[0]);
        Assert.Equal(expected, both[1]);
        Assert.Throws<ArgumentException>(() => Decoding.Prime(decoder, [1, 2, 3], rows: 2));
    }

    [Fact]
    public void DecodingRefusesWhatCannotWork()
    {
        MarkovDecoder decoder = Counter();
        Assert.Throws<ArgumentException>(() => Decoding.Greedy(decoder, new int[5], maxLength: 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => Decoding.BeamSearch(decoder, Start, maxLength: 2, beamWidth: 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => Decoding.Greedy(decoder, [0], maxLength: 0));
    }

    /// <summary>Σ log p of the tokens after the start token, stepping the decoder from a fresh stream.</summary>
    private static double Replay(MarkovDecoder decoder, int[] tokens)
    {
        decoder.InitialState.CopyFrom("rnn.h0", new float[4 * 6]);
        decoder.ResetState();
        double sum = 0;
        int input = Start;
        var logits = new float[6];
        var logp = new float[6];
        foreach (int token in tokens)
        {
            decoder.Step([input], logits);
            Logits.LogSoftmax(logits, logp);
            sum += logp[token];
            input = token;
        }

        return sum;
    }
}
