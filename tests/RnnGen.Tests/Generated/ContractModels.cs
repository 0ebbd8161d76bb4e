using RnnGen;

namespace RnnGen.Tests.Generated;

// Models for the contract tests (Step, partial batches, misuse, threads). Each kind comes at BatchSize 3 (the
// fused small-batch step) and 12 (W_hh packed once per call, one blocked product per step); odd sizes on purpose.

[RnnModel(SequenceLength = 7, BatchSize = 3, InputSize = 5)]
[SimpleRnn(HiddenSize = 6, Name = "rnn")]
[Dense(OutputSize = 3, Activation = Activation.Sigmoid, Name = "fc")]
public partial class StepTanh3 { }

[RnnModel(SequenceLength = 7, BatchSize = 12, InputSize = 5)]
[SimpleRnn(HiddenSize = 6, Name = "rnn")]
[Dense(OutputSize = 3, Activation = Activation.Sigmoid, Name = "fc")]
public partial class StepTanh12 { }

[RnnModel(SequenceLength = 7, BatchSize = 3, InputSize = 5)]
[SimpleRnn(HiddenSize = 6, Nonlinearity = Nonlinearity.Relu, Name = "rnn")]
[Dense(OutputSize = 3, Activation = Activation.Relu, Name = "fc")]
public partial class StepRelu3 { }

[RnnModel(SequenceLength = 7, BatchSize = 12, InputSize = 5)]
[SimpleRnn(HiddenSize = 6, Nonlinearity = Nonlinearity.Relu, Name = "rnn")]
[Dense(OutputSize = 3, Activation = Activation.Relu, Name = "fc")]
public partial class StepRelu12 { }

[RnnModel(SequenceLength = 7, BatchSize = 3, InputSize = 5)]
[Lstm(HiddenSize = 6, ForgetBias = 1, Name = "rnn")]
[Dense(OutputSize = 3, Name = "fc")]
public partial class StepLstm3 { }

[RnnModel(SequenceLength = 7, BatchSize = 12, InputSize = 5)]
[Lstm(HiddenSize = 6, ForgetBias = 1, Name = "rnn")]
[Dense(OutputSize = 3, Name = "fc")]
public partial class StepLstm12 { }

[RnnModel(SequenceLength = 7, BatchSize = 3, InputSize = 5)]
[Lstm(HiddenSize = 6, Peephole = true, Name = "rnn")]
[Dense(OutputSize = 3, Activation = Activation.Tanh, Name = "fc")]
public partial class StepPeephole3 { }

[RnnModel(SequenceLength = 7, BatchSize = 12, InputSize = 5)]
[Lstm(HiddenSize = 6, Peephole = true, Name = "rnn")]
[Dense(OutputSize = 3, Activation = Activation.Tanh, Name = "fc")]
public partial class StepPeephole12 { }

[RnnModel(SequenceLength = 7, BatchSize = 3, InputSize = 5)]
[Lstm(HiddenSize = 6, LayerNorm = true, Name = "rnn")]
[Dense(OutputSize = 3, Name = "fc")]
public partial class StepLayerNorm3 { }

[RnnModel(SequenceLength = 7, BatchSize = 12, InputSize = 5)]
[Lstm(HiddenSize = 6, LayerNorm = true, Name = "rnn")]
[Dense(OutputSize = 3, Name = "fc")]
public partial class StepLayerNorm12 { }

[RnnModel(SequenceLength = 7, BatchSize = 3, InputSize = 5)]
[Lstm(HiddenSize = 8, ProjectionSize = 3, NumLayers = 2, Name = "rnn")]
[Dense(OutputSize = 3, Name = "fc")]
public partial class StepProjection3 { }

[RnnModel(SequenceLength = 7, BatchSize = 12, InputSize = 5)]
[Lstm(HiddenSize = 8, ProjectionSize = 3, NumLayers = 2, Name = "rnn")]
[Dense(OutputSize = 3, Name = "fc")]
public partial class StepProjection12 { }

[RnnModel(SequenceLength = 7, BatchSize = 3, InputSize = 5)]
[Gru(HiddenSize = 6, Name = "rnn")]
[Dense(OutputSize = 3, Name = "fc")]
public partial class StepGru3 { }

[RnnModel(SequenceLength = 7, BatchSize = 12, InputSize = 5)]
[Gru(HiddenSize = 6, Name = "rnn")]
[Dense(OutputSize = 3, Name = "fc")]
public partial class StepGru12 { }

// Three cell kinds stacked, four recurrent layers, dropout between them (the identity with Training off).
[RnnModel(SequenceLength = 7, BatchSize = 3, InputSize = 5)]
[Lstm(HiddenSize = 6, NumLayers = 2, Dropout = 0.3, Name = "lstm")]
[Gru(HiddenSize = 5, Name = "gru")]
[SimpleRnn(HiddenSize = 4, Nonlinearity = Nonlinearity.Relu, Name = "rnn")]
[Dense(OutputSize = 3, Activation = Activation.Tanh, Name = "fc")]
public partial class StepStack3 { }

[RnnModel(SequenceLength = 7, BatchSize = 12, InputSize = 5)]
[Lstm(HiddenSize = 6, NumLayers = 2, Dropout = 0.3, Name = "lstm")]
[Gru(HiddenSize = 5, Name = "gru")]
[SimpleRnn(HiddenSize = 4, Nonlinearity = Nonlinearity.Relu, Name = "rnn")]
[Dense(OutputSize = 3, Activation = Activation.Tanh, Name = "fc")]
public partial class StepStack12 { }

[RnnModel(SequenceLength = 7, BatchSize = 3, InputSize = 5)]
[Lstm(HiddenSize = 6, NumLayers = 2, LearnInitialState = true, Name = "lstm")]
[Gru(HiddenSize = 5, LearnInitialState = true, Name = "gru")]
[Dense(OutputSize = 3, Name = "fc")]
public partial class StepLearned3 { }

[RnnModel(SequenceLength = 7, BatchSize = 12, InputSize = 5)]
[Lstm(HiddenSize = 6, NumLayers = 2, LearnInitialState = true, Name = "lstm")]
[Gru(HiddenSize = 5, LearnInitialState = true, Name = "gru")]
[Dense(OutputSize = 3, Name = "fc")]
public partial class StepLearned12 { }

[RnnModel(SequenceLength = 7, BatchSize = 3)]
[Embedding(VocabSize = 11, Dim = 4, Name = "embed")]
[Lstm(HiddenSize = 6, Name = "rnn")]
[Dense(OutputSize = 11, Name = "fc")]
[Loss(LossKind.SoftmaxCrossEntropy)]
public partial class StepTokens3 { }

[RnnModel(SequenceLength = 7, BatchSize = 12)]
[Embedding(VocabSize = 11, Dim = 4, Name = "embed")]
[Lstm(HiddenSize = 6, Name = "rnn")]
[Dense(OutputSize = 11, Name = "fc")]
[Loss(LossKind.SoftmaxCrossEntropy)]
public partial class StepTokens12 { }

// ReturnSequences = false: the output is the head applied to the state after the last valid step.
[RnnModel(SequenceLength = 7, BatchSize = 3, InputSize = 5)]
[Dense(OutputSize = 4, Activation = Activation.Relu, Name = "pre")]
[Gru(HiddenSize = 6, NumLayers = 2, ReturnSequences = false, Name = "rnn")]
[Dense(OutputSize = 3, Activation = Activation.Sigmoid, Name = "fc")]
public partial class StepLast3 { }

[RnnModel(SequenceLength = 7, BatchSize = 12, InputSize = 5)]
[Dense(OutputSize = 4, Activation = Activation.Relu, Name = "pre")]
[Gru(HiddenSize = 6, NumLayers = 2, ReturnSequences = false, Name = "rnn")]
[Dense(OutputSize = 3, Activation = Activation.Sigmoid, Name = "fc")]
public partial class StepLast12 { }

// Wide enough that the products have several vector panels and tails, and long enough for many row blocks.
[RnnModel(SequenceLength = 9, BatchSize = 3, InputSize = 29)]
[Lstm(HiddenSize = 37, NumLayers = 2, Name = "rnn")]
[Dense(OutputSize = 19, Name = "fc")]
public partial class StepWide3 { }

[RnnModel(SequenceLength = 9, BatchSize = 12, InputSize = 29)]
[Lstm(HiddenSize = 37, NumLayers = 2, Name = "rnn")]
[Dense(OutputSize = 19, Name = "fc")]
public partial class StepWide12 { }

[RnnModel(SequenceLength = 5, BatchSize = 3, InputSize = 4)]
[Lstm(HiddenSize = 5, Bidirectional = true, Name = "rnn")]
[Dense(OutputSize = 2, Name = "fc")]
public partial class StepBidirectional { }

// Partial batches: the same declaration at several batch sizes, so that a call of `rows` rows can be compared with
// a model declared with BatchSize = rows. 2 and 3 take the fused step, 9 and 12 the packed one, 5 the fused one.

[RnnModel(SequenceLength = 6, BatchSize = 12, InputSize = 4)]
[Lstm(HiddenSize = 6, NumLayers = 2, Name = "lstm")]
[Gru(HiddenSize = 5, LearnInitialState = true, Name = "gru")]
[Dense(OutputSize = 3, Activation = Activation.Tanh, Name = "fc")]
[Loss(LossKind.MeanSquaredError)]
public partial class Regress12 { }

[RnnModel(SequenceLength = 6, BatchSize = 9, InputSize = 4)]
[Lstm(HiddenSize = 6, NumLayers = 2, Name = "lstm")]
[Gru(HiddenSize = 5, LearnInitialState = true, Name = "gru")]
[Dense(OutputSize = 3, Activation = Activation.Tanh, Name = "fc")]
[Loss(LossKind.MeanSquaredError)]
public partial class Regress9 { }

[RnnModel(SequenceLength = 6, BatchSize = 5, InputSize = 4)]
[Lstm(HiddenSize = 6, NumLayers = 2, Name = "lstm")]
[Gru(HiddenSize = 5, LearnInitialState = true, Name = "gru")]
[Dense(OutputSize = 3, Activation = Activation.Tanh, Name = "fc")]
[Loss(LossKind.MeanSquaredError)]
public partial class Regress5 { }

[RnnModel(SequenceLength = 6, BatchSize = 3, InputSize = 4)]
[Lstm(HiddenSize = 6, NumLayers = 2, Name = "lstm")]
[Gru(HiddenSize = 5, LearnInitialState = true, Name = "gru")]
[Dense(OutputSize = 3, Activation = Activation.Tanh, Name = "fc")]
[Loss(LossKind.MeanSquaredError)]
public partial class Regress3 { }

[RnnModel(SequenceLength = 6, BatchSize = 2, InputSize = 4)]
[Lstm(HiddenSize = 6, NumLayers = 2, Name = "lstm")]
[Gru(HiddenSize = 5, LearnInitialState = true, Name = "gru")]
[Dense(OutputSize = 3, Activation = Activation.Tanh, Name = "fc")]
[Loss(LossKind.MeanSquaredError)]
public partial class Regress2 { }

[RnnModel(SequenceLength = 6, BatchSize = 12)]
[Embedding(VocabSize = 11, Dim = 4, Name = "embed")]
[Lstm(HiddenSize = 6, Peephole = true, Name = "lstm")]
[SimpleRnn(HiddenSize = 5, Name = "rnn")]
[Dense(OutputSize = 11, Name = "fc")]
[Loss(LossKind.SoftmaxCrossEntropy)]
public partial class Language12 { }

[RnnModel(SequenceLength = 6, BatchSize = 9)]
[Embedding(VocabSize = 11, Dim = 4, Name = "embed")]
[Lstm(HiddenSize = 6, Peephole = true, Name = "lstm")]
[SimpleRnn(HiddenSize = 5, Name = "rnn")]
[Dense(OutputSize = 11, Name = "fc")]
[Loss(LossKind.SoftmaxCrossEntropy)]
public partial class Language9 { }

[RnnModel(SequenceLength = 6, BatchSize = 5)]
[Embedding(VocabSize = 11, Dim = 4, Name = "embed")]
[Lstm(HiddenSize = 6, Peephole = true, Name = "lstm")]
[SimpleRnn(HiddenSize = 5, Name = "rnn")]
[Dense(OutputSize = 11, Name = "fc")]
[Loss(LossKind.SoftmaxCrossEntropy)]
public partial class Language5 { }

[RnnModel(SequenceLength = 6, BatchSize = 12, InputSize = 4)]
[Gru(HiddenSize = 6, ReturnSequences = false, Name = "gru")]
[Dense(OutputSize = 4, Name = "fc")]
[Loss(LossKind.SoftmaxCrossEntropy)]
public partial class Classify12 { }

[RnnModel(SequenceLength = 6, BatchSize = 5, InputSize = 4)]
[Gru(HiddenSize = 6, ReturnSequences = false, Name = "gru")]
[Dense(OutputSize = 4, Name = "fc")]
[Loss(LossKind.SoftmaxCrossEntropy)]
public partial class Classify5 { }

// Threads: a model with enough work per call that two threads overlap, and larger ones whose products are split
// over the worker pool (one of each batch path), for instances running in parallel.

[RnnModel(SequenceLength = 16, BatchSize = 4, InputSize = 8)]
[Lstm(HiddenSize = 16, Name = "rnn")]
[Dense(OutputSize = 4, Name = "fc")]
[Loss(LossKind.MeanSquaredError)]
public partial class SharedLstm { }

[RnnModel(SequenceLength = 128, BatchSize = 8, InputSize = 16)]
[Lstm(HiddenSize = 64, NumLayers = 2, Name = "rnn")]
[Dense(OutputSize = 4, Name = "fc")]
[Loss(LossKind.MeanSquaredError)]
public partial class SlowLstm { }

[RnnModel(SequenceLength = 12, BatchSize = 3, InputSize = 24)]
[Lstm(HiddenSize = 96, Name = "rnn")]
[Dense(OutputSize = 5, Name = "fc")]
[Loss(LossKind.MeanSquaredError)]
public partial class ParallelSmallBatch { }

[RnnModel(SequenceLength = 12, BatchSize = 16, InputSize = 24)]
[Gru(HiddenSize = 64, Name = "rnn")]
[Dense(OutputSize = 5, Name = "fc")]
[Loss(LossKind.MeanSquaredError)]
public partial class ParallelLargeBatch { }
