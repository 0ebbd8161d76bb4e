using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using RnnGen.Samples;
using RnnGen.Training;

namespace CharLstm;

/// <summary>The loss curves: training loss per step (a running mean), validation loss per epoch, and the n-gram baselines.</summary>
public static class LossPlot
{
    public static void Save(string path, IReadOnlyList<(long Step, double Loss)> steps, History history, int stepsPerEpoch,
        double unigram, double bigram, Metrics validation)
    {
        const int window = 25;   // steps per running mean: one batch's loss is noisy
        var x = new double[steps.Count];
        var y = new double[steps.Count];
        double sum = 0;
        for (int i = 0; i < steps.Count; i++)
        {
            sum += steps[i].Loss - (i >= window ? steps[i - window].Loss : 0);
            x[i] = (double)steps[i].Step / stepsPerEpoch;
            y[i] = sum / Math.Min(i + 1, window);
        }

        double[] epochs = history.Select(e => (double)e.Epoch).ToArray();
        double[] losses = history.Select(e => e.Validation?.Loss ?? double.NaN).ToArray();
        LinePlot.Save(path,
            string.Create(CultureInfo.InvariantCulture, $"Character LSTM on Pride and Prejudice: validation perplexity {validation.Perplexity:F2}"),
            "epoch", "cross-entropy (nats per character)",
            [
                new Curve($"training loss (mean of {window} steps)", x, y, Width: 1.5f),
                new Curve("validation loss (held-out last chapters)", epochs, losses, Markers: true),
            ],
            [
                new ReferenceLine(string.Create(CultureInfo.InvariantCulture, $"unigram baseline (perplexity {unigram:F1})"), Math.Log(unigram)),
                new ReferenceLine(string.Create(CultureInfo.InvariantCulture, $"bigram baseline (perplexity {bigram:F1})"), Math.Log(bigram)),
            ]);
    }
}
