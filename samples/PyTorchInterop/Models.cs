using RnnGen;

namespace PyTorchInterop;

// PyTorch -> RnnGen: the models interop.py trains, declared with the same sizes. Parameter names are PyTorch's
// state_dict names under each layer's Name ("rnn.weight_ih_l0", "fc.weight", ...), so the state_dict loads as is.

/// <summary>nn.LSTM(3, 16, num_layers=2, batch_first=True) + nn.Linear(16, 2) at every step.</summary>
[RnnModel(SequenceLength = 12, BatchSize = 8, InputSize = 3)]
[Lstm(HiddenSize = 16, NumLayers = 2, Name = "rnn")]
[Dense(OutputSize = 2, Name = "fc")]
public partial class TorchLstmSequence { }

/// <summary>nn.GRU(3, 12, bidirectional=True, batch_first=True) + nn.Linear(24, 4) on the final states (h_n).</summary>
[RnnModel(SequenceLength = 12, BatchSize = 8, InputSize = 3)]
[Gru(HiddenSize = 12, Bidirectional = true, ReturnSequences = false, Name = "rnn")]
[Dense(OutputSize = 4, Name = "fc")]
public partial class TorchBiGruLast { }

// RnnGen -> PyTorch: models trained here with Trainer.Fit; interop.py loads them into nn.LSTM/nn.GRU + nn.Linear.

/// <summary>A 2-layer bidirectional LSTM classifier of ragged sequences (which of three patterns a noisy sequence carries).</summary>
[RnnModel(SequenceLength = 16, BatchSize = 32, InputSize = 2)]
[Lstm(HiddenSize = 24, NumLayers = 2, Bidirectional = true, ReturnSequences = false, Name = "rnn")]
[Dense(OutputSize = 3, Name = "fc")]
[Loss(LossKind.SoftmaxCrossEntropy)]
public partial class BiLstmClassifier { }

/// <summary>A GRU that outputs, at every step, the running mean of its first feature so far.</summary>
[RnnModel(SequenceLength = 16, BatchSize = 32, InputSize = 2)]
[Gru(HiddenSize = 16, Name = "rnn")]
[Dense(OutputSize = 1, Name = "fc")]
[Loss(LossKind.MeanSquaredError)]
public partial class GruRunningMean { }
