using System;
using System.Collections.Generic;

namespace RnnGen.Training;

/// <summary>
/// Generates token sequences with a decoder's <c>Step</c>: greedy, sampled (temperature, top-k) and beam search.
/// The decoder takes token ids (an <c>[Embedding]</c> first) and outputs logits over the next token. Each call
/// starts a fresh stream from the decoder's <c>InitialState</c> (set it first, e.g. with
/// <see cref="EncoderDecoder.Encode{TSource}"/>, or leave it zero), runs in inference mode, and leaves
/// <c>InitialState</c> and the <c>Training</c> flag as they were.
/// </summary>
public static class Decoding
{
    /// <summary>
    /// For each row, feeds its start token, then each chosen token back, choosing the most likely next token,
    /// until <paramref name="endToken"/> (included in the result) or <paramref name="maxLength"/> tokens.
    /// </summary>
    /// <param name="startTokens">One start token per row, up to the decoder's <c>BatchSize</c> rows; row r starts from InitialState's row r.</param>
    /// <param name="endToken">The token that ends a sequence, or −1 for none.</param>
    /// <returns>Each row's generated tokens, without its start token.</returns>
    public static int[][] Greedy(IRnnModel<int> decoder, ReadOnlySpan<int> startTokens, int maxLength, int endToken = -1) =>
        Generate(decoder, startTokens, maxLength, endToken, static (logits, _) => Logits.ArgMax(logits), null);

    /// <summary>
    /// Like <see cref="Greedy"/>, but draws each token from <c>softmax(logits / temperature)</c>, among the
    /// <paramref name="topK"/> most likely when <paramref name="topK"/> &gt; 0, with <paramref name="random"/>
    /// (the same seed gives the same text).
    /// </summary>
    public static int[][] Sample(IRnnModel<int> decoder, ReadOnlySpan<int> startTokens, int maxLength, DeterministicRandom random,
        float temperature = 1f, int topK = 0, int endToken = -1)
    {
        ArgumentNullException.ThrowIfNull(random);
        if (!(temperature > 0 && float.IsFinite(temperature)))
        {
            throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "Must be finite and > 0 (Greedy is the limit at 0).");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(topK);
        return Generate(decoder, startTokens, maxLength, endToken, (logits, r) => Logits.Sample(logits, r!, temperature, topK), random);
    }

    /// <summary>
    /// Feeds a prompt through the decoder (a fresh stream from <c>InitialState</c>) and makes the state it reaches the
    /// new <c>InitialState</c>, so that a decode started next continues after the prompt. To continue text, prime with
    /// all but the prompt's last token and start the decode with that token:
    /// <c>Prime(model, prompt[..^1]); Sample(model, [prompt[^1]], …)</c>.
    /// </summary>
    /// <param name="tokens">[rows, steps] token ids, batch-first (one row: the prompt itself); empty does nothing.</param>
    /// <param name="rows">Rows of <paramref name="tokens"/>, 1 to the decoder's BatchSize.</param>
    public static void Prime(IRnnModel<int> decoder, ReadOnlySpan<int> tokens, int rows = 1)
    {
        DecoderStream.Require(decoder, nameof(decoder));
        if (rows < 1 || rows > decoder.BatchSize)
        {
            throw new ArgumentOutOfRangeException(nameof(rows), rows, $"Must be 1 to the decoder's BatchSize, {decoder.BatchSize}.");
        }

        if (tokens.Length % rows != 0)
        {
            throw new ArgumentException($"tokens has {tokens.Length} ids, which is not {rows} rows of equal length.", nameof(tokens));
        }

        if (tokens.IsEmpty)
        {
            return;
        }

        DecoderStream.RequireStateNotLearned(decoder, "a primed state could not be carried into the next decode");
        int steps = tokens.Length / rows;
        ParameterSet initial = DecoderStream.Clone(decoder.InitialState);
        bool training = decoder.Training;
        var input = new int[rows];
        var logits = new float[rows * decoder.OutputSize];
        var identity = new int[rows];
        for (int r = 0; r < rows; r++)
        {
            identity[r] = r;
        }

        try
        {
            decoder.Training = false;
            DecoderStream.Restart(decoder, initial);
            for (int t = 0; t < steps; t++)
            {
                for (int r = 0; r < rows; r++)
                {
                    input[r] = tokens[(r * steps) + t];
                }

                decoder.Step(input, logits);
            }
        }
        catch
        {
            DecoderStream.Restart(decoder, initial);   // e.g. a token out of range: InitialState as it was
            throw;
        }
        finally
        {
            decoder.Training = training;
        }

        DecoderStream.Reorder(decoder, identity);
    }

    /// <summary>
    /// Beam search for one sequence: keeps the <paramref name="beamWidth"/> most likely partial sequences, extending each
    /// by every token at each step, and returns up to <paramref name="beamWidth"/> hypotheses, best first, ranked by
    /// <c>log p / length^lengthPenalty</c> (0: pure probability, which favours short sequences; 1: mean log-probability
    /// per token). A hypothesis finishes at <paramref name="endToken"/>; the search stops when no unfinished one can
    /// beat the <paramref name="beamWidth"/> best finished, or at <paramref name="maxLength"/> tokens (unfinished ones
    /// are then returned too, marked so). Beams use the decoder's rows: <paramref name="beamWidth"/> is at most its BatchSize.
    /// </summary>
    /// <remarks>Starts from InitialState's row 0 (one encoded source). The decoder must not learn its initial state.</remarks>
    public static IReadOnlyList<BeamHypothesis> BeamSearch(IRnnModel<int> decoder, int startToken, int maxLength, int beamWidth, int endToken = -1, float lengthPenalty = 1f)
    {
        DecoderStream.Require(decoder, nameof(decoder));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxLength);
        if (beamWidth < 1 || beamWidth > decoder.BatchSize)
        {
            throw new ArgumentOutOfRangeException(nameof(beamWidth), beamWidth, $"Must be 1 to the decoder's BatchSize, {decoder.BatchSize}: each beam is a row.");
        }

        if (!(lengthPenalty >= 0 && float.IsFinite(lengthPenalty)))
        {
            throw new ArgumentOutOfRangeException(nameof(lengthPenalty), lengthPenalty, "Must be finite and >= 0.");
        }

        DecoderStream.RequireStateNotLearned(decoder, "beam search moves beams between rows through InitialState");
        int classes = decoder.OutputSize;
        ParameterSet initial = DecoderStream.Clone(decoder.InitialState);
        bool training = decoder.Training;
        var live = new List<Beam> { new([], 0) };
        var finished = new List<BeamHypothesis>();
        var inputs = new int[beamWidth];
        var logits = new float[beamWidth * classes];
        try
        {
            decoder.Training = false;
            DecoderStream.Restart(decoder, initial);
            for (int step = 0; step < maxLength && live.Count > 0; step++)
            {
                int rows = live.Count;
                for (int r = 0; r < rows; r++)
                {
                    inputs[r] = live[r].Tokens.Length == 0 ? startToken : live[r].Tokens[^1];
                }

                decoder.Step(inputs.AsSpan(0, rows), logits.AsSpan(0, rows * classes));
                var candidates = new List<(double Score, int Row, int Token)>(rows * classes);
                for (int r = 0; r < rows; r++)
                {
                    ReadOnlySpan<float> row = logits.AsSpan(r * classes, classes);
                    double logSum = Logits.LogSumExp(row);
                    for (int v = 0; v < classes; v++)
                    {
                        candidates.Add((live[r].LogProbability + (row[v] - logSum), r, v));
                    }
                }

                // Best first; ties to the lower row, then the lower token, so that the search is deterministic.
                candidates.Sort((a, b) => a.Score != b.Score ? b.Score.CompareTo(a.Score) : a.Row != b.Row ? a.Row.CompareTo(b.Row) : a.Token.CompareTo(b.Token));
                var next = new List<Beam>(beamWidth);
                var parents = new List<int>(beamWidth);
                for (int rank = 0; rank < candidates.Count && next.Count < beamWidth; rank++)
                {
                    (double score, int parent, int token) = candidates[rank];
                    int[] tokens = [.. live[parent].Tokens, token];
                    if (token == endToken)
                    {
                        // An end among the top beamWidth extensions finishes a hypothesis; one ranked lower is not a beam's choice.
                        if (rank < beamWidth)
                        {
                            finished.Add(Hypothesis(tokens, score, lengthPenalty, finishedAtEnd: true));
                        }

                        continue;
                    }

                    next.Add(new Beam(tokens, score));
                    parents.Add(parent);
                }

                live = next;
                if (live.Count == 0 || step == maxLength - 1 || CannotImprove(finished, live, beamWidth, maxLength, lengthPenalty))
                {
                    break;
                }

                DecoderStream.Reorder(decoder, parents.ToArray());
            }
        }
        finally
        {
            decoder.Training = training;
            DecoderStream.Restart(decoder, initial);
        }

        var all = new List<BeamHypothesis>(finished);
        foreach (Beam beam in live)
        {
            all.Add(Hypothesis(beam.Tokens, beam.LogProbability, lengthPenalty, finishedAtEnd: false));
        }

        all.Sort((a, b) => b.Score.CompareTo(a.Score));
        return all.GetRange(0, Math.Min(beamWidth, all.Count));
    }

    private static int[][] Generate(IRnnModel<int> decoder, ReadOnlySpan<int> startTokens, int maxLength, int endToken,
        Func<ReadOnlySpan<float>, DeterministicRandom?, int> choose, DeterministicRandom? random)
    {
        DecoderStream.Require(decoder, nameof(decoder));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxLength);
        int rows = startTokens.Length;
        if (rows < 1 || rows > decoder.BatchSize)
        {
            throw new ArgumentException($"startTokens has {rows} rows; the decoder takes 1 to {decoder.BatchSize}.", nameof(startTokens));
        }

        int classes = decoder.OutputSize;
        int[] current = startTokens.ToArray();
        var logits = new float[rows * classes];
        var outputs = new List<int>[rows];
        var done = new bool[rows];
        for (int r = 0; r < rows; r++)
        {
            outputs[r] = [];
        }

        ParameterSet initial = DecoderStream.Clone(decoder.InitialState);
        bool training = decoder.Training;
        try
        {
            decoder.Training = false;
            DecoderStream.Restart(decoder, initial);
            int active = rows;
            for (int step = 0; step < maxLength && active > 0; step++)
            {
                decoder.Step(current, logits);
                for (int r = 0; r < rows; r++)
                {
                    if (done[r])
                    {
                        continue;   // a finished row keeps stepping with its end token; its output is not used
                    }

                    int token = choose(logits.AsSpan(r * classes, classes), random);
                    outputs[r].Add(token);
                    current[r] = token;
                    if (token == endToken)
                    {
                        done[r] = true;
                        active--;
                    }
                }
            }
        }
        finally
        {
            decoder.Training = training;
            DecoderStream.Restart(decoder, initial);
        }

        return Array.ConvertAll(outputs, o => o.ToArray());
    }

    private static BeamHypothesis Hypothesis(int[] tokens, double logProbability, float lengthPenalty, bool finishedAtEnd) =>
        new(tokens, logProbability, logProbability / Math.Pow(tokens.Length, lengthPenalty), finishedAtEnd);

    // With log-probabilities <= 0, a beam's score can only fall, and its normalised score is at most
    // score / maxLength^penalty: if that cannot reach the k-th best finished one, the search is done.
    private static bool CannotImprove(List<BeamHypothesis> finished, List<Beam> live, int beamWidth, int maxLength, float lengthPenalty)
    {
        if (finished.Count < beamWidth)
        {
            return false;
        }

        var scores = finished.ConvertAll(h => h.Score);
        scores.Sort((a, b) => b.CompareTo(a));
        double kth = scores[beamWidth - 1];
        foreach (Beam beam in live)
        {
            if (beam.LogProbability / Math.Pow(maxLength, lengthPenalty) > kth)
            {
                return false;
            }
        }

        return true;
    }

    private sealed record Beam(int[] Tokens, double LogProbability);
}
