using System;
using System.Globalization;
using RnnGen.Samples;
using RnnGen.Training;

namespace CharLstm;

/// <summary>
/// Shows what the model has learnt as it trains: every <paramref name="every"/> steps the training model itself
/// (through <see cref="TextGenerator"/>, which streams with <c>Step</c>) writes a line continuing the same prompt
/// with the same seed, so that the lines differ only by what the model knows. The generator puts the model's
/// initial state back and touches no weight, so training (and a resumed run) is unaffected.
/// </summary>
public sealed class SamplingCallback(TextGenerator generator, string prompt, int every, int stepsPerEpoch) : ITrainingCallback
{
    public void OnBatchEnd(Trainer trainer, BatchResult batch)
    {
        if (batch.Step % every == 0)
        {
            Show(trainer, batch.Step, string.Create(CultureInfo.InvariantCulture, $"epoch {(double)batch.Step / stepsPerEpoch:F1}, batch loss {batch.Loss:F2}"));
        }
    }

    /// <summary>Writes one sampled line for the model's current weights.</summary>
    public void Show(Trainer trainer, long step, string note)
    {
        string text = generator.Sample(prompt, length: 64, temperature: 0.8f, seed: 1);
        ConsoleLines.Write(string.Create(CultureInfo.InvariantCulture, $"  step {step,5} ({note}): {OneLine(prompt + text)}"));
    }

    /// <summary>Line breaks as '|' (not in the corpus) so that each sample stays on one line.</summary>
    public static string OneLine(string text) => text.Replace('\n', '|');
}
