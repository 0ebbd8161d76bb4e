using System;

namespace RnnGen.Training;

/// <summary>
/// Softmax, log-softmax, arg-max and sampling over one row of logits (a model's output for one position).
/// Sums run in double; every function refuses NaN and infinite logits with the index of the first.
/// </summary>
public static class Logits
{
    /// <summary>The index of the largest logit (the first one on a tie).</summary>
    public static int ArgMax(ReadOnlySpan<float> logits)
    {
        RequireFinite(logits);
        int best = 0;
        for (int i = 1; i < logits.Length; i++)
        {
            if (logits[i] > logits[best])
            {
                best = i;
            }
        }

        return best;
    }

    /// <summary><c>probabilities[i] = exp(logits[i] / temperature) / Σ exp(logits[j] / temperature)</c>.</summary>
    public static void Softmax(ReadOnlySpan<float> logits, Span<float> probabilities, float temperature = 1f)
    {
        RequireFinite(logits);
        RequireTemperature(temperature);
        RequireSameLength(logits, probabilities, nameof(probabilities));
        float max = Max(logits);
        double sum = 0;
        for (int i = 0; i < logits.Length; i++)
        {
            sum += Math.Exp((logits[i] - (double)max) / temperature);
        }

        for (int i = 0; i < logits.Length; i++)
        {
            probabilities[i] = (float)(Math.Exp((logits[i] - (double)max) / temperature) / sum);
        }
    }

    /// <summary><c>logProbabilities[i] = logits[i] − log Σ exp(logits[j])</c>, computed stably.</summary>
    public static void LogSoftmax(ReadOnlySpan<float> logits, Span<float> logProbabilities)
    {
        RequireFinite(logits);
        RequireSameLength(logits, logProbabilities, nameof(logProbabilities));
        double logSum = LogSumExp(logits);
        for (int i = 0; i < logits.Length; i++)
        {
            logProbabilities[i] = (float)(logits[i] - logSum);
        }
    }

    /// <summary>
    /// Draws an index with probability <c>softmax(logits / temperature)</c>, restricted to the
    /// <paramref name="topK"/> largest logits when <paramref name="topK"/> &gt; 0 (ties at the edge go to the
    /// lower index). One <see cref="DeterministicRandom.NextUInt32"/> per draw, so a seeded generator gives
    /// the same draws everywhere.
    /// </summary>
    public static int Sample(ReadOnlySpan<float> logits, DeterministicRandom random, float temperature = 1f, int topK = 0)
    {
        ArgumentNullException.ThrowIfNull(random);
        RequireFinite(logits);
        RequireTemperature(temperature);
        ArgumentOutOfRangeException.ThrowIfNegative(topK);
        float threshold = topK == 0 || topK >= logits.Length ? float.NegativeInfinity : KthLargest(logits, topK);

        // Which logits take part: all above the threshold, then those equal to it in index order until k are in.
        int atThreshold = topK;
        foreach (float x in logits)
        {
            atThreshold -= x > threshold ? 1 : 0;
        }

        float max = Max(logits);
        double total = 0;
        int left = atThreshold;
        for (int i = 0; i < logits.Length; i++)
        {
            if (Included(logits[i], threshold, ref left))
            {
                total += Math.Exp((logits[i] - (double)max) / temperature);
            }
        }

        double u = random.NextUInt32() * (1.0 / 4294967296.0) * total;
        double cumulative = 0;
        int last = -1;
        left = atThreshold;
        for (int i = 0; i < logits.Length; i++)
        {
            if (Included(logits[i], threshold, ref left))
            {
                cumulative += Math.Exp((logits[i] - (double)max) / temperature);
                last = i;
                if (u < cumulative)
                {
                    return i;
                }
            }
        }

        return last;   // u rounded up to the total
    }

    /// <summary>The index of the largest value, the first on a tie; NaN never wins (metrics on a diverged model must not throw).</summary>
    internal static int ArgMaxUnchecked(ReadOnlySpan<float> values)
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++)
        {
            if (values[i] > values[best] || float.IsNaN(values[best]))
            {
                best = i;
            }
        }

        return best;
    }

    /// <summary>log Σ exp(logits), computed stably in double.</summary>
    internal static double LogSumExp(ReadOnlySpan<float> logits)
    {
        float max = Max(logits);
        double sum = 0;
        foreach (float x in logits)
        {
            sum += Math.Exp(x - (double)max);
        }

        return max + Math.Log(sum);
    }

    private static bool Included(float x, float threshold, ref int equalLeft)
    {
        if (x > threshold)
        {
            return true;
        }

        if (x == threshold && equalLeft > 0)
        {
            equalLeft--;
            return true;
        }

        return false;
    }

    private static float KthLargest(ReadOnlySpan<float> logits, int k)
    {
        float[] sorted = logits.ToArray();
        Array.Sort(sorted);
        return sorted[^k];
    }

    private static float Max(ReadOnlySpan<float> logits)
    {
        float max = logits[0];
        foreach (float x in logits)
        {
            max = Math.Max(max, x);
        }

        return max;
    }

    private static void RequireFinite(ReadOnlySpan<float> logits)
    {
        if (logits.IsEmpty)
        {
            throw new ArgumentException("There are no logits.", nameof(logits));
        }

        int bad = NonFinite.IndexOf(logits);
        if (bad >= 0)
        {
            throw new ArgumentException($"logits[{bad}] is {logits[bad]}; logits must be finite.", nameof(logits));
        }
    }

    private static void RequireTemperature(float temperature)
    {
        if (!(temperature > 0 && float.IsFinite(temperature)))
        {
            throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "Must be finite and > 0 (use ArgMax for greedy choice).");
        }
    }

    private static void RequireSameLength(ReadOnlySpan<float> logits, Span<float> destination, string name)
    {
        if (destination.Length != logits.Length)
        {
            throw new ArgumentException($"{name} has {destination.Length} elements; there are {logits.Length} logits.", name);
        }
    }
}
