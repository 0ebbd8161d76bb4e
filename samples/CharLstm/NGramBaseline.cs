using System;

namespace CharLstm;

/// <summary>
/// What a model without memory reaches: the validation perplexity of character unigram and bigram models counted
/// on the training text (add-one smoothing, so that every character has some probability).
/// </summary>
public static class NGramBaseline
{
    /// <summary>exp(mean −log p(c)) over the validation text, p from character frequencies in training.</summary>
    public static double Unigram(ReadOnlySpan<int> train, ReadOnlySpan<int> validation, int vocabulary)
    {
        var counts = new double[vocabulary];
        foreach (int c in train)
        {
            counts[c]++;
        }

        double total = train.Length + vocabulary, sum = 0;
        foreach (int c in validation)
        {
            sum -= Math.Log((counts[c] + 1) / total);
        }

        return Math.Exp(sum / validation.Length);
    }

    /// <summary>exp(mean −log p(c | previous c)) over the validation text, p from character-pair counts in training.</summary>
    public static double Bigram(ReadOnlySpan<int> train, ReadOnlySpan<int> validation, int vocabulary)
    {
        var pairs = new double[vocabulary, vocabulary];
        var firsts = new double[vocabulary];
        for (int i = 1; i < train.Length; i++)
        {
            pairs[train[i - 1], train[i]]++;
            firsts[train[i - 1]]++;
        }

        double sum = 0;
        for (int i = 1; i < validation.Length; i++)
        {
            sum -= Math.Log((pairs[validation[i - 1], validation[i]] + 1) / (firsts[validation[i - 1]] + vocabulary));
        }

        return Math.Exp(sum / (validation.Length - 1));
    }
}
