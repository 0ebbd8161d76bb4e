using System.Collections.Generic;

namespace RnnGen;

/// <summary>What a training checkpoint says about itself: the step it was saved at and the caller's metadata.</summary>
public sealed class CheckpointInfo
{
    internal CheckpointInfo(long step, IReadOnlyDictionary<string, string> metadata)
    {
        Step = step;
        Metadata = metadata;
    }

    /// <summary>The step number given to <see cref="TrainingCheckpoint.Save"/>.</summary>
    public long Step { get; }

    /// <summary>The metadata given to <see cref="TrainingCheckpoint.Save"/>, under the caller's own keys.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }
}
