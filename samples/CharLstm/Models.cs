using RnnGen;

namespace CharLstm;

/// <summary>The training model: 32 windows of 64 characters per batch, predicting each next character.</summary>
[RnnModel(SequenceLength = 64, BatchSize = 32)]
[Embedding(VocabSize = Vocabulary.Size, Dim = 32, Name = "embed")]
[Lstm(HiddenSize = 256, Name = "lstm")]
[Dense(OutputSize = Vocabulary.Size, Name = "head")]
[Loss(LossKind.SoftmaxCrossEntropy)]
public partial class CharModel { }

/// <summary>
/// The same layers, one character of one stream at a time: it loads the training model's weights (same names and
/// shapes) and generates text with <c>Step</c>, carrying the LSTM state from one character to the next.
/// </summary>
[RnnModel(SequenceLength = 1, BatchSize = 1)]
[Embedding(VocabSize = Vocabulary.Size, Dim = 32, Name = "embed")]
[Lstm(HiddenSize = 256, Name = "lstm")]
[Dense(OutputSize = Vocabulary.Size, Name = "head")]
public partial class CharStream { }
