using RnnGen;

namespace RnnGen.Tests.Models;

// The declarations of ../shared/reference/cells/manifest.json, verbatim: the LSTM variants and the learned initial state.

[RnnModel(SequenceLength = 6, BatchSize = 3, InputSize = 5)]
[Lstm(HiddenSize = 8, ProjectionSize = 3, Name = "rnn")]
[Dense(OutputSize = 2, Name = "fc")]
[Loss(LossKind.MeanSquaredError)]
public partial class CellLstmProjection { }

[RnnModel(SequenceLength = 5, BatchSize = 3, InputSize = 4)]
[Lstm(HiddenSize = 6, Peephole = true, Name = "rnn")]
[Dense(OutputSize = 2, Name = "fc")]
[Loss(LossKind.MeanSquaredError)]
public partial class CellLstmPeephole { }

[RnnModel(SequenceLength = 5, BatchSize = 3, InputSize = 4)]
[Lstm(HiddenSize = 6, LayerNorm = true, Name = "rnn")]
[Dense(OutputSize = 2, Name = "fc")]
[Loss(LossKind.MeanSquaredError)]
public partial class CellLstmLayernorm { }

[RnnModel(SequenceLength = 5, BatchSize = 3, InputSize = 4)]
[Lstm(HiddenSize = 5, LearnInitialState = true, NumLayers = 2, Name = "rnn")]
[Dense(OutputSize = 2, Name = "fc")]
[Loss(LossKind.MeanSquaredError)]
public partial class CellLstmLearnInit { }
