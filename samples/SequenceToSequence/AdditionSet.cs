using System;
using System.Collections.Generic;
using System.Globalization;
using RnnGen;

namespace SequenceToSequence;

/// <summary>
/// Addition problems as token arrays, row-major: sources "a+b" right-padded to <see cref="Vocabulary.MaxProblemLength"/>
/// with their lengths; decoder inputs (start, then the answer's digits) and targets (the digits, then end), both padded
/// to <see cref="Vocabulary.MaxAnswerLength"/> + 1 with <see cref="Vocabulary.Pad"/>, which the loss ignores.
/// </summary>
public sealed class AdditionSet
{
    public const int SourceLength = Vocabulary.MaxProblemLength;
    public const int TargetLength = Vocabulary.MaxAnswerLength + 1;

    private AdditionSet(IReadOnlyList<(int A, int B)> problems)
    {
        Count = problems.Count;
        Problems = new string[Count];
        Answers = new string[Count];
        Sources = new int[Count * SourceLength];
        SourceLengths = new int[Count];
        DecoderInputs = new int[Count * TargetLength];
        Targets = new int[Count * TargetLength];
        for (int n = 0; n < Count; n++)
        {
            (int a, int b) = problems[n];
            string problem = string.Create(CultureInfo.InvariantCulture, $"{a}+{b}");
            string answer = (a + b).ToString(CultureInfo.InvariantCulture);
            Problems[n] = problem;
            Answers[n] = answer;
            SourceLengths[n] = problem.Length;
            for (int t = 0; t < problem.Length; t++)
            {
                Sources[(n * SourceLength) + t] = Vocabulary.Token(problem[t]);
            }

            // Teacher forcing: the decoder reads [start, d1, d2, …] and must predict [d1, d2, …, end].
            DecoderInputs[n * TargetLength] = Vocabulary.Start;
            for (int t = 0; t < answer.Length; t++)
            {
                DecoderInputs[(n * TargetLength) + t + 1] = Vocabulary.Token(answer[t]);
                Targets[(n * TargetLength) + t] = Vocabulary.Token(answer[t]);
            }

            Targets[(n * TargetLength) + answer.Length] = Vocabulary.End;
        }
    }

    public int Count { get; }

    /// <summary>The problems as text, e.g. "123+45".</summary>
    public string[] Problems { get; }

    /// <summary>The correct answers as text, e.g. "168".</summary>
    public string[] Answers { get; }

    /// <summary>[Count, SourceLength] token ids, right-padded.</summary>
    public int[] Sources { get; }

    /// <summary>[Count] valid source steps.</summary>
    public int[] SourceLengths { get; }

    /// <summary>[Count, TargetLength]: start, then the answer's digits, then padding.</summary>
    public int[] DecoderInputs { get; }

    /// <summary>[Count, TargetLength]: the answer's digits, end, then padding (ignored by the loss).</summary>
    public int[] Targets { get; }

    /// <summary>
    /// Three disjoint sets of distinct problems a+b, each number with 1 to 3 digits (the digit count drawn uniformly,
    /// so short numbers are as common as long ones).
    /// </summary>
    public static (AdditionSet Train, AdditionSet Validation, AdditionSet Test) Generate(int train, int validation, int test, ulong seed)
    {
        var random = new DeterministicRandom(seed);
        var seen = new HashSet<(int, int)>();
        var problems = new List<(int, int)>(train + validation + test);
        while (problems.Count < train + validation + test)
        {
            (int, int) problem = (Number(random), Number(random));
            if (seen.Add(problem))
            {
                problems.Add(problem);
            }
        }

        return (new AdditionSet(problems.GetRange(0, train)), new AdditionSet(problems.GetRange(train, validation)),
            new AdditionSet(problems.GetRange(train + validation, test)));
    }

    /// <summary>Copies the given rows into batch buffers (rows.Length rows each).</summary>
    public void Gather(ReadOnlySpan<int> rows, Span<int> sources, Span<int> sourceLengths, Span<int> decoderInputs, Span<int> targets)
    {
        for (int r = 0; r < rows.Length; r++)
        {
            int n = rows[r];
            Sources.AsSpan(n * SourceLength, SourceLength).CopyTo(sources[(r * SourceLength)..]);
            sourceLengths[r] = SourceLengths[n];
            DecoderInputs.AsSpan(n * TargetLength, TargetLength).CopyTo(decoderInputs[(r * TargetLength)..]);
            Targets.AsSpan(n * TargetLength, TargetLength).CopyTo(targets[(r * TargetLength)..]);
        }
    }

    private static int Number(DeterministicRandom random)
    {
        int digits = 1 + (int)(random.NextUInt32() % 3);
        int low = digits == 1 ? 0 : (int)Math.Pow(10, digits - 1);
        int high = (int)Math.Pow(10, digits);
        return low + (int)(random.NextUInt32() % (uint)(high - low));
    }
}
