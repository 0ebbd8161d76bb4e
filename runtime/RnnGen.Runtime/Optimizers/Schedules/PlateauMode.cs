namespace RnnGen;

/// <summary>Whether <see cref="ReduceLROnPlateau"/> waits for the metric to fall (a loss) or to rise (an accuracy).</summary>
public enum PlateauMode
{
    Min,
    Max,
}

/// <summary>How <see cref="ReduceLROnPlateau"/> decides that a metric improved on the best so far.</summary>
public enum ThresholdMode
{
    /// <summary>torch's 'rel': better than <c>best * (1 ∓ threshold)</c>.</summary>
    Relative,

    /// <summary>torch's 'abs': better than <c>best ∓ threshold</c>.</summary>
    Absolute,
}
