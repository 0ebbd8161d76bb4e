using System.Globalization;
using RnnGen.Training;

namespace CharLstm;

/// <summary>One line per epoch: training and validation loss, perplexity and accuracy, the learning rate and the time.</summary>
public sealed class EpochReport(int epochs) : ITrainingCallback
{
    public void OnEpochEnd(Trainer trainer, EpochResult e)
    {
        Metrics v = e.Validation!;
        ConsoleLines.Write(string.Create(CultureInfo.InvariantCulture,
            $"Epoch {e.Epoch}/{epochs}: training loss {e.Train.Loss:F4} (perplexity {e.Train.Perplexity:F2}); "
            + $"validation loss {v.Loss:F4}, perplexity {v.Perplexity:F2}, accuracy {v.Accuracy:P1}; lr {e.LearningRate:G3}, {e.Duration.TotalSeconds:F0} s"));
    }
}
