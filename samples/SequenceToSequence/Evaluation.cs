using System;
using System.Collections.Generic;
using RnnGen;
using RnnGen.Training;

namespace SequenceToSequence;

/// <summary>Decodes a set's problems with the trained pair and scores the answers by exact match.</summary>
public static class Evaluation
{
    /// <summary>The decoder's mean loss over the set, teacher forced, in inference mode.</summary>
    public static double Loss(EncoderDecoder seq2seq, AdditionSet set, int batchSize)
    {
        double sum = 0;
        int batches = 0;
        Batches(set, batchSize, (rows, sources, lengths, decoderInputs, targets) =>
        {
            sum += seq2seq.Loss<int, int, int>(sources, decoderInputs, targets, lengths);
            batches++;
        });
        return sum / batches;
    }

    /// <summary>Greedy decoding of every problem, a batch at a time: the answers as text (null where no end token came).</summary>
    public static string?[] Greedy(EncoderDecoder seq2seq, IRnnModel<int> decoder, AdditionSet set, int batchSize)
    {
        var answers = new string?[set.Count];
        int first = 0;
        Batches(set, batchSize, (rows, sources, lengths, _, _) =>
        {
            seq2seq.Encode<int>(sources, lengths);   // the decoder starts from each row's encoded state
            var starts = new int[rows];
            Array.Fill(starts, Vocabulary.Start);
            int[][] decoded = Decoding.Greedy(decoder, starts, maxLength: AdditionSet.TargetLength, endToken: Vocabulary.End);
            for (int r = 0; r < rows; r++)
            {
                answers[first + r] = Answer(decoded[r]);
            }

            first += rows;
        });
        return answers;
    }

    /// <summary>Beam search for each problem, one at a time (beams share the decoder's rows).</summary>
    public static string?[] Beam(EncoderDecoder seq2seq, IRnnModel<int> decoder, AdditionSet set, int beamWidth)
    {
        var answers = new string?[set.Count];
        for (int n = 0; n < set.Count; n++)
        {
            seq2seq.Encode<int>(set.Sources.AsSpan(n * AdditionSet.SourceLength, AdditionSet.SourceLength), set.SourceLengths.AsSpan(n, 1));
            IReadOnlyList<BeamHypothesis> beams = Decoding.BeamSearch(decoder, Vocabulary.Start, maxLength: AdditionSet.TargetLength, beamWidth, Vocabulary.End);
            answers[n] = Answer(beams[0].Tokens);
        }

        return answers;
    }

    /// <summary>The fraction of answers equal to the correct ones.</summary>
    public static double ExactMatch(string?[] answers, AdditionSet set)
    {
        int correct = 0;
        for (int n = 0; n < set.Count; n++)
        {
            correct += answers[n] == set.Answers[n] ? 1 : 0;
        }

        return (double)correct / set.Count;
    }

    // An answer counts only when the decoder ended it: digits then the end token.
    private static string? Answer(int[] tokens) => tokens.Length > 0 && tokens[^1] == Vocabulary.End ? Vocabulary.Text(tokens) : null;

    private delegate void BatchAction(int rows, int[] sources, int[] lengths, int[] decoderInputs, int[] targets);

    private static void Batches(AdditionSet set, int batchSize, BatchAction action)
    {
        for (int first = 0; first < set.Count; first += batchSize)
        {
            int rows = Math.Min(batchSize, set.Count - first);
            var indices = new int[rows];
            for (int r = 0; r < rows; r++)
            {
                indices[r] = first + r;
            }

            var sources = new int[rows * AdditionSet.SourceLength];
            var lengths = new int[rows];
            var decoderInputs = new int[rows * AdditionSet.TargetLength];
            var targets = new int[rows * AdditionSet.TargetLength];
            set.Gather(indices, sources, lengths, decoderInputs, targets);
            action(rows, sources, lengths, decoderInputs, targets);
        }
    }
}
