using RnnGen;

namespace RnnGen.Tests.GradientChecks;

// Hidden sizes past one vector: each (17, 33, 37, 67, 70) leaves a vector body and a scalar tail at 16, 8 and 4
// floats per vector, and the fused step's panels (one vector of units per gate, four vectors for a one-gate RNN)
// number two or more with a partial last panel. Bidirectional layers run on padded rows.

// B ≤ 8 and T ≥ 4: the fused small-batch step (RecurrentWeights panels).
[RnnModel(SequenceLength = 5, BatchSize = 3, InputSize = 5)]
[Lstm(HiddenSize = 37, Bidirectional = true, Name = "rnn")]
[Dense(OutputSize = 3, Name = "fc")]
[Loss(LossKind.MeanSquaredError)]
public partial class WideBidirLstm { }

[RnnModel(SequenceLength = 6, BatchSize = 4, InputSize = 3)]
[Gru(HiddenSize = 33, Bidirectional = true, Name = "rnn")]
[Dense(OutputSize = 2, Activation = Activation.Tanh, Name = "fc")]
[Loss(LossKind.MeanSquaredError)]
public partial class WideBidirGru { }

[RnnModel(SequenceLength = 4, BatchSize = 2, InputSize = 3)]
[SimpleRnn(HiddenSize = 70, Bidirectional = true, Name = "rnn")]
[Dense(OutputSize = 2, Name = "fc")]
[Loss(LossKind.MeanSquaredError)]
public partial class WideBidirTanhRnn { }

[RnnModel(SequenceLength = 5, BatchSize = 5, InputSize = 4)]
[SimpleRnn(HiddenSize = 67, Nonlinearity = Nonlinearity.Relu, Bidirectional = true, Name = "rnn")]
[SimpleRnn(HiddenSize = 17, Nonlinearity = Nonlinearity.Relu, ReturnSequences = false, Name = "top")]
[Dense(OutputSize = 3, Name = "fc")]
[Loss(LossKind.SoftmaxCrossEntropy)]
public partial class WideReluRnnClassifier { }

// B > 8 and T ≥ 4: every step multiplies by W_hh packed once per call (Gemm.AxPacked).
[RnnModel(SequenceLength = 4, BatchSize = 9, InputSize = 3)]
[Lstm(HiddenSize = 17, Bidirectional = true, Name = "lstm")]
[SimpleRnn(HiddenSize = 33, Name = "tanh")]
[Dense(OutputSize = 2, Name = "fc")]
[Loss(LossKind.MeanSquaredError)]
public partial class WideLargeBatchLstmTanh { }

[RnnModel(SequenceLength = 4, BatchSize = 10, InputSize = 3)]
[Gru(HiddenSize = 37, Bidirectional = true, Name = "gru")]
[SimpleRnn(HiddenSize = 33, Nonlinearity = Nonlinearity.Relu, Name = "relu")]
[Dense(OutputSize = 3, Name = "fc")]
[Loss(LossKind.MeanSquaredError)]
public partial class WideLargeBatchGruRelu { }
