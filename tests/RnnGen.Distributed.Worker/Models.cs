using RnnGen;

namespace RnnGen.Distributed.Worker;

// Each cell twice: BatchSize = B (one rank's shard) and BatchSize = 2B (one process with the whole batch).
// Same layers and names, so the same seed gives the same initial parameters.

/// <summary>Token LSTM language model, one rank's shard of 3 rows (the fused small-batch step).</summary>
[RnnModel(SequenceLength = 7, BatchSize = 3)]
[Embedding(VocabSize = 11, Dim = 4, Name = "embed")]
[Lstm(HiddenSize = 8, NumLayers = 2, Name = "lstm")]
[Dense(OutputSize = 11, Name = "head")]
[Loss(LossKind.SoftmaxCrossEntropy)]
public partial class LstmShard { }

/// <summary>The same LSTM over the whole batch of 6 rows.</summary>
[RnnModel(SequenceLength = 7, BatchSize = 6)]
[Embedding(VocabSize = 11, Dim = 4, Name = "embed")]
[Lstm(HiddenSize = 8, NumLayers = 2, Name = "lstm")]
[Dense(OutputSize = 11, Name = "head")]
[Loss(LossKind.SoftmaxCrossEntropy)]
public partial class LstmWhole { }

/// <summary>Bidirectional GRU regression, one rank's shard of 5 rows.</summary>
[RnnModel(SequenceLength = 9, BatchSize = 5, InputSize = 3)]
[Gru(HiddenSize = 6, Bidirectional = true, Name = "gru")]
[Dense(OutputSize = 2, Activation = Activation.Tanh, Name = "fc")]
[Loss(LossKind.MeanSquaredError)]
public partial class GruShard { }

/// <summary>The same GRU over the whole batch of 10 rows (the large-batch packed-product step).</summary>
[RnnModel(SequenceLength = 9, BatchSize = 10, InputSize = 3)]
[Gru(HiddenSize = 6, Bidirectional = true, Name = "gru")]
[Dense(OutputSize = 2, Activation = Activation.Tanh, Name = "fc")]
[Loss(LossKind.MeanSquaredError)]
public partial class GruWhole { }
