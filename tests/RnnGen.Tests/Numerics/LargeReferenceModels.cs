using RnnGen;

namespace RnnGen.Tests.Models;

// The declarations of ../shared/reference/large/manifest.json, verbatim: batches above 8, so every
// step multiplies by the weights packed once per call (the large-batch path), with padded rows.

[RnnModel(SequenceLength = 9, BatchSize = 12, InputSize = 6)]
[Lstm(HiddenSize = 10, Bidirectional = true, Name = "rnn")]
[Dense(OutputSize = 3, Name = "fc")]
[Loss(LossKind.MeanSquaredError)]
public partial class LstmBidirVarlenB12Mse { }

[RnnModel(SequenceLength = 8, BatchSize = 16)]
[Embedding(VocabSize = 13, Dim = 5, Name = "embed")]
[Gru(HiddenSize = 12, Name = "rnn")]
[Dense(OutputSize = 13, Name = "fc")]
[Loss(LossKind.SoftmaxCrossEntropy)]
public partial class GruLmVarlenB16Ce { }

[RnnModel(SequenceLength = 6, BatchSize = 10, InputSize = 5)]
[SimpleRnn(HiddenSize = 9, Nonlinearity = Nonlinearity.Relu, ReturnSequences = false, Name = "rnn")]
[Dense(OutputSize = 4, Name = "fc")]
[Loss(LossKind.SoftmaxCrossEntropy)]
public partial class RnnReluLastB10Ce { }
