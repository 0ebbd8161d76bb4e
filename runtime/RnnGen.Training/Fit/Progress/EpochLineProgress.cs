using System.Globalization;
using System.IO;
using System.Text;

namespace RnnGen.Training;

/// <summary>One line per epoch, for logs: <c>Epoch 3/10: loss 0.4312, accuracy 0.8750, val_loss 0.5120, lr 0.001, 1.2 s</c>.</summary>
internal sealed class EpochLineProgress(TextWriter writer) : IProgressSink
{
    public void EpochStarted(int epoch, int epochs, int batches, int firstBatch)
    {
    }

    public void BatchEnded(int batchesDone, double loss, double sequencesPerSecond)
    {
    }

    public void EpochEnded(EpochResult result, int epochs)
    {
        writer.WriteLine(Describe(result, epochs));
        writer.Flush();
    }

    /// <summary>The epoch's summary, also the bar's final description.</summary>
    public static string Describe(EpochResult e, int epochs)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"Epoch {e.Epoch}/{epochs}: ");
        Append(text, "", e.Train);
        if (e.Validation is Metrics validation)
        {
            text.Append(", ");
            Append(text, "val_", validation);
        }

        text.Append(CultureInfo.InvariantCulture, $", lr {e.LearningRate:G4}, {e.Duration.TotalSeconds:F1} s");
        return text.ToString();
    }

    private static void Append(StringBuilder text, string prefix, Metrics m)
    {
        text.Append(CultureInfo.InvariantCulture, $"{prefix}loss {m.Loss:F4}");
        if (m.Accuracy is double accuracy)
        {
            text.Append(CultureInfo.InvariantCulture, $", {prefix}accuracy {accuracy:F4}");
        }

        if (m.Perplexity is double perplexity)
        {
            text.Append(CultureInfo.InvariantCulture, $", {prefix}perplexity {perplexity:F3}");
        }
    }
}
