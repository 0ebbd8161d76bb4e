namespace RnnGen.Training;

/// <summary>What <see cref="Trainer.Fit{TInput, TTarget}"/> shows while it trains.</summary>
public enum ProgressDisplay
{
    /// <summary>A progress bar on an interactive console; one line per epoch when the output is redirected (logs, CI).</summary>
    Auto = 0,

    /// <summary>A live progress bar per epoch with loss, speed and time left (Spectre.Console).</summary>
    Bar = 1,

    /// <summary>One line per epoch with its metrics, written to the standard output.</summary>
    EpochLines = 2,

    /// <summary>Nothing.</summary>
    None = 3,
}
