using RnnGen;

namespace RnnGen.Training.Tests;

// Small models for the training layer's tests; the generator compiles them.

/// <summary>Many-to-one regression: the sum of the inputs; stacked LSTM with dropout.</summary>
[RnnModel(SequenceLength = 5, BatchSize = 4, InputSize = 2)]
[Lstm(HiddenSize = 8, NumLayers = 2, Dropout = 0.2, ReturnSequences = false, Name = "rnn")]
[Dense(OutputSize = 1, Name = "fc")]
[Loss(LossKind.MeanSquaredError)]
public partial class SumRegressor { }

/// <summary>Many-to-one classification of ragged sequences: which feature has the largest sum.</summary>
[RnnModel(SequenceLength = 6, BatchSize = 8, InputSize = 3)]
[Gru(HiddenSize = 12, ReturnSequences = false, Name = "rnn")]
[Dense(OutputSize = 3, Name = "fc")]
[Loss(LossKind.SoftmaxCrossEntropy)]
public partial class MaxFeatureClassifier { }

/// <summary>A token language model (next token at every step), with class 0 as padding that the loss ignores.</summary>
[RnnModel(SequenceLength = 8, BatchSize = 4)]
[Embedding(VocabSize = 5, Dim = 4, Name = "embed")]
[Gru(HiddenSize = 10, Name = "rnn")]
[Dense(OutputSize = 5, Name = "head")]
[Loss(LossKind.SoftmaxCrossEntropy, IgnoreIndex = 0)]
public partial class TinyLanguageModel { }

/// <summary>
/// A decoder whose next-token logits depend only on the current token once its weights are set by hand
/// (one-hot embedding, identity input weights, no recurrence): a Markov chain with a known table.
/// </summary>
[RnnModel(SequenceLength = 4, BatchSize = 4)]
[Embedding(VocabSize = 6, Dim = 6, Name = "embed")]
[SimpleRnn(HiddenSize = 6, Name = "rnn")]
[Dense(OutputSize = 6, Name = "out")]
public partial class MarkovDecoder { }

/// <summary>Reversal encoder: reads 3 symbol tokens.</summary>
[RnnModel(SequenceLength = 3, BatchSize = 16)]
[Embedding(VocabSize = 7, Dim = 8, Name = "embed")]
[Gru(HiddenSize = 24, Name = "enc")]
public partial class ReverseEncoder { }

/// <summary>Reversal decoder: start token, then the 3 symbols reversed, then the end token (teacher forced).</summary>
[RnnModel(SequenceLength = 4, BatchSize = 16)]
[Embedding(VocabSize = 7, Dim = 8, Name = "embed")]
[Gru(HiddenSize = 24, Name = "dec")]
[Dense(OutputSize = 7, Name = "out")]
[Loss(LossKind.SoftmaxCrossEntropy)]
public partial class ReverseDecoder { }

/// <summary>LSTM encoder over float features, two layers (h and c to hand over).</summary>
[RnnModel(SequenceLength = 5, BatchSize = 3, InputSize = 2)]
[Lstm(HiddenSize = 6, NumLayers = 2, Name = "enc")]
public partial class LstmEncoder { }

/// <summary>LSTM decoder over float features with an MSE loss.</summary>
[RnnModel(SequenceLength = 4, BatchSize = 3, InputSize = 2)]
[Lstm(HiddenSize = 6, NumLayers = 2, Name = "dec")]
[Dense(OutputSize = 2, Name = "out")]
[Loss(LossKind.MeanSquaredError)]
public partial class LstmDecoder { }

/// <summary>A GRU decoder: one state, so it does not pair with an LSTM encoder by default.</summary>
[RnnModel(SequenceLength = 4, BatchSize = 3, InputSize = 2)]
[Gru(HiddenSize = 6, NumLayers = 2, Name = "dec")]
[Dense(OutputSize = 2, Name = "out")]
[Loss(LossKind.MeanSquaredError)]
public partial class GruDecoder { }

/// <summary>An LSTM decoder of another width.</summary>
[RnnModel(SequenceLength = 4, BatchSize = 3, InputSize = 2)]
[Lstm(HiddenSize = 5, NumLayers = 2, Name = "dec")]
[Dense(OutputSize = 2, Name = "out")]
[Loss(LossKind.MeanSquaredError)]
public partial class NarrowLstmDecoder { }

/// <summary>An LSTM decoder that learns its initial state, which would ignore the encoder's.</summary>
[RnnModel(SequenceLength = 4, BatchSize = 3, InputSize = 2)]
[Lstm(HiddenSize = 6, NumLayers = 2, LearnInitialState = true, Name = "dec")]
[Dense(OutputSize = 2, Name = "out")]
[Loss(LossKind.MeanSquaredError)]
public partial class LearnedStateDecoder { }
