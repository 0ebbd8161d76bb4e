using System;

namespace RnnGen.Training;

/// <summary>
/// Stops <see cref="Trainer.Fit{TInput, TTarget}"/> once the validation loss (the training loss without
/// validation data) has not improved by more than <see cref="MinDelta"/> for <see cref="Patience"/> epochs,
/// as Keras's <c>EarlyStopping</c>; with <see cref="RestoreBestWeights"/> the model ends with the weights of
/// its best epoch.
/// </summary>
public sealed class EarlyStopping
{
    /// <param name="patience">Epochs without improvement before stopping; at least 1.</param>
    /// <param name="minDelta">The least decrease that counts as an improvement.</param>
    /// <param name="restoreBestWeights">Whether the model ends with the weights of its best epoch.</param>
    public EarlyStopping(int patience = 5, double minDelta = 0, bool restoreBestWeights = true)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(patience);
        if (!(minDelta >= 0 && double.IsFinite(minDelta)))
        {
            throw new ArgumentOutOfRangeException(nameof(minDelta), minDelta, "Must be finite and >= 0.");
        }

        Patience = patience;
        MinDelta = minDelta;
        RestoreBestWeights = restoreBestWeights;
    }

    /// <summary>Epochs without improvement before stopping.</summary>
    public int Patience { get; }

    /// <summary>The least decrease of the monitored loss that counts as an improvement.</summary>
    public double MinDelta { get; }

    /// <summary>Whether the model ends with the weights of its best epoch.</summary>
    public bool RestoreBestWeights { get; }
}
