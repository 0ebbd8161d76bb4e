using RnnGen;

namespace AddingProblem;

// One model per cell and length: the generator fixes T at compile time. Each reads [T, 2] (value, marker)
// and regresses the sum of the two marked values from its last hidden state.

[RnnModel(SequenceLength = 50, BatchSize = 32, InputSize = 2)]
[SimpleRnn(HiddenSize = 32, ReturnSequences = false, Name = "rnn")]
[Dense(OutputSize = 1, Name = "fc")]
[Loss(LossKind.MeanSquaredError)]
public partial class SimpleRnn50 { }

[RnnModel(SequenceLength = 50, BatchSize = 32, InputSize = 2)]
[Lstm(HiddenSize = 32, ReturnSequences = false, ForgetBias = 1, Name = "rnn")]
[Dense(OutputSize = 1, Name = "fc")]
[Loss(LossKind.MeanSquaredError)]
public partial class Lstm50 { }

[RnnModel(SequenceLength = 50, BatchSize = 32, InputSize = 2)]
[Gru(HiddenSize = 32, ReturnSequences = false, Name = "rnn")]
[Dense(OutputSize = 1, Name = "fc")]
[Loss(LossKind.MeanSquaredError)]
public partial class Gru50 { }

[RnnModel(SequenceLength = 150, BatchSize = 32, InputSize = 2)]
[SimpleRnn(HiddenSize = 32, ReturnSequences = false, Name = "rnn")]
[Dense(OutputSize = 1, Name = "fc")]
[Loss(LossKind.MeanSquaredError)]
public partial class SimpleRnn150 { }

[RnnModel(SequenceLength = 150, BatchSize = 32, InputSize = 2)]
[Lstm(HiddenSize = 32, ReturnSequences = false, ForgetBias = 1, Name = "rnn")]
[Dense(OutputSize = 1, Name = "fc")]
[Loss(LossKind.MeanSquaredError)]
public partial class Lstm150 { }

[RnnModel(SequenceLength = 150, BatchSize = 32, InputSize = 2)]
[Gru(HiddenSize = 32, ReturnSequences = false, Name = "rnn")]
[Dense(OutputSize = 1, Name = "fc")]
[Loss(LossKind.MeanSquaredError)]
public partial class Gru150 { }
