using System;
using System.Globalization;
using System.Text;
using RnnGen;
using RnnGen.Training;

namespace SequenceClassification;

/// <summary>Counts of (true class, predicted class) over a dataset, predicted with the model's Forward in inference mode.</summary>
public sealed class ConfusionMatrix
{
    private ConfusionMatrix(int[,] counts, int[] lengths, bool[] correct)
    {
        Counts = counts;
        Lengths = lengths;
        Correct = correct;
    }

    /// <summary>[true, predicted].</summary>
    public int[,] Counts { get; }

    /// <summary>Each sequence's length, in dataset order.</summary>
    public int[] Lengths { get; }

    /// <summary>Whether each sequence was classified correctly, in dataset order.</summary>
    public bool[] Correct { get; }

    public int Total => Lengths.Length;

    public double Accuracy
    {
        get
        {
            int right = 0;
            for (int c = 0; c < Counts.GetLength(0); c++)
            {
                right += Counts[c, c];
            }

            return (double)right / Total;
        }
    }

    public static ConfusionMatrix Measure(IRnnModel<float> model, SequenceDataset<float, int> data)
    {
        int classes = model.OutputSize;
        var counts = new int[classes, classes];
        var lengths = new int[data.Count];
        var correct = new bool[data.Count];
        var logits = new float[model.BatchSize * classes];
        bool training = model.Training;
        model.Training = false;   // no dropout; restored even if a batch throws
        try
        {
            int index = 0;
            foreach (SequenceBatch<float, int> batch in data.Batches(model.BatchSize))
            {
                model.Forward(batch.Inputs, logits.AsSpan(0, batch.Rows * classes), batch.Lengths);
                for (int r = 0; r < batch.Rows; r++, index++)
                {
                    int predicted = Logits.ArgMax(logits.AsSpan(r * classes, classes));
                    int actual = batch.Targets[r];
                    counts[actual, predicted]++;
                    lengths[index] = batch.Lengths[r];
                    correct[index] = predicted == actual;
                }
            }
        }
        finally
        {
            model.Training = training;
        }

        return new ConfusionMatrix(counts, lengths, correct);
    }

    /// <summary>The matrix as text: a row per true class, a column per predicted class, and each class's recall.</summary>
    public string ToText(string[] names)
    {
        int classes = Counts.GetLength(0);
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{"true \\ predicted",-17}");
        foreach (string name in names)
        {
            text.Append(CultureInfo.InvariantCulture, $"{name,7}");
        }

        text.AppendLine("   recall");
        for (int actual = 0; actual < classes; actual++)
        {
            text.Append(CultureInfo.InvariantCulture, $"{names[actual],-17}");
            int row = 0;
            for (int predicted = 0; predicted < classes; predicted++)
            {
                text.Append(CultureInfo.InvariantCulture, $"{Counts[actual, predicted],7}");
                row += Counts[actual, predicted];
            }

            text.AppendLine(string.Create(CultureInfo.InvariantCulture, $"   {(double)Counts[actual, actual] / Math.Max(row, 1),6:P1}"));
        }

        return text.ToString();
    }
}
