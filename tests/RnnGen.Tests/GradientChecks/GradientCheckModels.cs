using RnnGen;

namespace RnnGen.Tests.GradientChecks;

// Shapes the PyTorch reference files do not cover: odd sizes, three layers, long sequences,
// ragged lengths through bidirectional stacks, mixed cell kinds, no loss, default names.

[RnnModel(SequenceLength = 9, BatchSize = 3, InputSize = 5)]
[Lstm(HiddenSize = 7, NumLayers = 3, Bidirectional = true, Name = "rnn")]
[Dense(OutputSize = 3, Activation = Activation.Tanh, Name = "fc")]
[Loss(LossKind.MeanSquaredError)]
public partial class DeepBidirLstm { }

[RnnModel(SequenceLength = 11, BatchSize = 4, InputSize = 3)]
[Gru(HiddenSize = 6, NumLayers = 2, Bidirectional = true, ReturnSequences = false, Name = "gru")]
[Dense(OutputSize = 5, Name = "head")]
[Loss(LossKind.SoftmaxCrossEntropy)]
public partial class BidirGruClassifier { }

[RnnModel(SequenceLength = 64, BatchSize = 2, InputSize = 4)]
[SimpleRnn(HiddenSize = 5, NumLayers = 2)]
[Dense(OutputSize = 2, Activation = Activation.Sigmoid)]
[Loss(LossKind.MeanSquaredError)]
public partial class LongTanhRnn { }

[RnnModel(SequenceLength = 10, BatchSize = 3)]
[Embedding(VocabSize = 13, Dim = 4, Name = "embed")]
[Lstm(HiddenSize = 6, Bidirectional = true, Name = "enc")]
[Gru(HiddenSize = 5, Name = "dec")]
[Dense(OutputSize = 13, Name = "out")]
[Loss(LossKind.SoftmaxCrossEntropy)]
public partial class MixedStackLm { }

[RnnModel(SequenceLength = 7, BatchSize = 2, InputSize = 3)]
[Dense(OutputSize = 4, Activation = Activation.Relu, Name = "pre")]
[SimpleRnn(HiddenSize = 5, Nonlinearity = Nonlinearity.Relu, Bidirectional = true, Name = "rnn")]
public partial class NoLossReluRnn { }

[RnnModel(SequenceLength = 6, BatchSize = 2, InputSize = 3)]
[Lstm(HiddenSize = 4, NumLayers = 2, Bidirectional = true, Name = "rnn")]
[Loss(LossKind.MeanSquaredError)]
public partial class StatefulLstm { }

// B > 8: every step multiplies by W_hh packed once per call (Gemm.AxPacked), not the fused small-batch step.
[RnnModel(SequenceLength = 6, BatchSize = 10, InputSize = 3)]
[Lstm(HiddenSize = 5, Bidirectional = true, Name = "lstm")]
[Gru(HiddenSize = 4, Name = "gru")]
[SimpleRnn(HiddenSize = 3, Name = "rnn")]
[Dense(OutputSize = 2, Name = "fc")]
[Loss(LossKind.MeanSquaredError)]
public partial class LargeBatchMixedStack { }
