using System;
using System.Text;

namespace SequenceToSequence;

/// <summary>Token ids of the addition problems: padding, start, end, the ten digits and '+'.</summary>
public static class Vocabulary
{
    public const int Pad = 0, Start = 1, End = 2, FirstDigit = 3, Plus = 13, Size = 14;

    /// <summary>"999+999": two numbers of up to 3 digits.</summary>
    public const int MaxProblemLength = 7;

    /// <summary>"1998".</summary>
    public const int MaxAnswerLength = 4;

    /// <summary>The token of one character of a problem or an answer.</summary>
    public static int Token(char c) => c switch
    {
        >= '0' and <= '9' => FirstDigit + (c - '0'),
        '+' => Plus,
        _ => throw new ArgumentException($"'{c}' is not a digit or '+'.", nameof(c)),
    };

    /// <summary>Tokens back to text, stopping at the end token; padding, start and end print nothing.</summary>
    public static string Text(ReadOnlySpan<int> tokens)
    {
        var text = new StringBuilder();
        foreach (int token in tokens)
        {
            if (token == End)
            {
                break;
            }

            if (token is >= FirstDigit and < FirstDigit + 10)
            {
                text.Append((char)('0' + token - FirstDigit));
            }
            else if (token == Plus)
            {
                text.Append('+');
            }
        }

        return text.ToString();
    }
}
