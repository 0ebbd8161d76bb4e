using System;

namespace CharLstm;

/// <summary>How much of a generated text is copied from the training text: its longest passage found there verbatim.</summary>
public static class Originality
{
    /// <summary>The longest substring of <paramref name="generated"/> that occurs in <paramref name="source"/>.</summary>
    public static string LongestCopied(string generated, string source)
    {
        // For each start, extend while the passage still occurs; a passage found at i minus its first character
        // occurs too, so the next start begins one shorter than the last match (linear in the number of searches).
        int bestStart = 0, bestLength = 0, length = 0;
        for (int i = 0; i < generated.Length; i++)
        {
            length = Math.Max(length - 1, 0);
            while (i + length < generated.Length && source.AsSpan().Contains(generated.AsSpan(i, length + 1), StringComparison.Ordinal))
            {
                length++;
            }

            if (length > bestLength)
            {
                (bestStart, bestLength) = (i, length);
            }
        }

        return generated.Substring(bestStart, bestLength);
    }
}
