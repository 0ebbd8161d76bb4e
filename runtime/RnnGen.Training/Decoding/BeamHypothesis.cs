namespace RnnGen.Training;

/// <summary>One sequence found by <see cref="Decoding.BeamSearch"/>.</summary>
/// <param name="Tokens">The tokens after the start token, the end token included when <paramref name="Finished"/>.</param>
/// <param name="LogProbability">Σ log p(token | the tokens before), natural log.</param>
/// <param name="Score">What the search ranks by: <c>LogProbability / Tokens.Length^lengthPenalty</c>.</param>
/// <param name="Finished">Whether it ended with the end token (else it reached the length limit).</param>
public sealed record BeamHypothesis(int[] Tokens, double LogProbability, double Score, bool Finished);
