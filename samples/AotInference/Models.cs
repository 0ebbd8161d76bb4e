using RnnGen;

namespace AotInference;

/// <summary>
/// A one-row streaming-latency shape: 25 steps of 32 features through an LSTM of 256 units, and
/// 8 outputs per step. Inference only, so no loss is declared.
/// </summary>
[RnnModel(SequenceLength = 25, BatchSize = 1, InputSize = 32)]
[Lstm(HiddenSize = 256, Name = "lstm")]
[Dense(OutputSize = 8, Name = "head")]
public partial class Tagger { }
