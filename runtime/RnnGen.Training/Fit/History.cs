using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace RnnGen.Training;

/// <summary>The epochs of a <see cref="Trainer.Fit{TInput, TTarget}"/> run, in order, for plots and reports.</summary>
public sealed class History : IReadOnlyList<EpochResult>
{
    private readonly List<EpochResult> _epochs = [];

    /// <summary>Epochs recorded.</summary>
    public int Count => _epochs.Count;

    /// <summary>The epoch at <paramref name="index"/> (epoch number <c>index + 1</c> for a run that started afresh).</summary>
    public EpochResult this[int index] => _epochs[index];

    /// <summary>
    /// The history as CSV with a header: <c>epoch,loss,accuracy,perplexity,val_loss,val_accuracy,val_perplexity,lr,steps,seconds</c>
    /// (empty fields where a metric does not apply; invariant culture, round-trip numbers).
    /// </summary>
    public string ToCsv()
    {
        var text = new StringBuilder("epoch,loss,accuracy,perplexity,val_loss,val_accuracy,val_perplexity,lr,steps,seconds\n");
        foreach (EpochResult e in _epochs)
        {
            text.Append(CultureInfo.InvariantCulture, $"{e.Epoch},{e.Train.Loss:R},{Field(e.Train.Accuracy)},{Field(e.Train.Perplexity)},")
                .Append(CultureInfo.InvariantCulture, $"{Field(e.Validation?.Loss)},{Field(e.Validation?.Accuracy)},{Field(e.Validation?.Perplexity)},")
                .Append(CultureInfo.InvariantCulture, $"{e.LearningRate:R},{e.Steps},{e.Duration.TotalSeconds:R}\n");
        }

        return text.ToString();
    }

    /// <summary>The epochs in order.</summary>
    public IEnumerator<EpochResult> GetEnumerator() => _epochs.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    internal void Add(EpochResult epoch) => _epochs.Add(epoch);

    internal void Clear() => _epochs.Clear();

    private static string Field(double? value) => value is double v ? v.ToString("R", CultureInfo.InvariantCulture) : "";
}
