using RnnGen;

namespace SequenceToSequence;

// The encoder reads the problem ("123+45", right-padded to 7 tokens, with its length); its final LSTM state (h and c)
// becomes the decoder's initial state. The decoder reads the start token and then the answer so far, and predicts
// each next token of "168" and the end token; padding after the end is ignored by the loss (class 0).

/// <summary>Reads up to 7 characters of "a+b" as token ids; only its final state is used.</summary>
[RnnModel(SequenceLength = Vocabulary.MaxProblemLength, BatchSize = 64)]
[Embedding(VocabSize = Vocabulary.Size, Dim = 16, Name = "embed")]
[Lstm(HiddenSize = 128, ReturnSequences = false, ForgetBias = 1, Name = "enc")]
public partial class AdditionEncoder { }

/// <summary>Writes up to 4 digits and the end token, one step per token, from the encoder's state.</summary>
[RnnModel(SequenceLength = Vocabulary.MaxAnswerLength + 1, BatchSize = 64)]
[Embedding(VocabSize = Vocabulary.Size, Dim = 16, Name = "embed")]
[Lstm(HiddenSize = 128, ForgetBias = 1, Name = "dec")]
[Dense(OutputSize = Vocabulary.Size, Name = "out")]
[Loss(LossKind.SoftmaxCrossEntropy, IgnoreIndex = Vocabulary.Pad)]
public partial class AdditionDecoder { }
