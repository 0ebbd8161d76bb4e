using RnnGen;

namespace CharLstm;

/// <summary>
/// The model: 32 windows of 64 characters per batch for training, each character predicting the next. The same
/// instance writes text through its streaming API (<c>Step</c>, one character per call, and <c>ResetState</c>), so
/// generation needs no second model and no copy of the weights.
/// </summary>
[RnnModel(SequenceLength = 64, BatchSize = 32)]
[Embedding(VocabSize = Vocabulary.Size, Dim = 32, Name = "embed")]
[Lstm(HiddenSize = 256, Name = "lstm")]
[Dense(OutputSize = Vocabulary.Size, Name = "head")]
[Loss(LossKind.SoftmaxCrossEntropy)]
public partial class CharModel { }
