using System;
using System.Collections.Generic;
using System.Globalization;

namespace RnnGen.Training;

/// <summary>Running sums of one pass over a dataset, turned into <see cref="Metrics"/> at its end (saved in checkpoints mid-epoch).</summary>
internal sealed class EpochSums
{
    /// <summary>Σ batch loss × batch positions.</summary>
    public double Loss { get; private set; }

    /// <summary>Positions that count toward the loss.</summary>
    public long Positions { get; private set; }

    /// <summary>Counted positions whose largest output is the target class.</summary>
    public long Correct { get; private set; }

    public void Add(float loss, long positions, long correct)
    {
        Loss += (double)loss * positions;
        Positions += positions;
        Correct += correct;
    }

    public void Reset()
    {
        Loss = 0;
        Positions = 0;
        Correct = 0;
    }

    /// <summary>The mean loss so far (NaN before any position).</summary>
    public double MeanLoss => Loss / Positions;

    public Metrics ToMetrics(bool classes, bool perplexity)
    {
        double loss = MeanLoss;
        return new Metrics(loss, classes ? (double)Correct / Positions : null, perplexity ? Math.Exp(loss) : null);
    }

    public void Write(IDictionary<string, string> metadata, string prefix)
    {
        metadata[prefix + "loss"] = Loss.ToString("R", CultureInfo.InvariantCulture);
        metadata[prefix + "positions"] = Positions.ToString(CultureInfo.InvariantCulture);
        metadata[prefix + "correct"] = Correct.ToString(CultureInfo.InvariantCulture);
    }

    public void Read(FitMetadata metadata, string prefix)
    {
        Loss = metadata.Double(prefix + "loss");
        Positions = metadata.Long(prefix + "positions");
        Correct = metadata.Long(prefix + "correct");
    }
}
