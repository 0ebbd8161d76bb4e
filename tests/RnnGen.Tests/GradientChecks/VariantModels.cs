using RnnGen;

namespace RnnGen.Tests.GradientChecks;

// The LSTM variants and the learned initial state, as a user would declare them, for the finite-difference checks:
// hidden sizes 17 (a 16-lane body and a tail) and 33 (two bodies and a tail), B = 3 (the fused step where the cell
// allows it) and B = 10 (the packed product), ragged lengths throughout.

[RnnModel(SequenceLength = 5, BatchSize = 3, InputSize = 4)]
[Lstm(HiddenSize = 17, Peephole = true, Name = "rnn")]
[Dense(OutputSize = 2, Name = "fc")]
[Loss(LossKind.MeanSquaredError)]
public partial class PeepholeLstmSmallBatch { }

[RnnModel(SequenceLength = 4, BatchSize = 10, InputSize = 3)]
[Lstm(HiddenSize = 33, Peephole = true, Name = "rnn")]
[Dense(OutputSize = 2, Name = "fc")]
[Loss(LossKind.MeanSquaredError)]
public partial class PeepholeLstmLargeBatch { }

[RnnModel(SequenceLength = 5, BatchSize = 3, InputSize = 4)]
[Lstm(HiddenSize = 17, LayerNorm = true, Name = "rnn")]
[Dense(OutputSize = 2, Name = "fc")]
[Loss(LossKind.MeanSquaredError)]
public partial class LayerNormLstmSmallBatch { }

[RnnModel(SequenceLength = 4, BatchSize = 10, InputSize = 3)]
[Lstm(HiddenSize = 33, LayerNorm = true, Name = "rnn")]
[Dense(OutputSize = 2, Name = "fc")]
[Loss(LossKind.MeanSquaredError)]
public partial class LayerNormLstmLargeBatch { }

[RnnModel(SequenceLength = 5, BatchSize = 3, InputSize = 4)]
[Lstm(HiddenSize = 17, ProjectionSize = 5, Name = "rnn")]
[Dense(OutputSize = 2, Name = "fc")]
[Loss(LossKind.MeanSquaredError)]
public partial class ProjectionLstmSmallBatch { }

[RnnModel(SequenceLength = 4, BatchSize = 10, InputSize = 3)]
[Lstm(HiddenSize = 33, ProjectionSize = 7, Name = "rnn")]
[Dense(OutputSize = 2, Name = "fc")]
[Loss(LossKind.MeanSquaredError)]
public partial class ProjectionLstmLargeBatch { }

[RnnModel(SequenceLength = 5, BatchSize = 3, InputSize = 4)]
[Lstm(HiddenSize = 17, NumLayers = 2, LearnInitialState = true, Name = "rnn")]
[Dense(OutputSize = 2, Name = "fc")]
[Loss(LossKind.MeanSquaredError)]
public partial class LearnedStateLstm { }

[RnnModel(SequenceLength = 4, BatchSize = 10, InputSize = 3)]
[Lstm(HiddenSize = 17, ProjectionSize = 4, LearnInitialState = true, Name = "rnn")]
[Dense(OutputSize = 2, Name = "fc")]
[Loss(LossKind.MeanSquaredError)]
public partial class LearnedStateProjectionLstmLargeBatch { }

[RnnModel(SequenceLength = 4, BatchSize = 10, InputSize = 3)]
[Gru(HiddenSize = 17, Bidirectional = true, LearnInitialState = true, Name = "gru")]
[Dense(OutputSize = 2, Name = "fc")]
[Loss(LossKind.MeanSquaredError)]
public partial class LearnedStateGru { }

[RnnModel(SequenceLength = 5, BatchSize = 3, InputSize = 4)]
[SimpleRnn(HiddenSize = 33, NumLayers = 2, LearnInitialState = true, Name = "rnn")]
[Dense(OutputSize = 2, Name = "fc")]
[Loss(LossKind.MeanSquaredError)]
public partial class LearnedStateRnn { }

// Combinations a user would declare.

[RnnModel(SequenceLength = 4, BatchSize = 3, InputSize = 4)]
[Lstm(HiddenSize = 17, ProjectionSize = 6, NumLayers = 2, Bidirectional = true, Name = "rnn")]
[Dense(OutputSize = 2, Name = "fc")]
[Loss(LossKind.MeanSquaredError)]
public partial class ProjectionBidirectionalDeepLstm { }

[RnnModel(SequenceLength = 4, BatchSize = 10, InputSize = 3)]
[Lstm(HiddenSize = 17, LayerNorm = true, Bidirectional = true, Name = "rnn")]
[Dense(OutputSize = 2, Name = "fc")]
[Loss(LossKind.MeanSquaredError)]
public partial class LayerNormBidirectionalLstm { }

[RnnModel(SequenceLength = 5, BatchSize = 3, InputSize = 4)]
[Lstm(HiddenSize = 17, Peephole = true, LayerNorm = true, Name = "rnn")]
[Dense(OutputSize = 2, Name = "fc")]
[Loss(LossKind.MeanSquaredError)]
public partial class PeepholeLayerNormLstm { }
