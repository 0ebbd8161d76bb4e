// Shared by the samples (linked into each project).
using System.Globalization;
using System.Text;
using RnnGen.Training;

namespace RnnGen.Samples;

/// <summary>
/// One line per epoch of Trainer.Fit, the same on a console (above the progress bar) and in a log: training and
/// validation loss, and accuracy or perplexity where the task has them, the learning rate and the time.
/// </summary>
internal sealed class EpochReport(int epochs) : ITrainingCallback
{
    public void OnEpochEnd(Trainer trainer, EpochResult e)
    {
        var line = new StringBuilder();
        line.Append(CultureInfo.InvariantCulture, $"Epoch {e.Epoch}/{epochs}: training ");
        Append(line, e.Train);
        if (e.Validation is Metrics validation)
        {
            line.Append("; validation ");
            Append(line, validation);
        }

        line.Append(CultureInfo.InvariantCulture, $"; lr {e.LearningRate:G3}, {e.Duration.TotalSeconds:F1} s");
        ConsoleLines.Write(line.ToString());
    }

    private static void Append(StringBuilder line, Metrics m)
    {
        line.Append(CultureInfo.InvariantCulture, $"loss {m.Loss:F4}");
        if (m.Perplexity is double perplexity)
        {
            line.Append(CultureInfo.InvariantCulture, $", perplexity {perplexity:F2}");
        }

        if (m.Accuracy is double accuracy)
        {
            line.Append(CultureInfo.InvariantCulture, $", accuracy {accuracy:P1}");
        }
    }
}
