namespace SequenceToSequence;

/// <summary>One epoch of training: mean training loss, validation loss (teacher forced) and greedy exact match.</summary>
public sealed record EpochRecord(int Epoch, double TrainLoss, double ValidationLoss, double ValidationExactMatch, double Seconds);
