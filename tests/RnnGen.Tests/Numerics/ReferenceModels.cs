using RnnGen;

namespace RnnGen.Tests.Models;

// The declarations of ../shared/reference/manifest.json, verbatim: each builds the model PyTorch ran.

[RnnModel(SequenceLength = 6, BatchSize = 3, InputSize = 5)]
[SimpleRnn(HiddenSize = 7, Name = "rnn")]
[Dense(OutputSize = 3, Name = "fc")]
[Loss(LossKind.MeanSquaredError)]
public partial class RnnTanhMse { }

[RnnModel(SequenceLength = 6, BatchSize = 3, InputSize = 5)]
[SimpleRnn(HiddenSize = 7, Nonlinearity = Nonlinearity.Relu, Name = "rnn")]
[Dense(OutputSize = 3, Name = "fc")]
[Loss(LossKind.MeanSquaredError)]
public partial class RnnReluMse { }

[RnnModel(SequenceLength = 6, BatchSize = 3, InputSize = 5)]
[Lstm(HiddenSize = 8, NumLayers = 2, Name = "rnn")]
[Dense(OutputSize = 4, Name = "fc")]
[Loss(LossKind.MeanSquaredError)]
public partial class Lstm2layerMse { }

[RnnModel(SequenceLength = 6, BatchSize = 3, InputSize = 5)]
[Gru(HiddenSize = 8, NumLayers = 2, Name = "rnn")]
[Dense(OutputSize = 4, Name = "fc")]
[Loss(LossKind.MeanSquaredError)]
public partial class Gru2layerMse { }

[RnnModel(SequenceLength = 5, BatchSize = 2, InputSize = 4)]
[Lstm(HiddenSize = 6, Bidirectional = true, Name = "rnn")]
[Dense(OutputSize = 3, Name = "fc")]
[Loss(LossKind.MeanSquaredError)]
public partial class LstmBidirMse { }

[RnnModel(SequenceLength = 6, BatchSize = 3, InputSize = 5)]
[Gru(HiddenSize = 8, Name = "rnn")]
[Dense(OutputSize = 2, Name = "fc")]
[Loss(LossKind.MeanSquaredError)]
public partial class GruVarlenMse { }

[RnnModel(SequenceLength = 7, BatchSize = 4, InputSize = 6)]
[Lstm(HiddenSize = 16, ReturnSequences = false, Name = "rnn")]
[Dense(OutputSize = 5, Name = "fc")]
[Loss(LossKind.SoftmaxCrossEntropy)]
public partial class LstmLastCe { }

[RnnModel(SequenceLength = 8, BatchSize = 2)]
[Embedding(VocabSize = 11, Dim = 6, Name = "embed")]
[Gru(HiddenSize = 12, Name = "rnn")]
[Dense(OutputSize = 11, Name = "fc")]
[Loss(LossKind.SoftmaxCrossEntropy)]
public partial class EmbedGruLmCe { }

[RnnModel(SequenceLength = 4, BatchSize = 2, InputSize = 3)]
[Lstm(HiddenSize = 5, Name = "rnn")]
[Dense(OutputSize = 2, Activation = Activation.Tanh, Name = "fc")]
[Loss(LossKind.MeanSquaredError)]
public partial class LstmDenseTanh { }
