namespace RnnGen.Training;

/// <summary>What a pass over a dataset measured.</summary>
/// <param name="Loss">The model's loss, the mean over every valid position of the pass (each batch weighted by its positions).</param>
/// <param name="Accuracy">For class targets (<c>int</c>): the fraction of counted positions whose largest output is the target class; else null.</param>
/// <param name="Perplexity">For class targets at every step (language models): <c>exp(Loss)</c>; else null.</param>
public sealed record Metrics(double Loss, double? Accuracy, double? Perplexity);
