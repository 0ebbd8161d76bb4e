namespace RnnGen.Training;

/// <summary>Where <see cref="Trainer.Fit{TInput, TTarget}"/> reports its progress: a bar, lines, or nowhere.</summary>
internal interface IProgressSink
{
    /// <param name="firstBatch">Batches already done (a resumed epoch starts past 0).</param>
    void EpochStarted(int epoch, int epochs, int batches, int firstBatch);

    /// <param name="loss">The epoch's mean training loss so far.</param>
    void BatchEnded(int batchesDone, double loss, double sequencesPerSecond);

    void EpochEnded(EpochResult result, int epochs);
}

/// <summary>Reports nothing.</summary>
internal sealed class NoProgress : IProgressSink
{
    public void EpochStarted(int epoch, int epochs, int batches, int firstBatch)
    {
    }

    public void BatchEnded(int batchesDone, double loss, double sequencesPerSecond)
    {
    }

    public void EpochEnded(EpochResult result, int epochs)
    {
    }
}
