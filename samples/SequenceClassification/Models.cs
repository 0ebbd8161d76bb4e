using RnnGen;

namespace SequenceClassification;

/// <summary>
/// Reads a whole sequence of up to 48 steps both ways and classifies it: a bidirectional GRU whose final states
/// (forward at each row's last valid step, backward at step 0: PyTorch's h_n) feed one Dense layer of class logits.
/// </summary>
[RnnModel(SequenceLength = Motifs.MaxLength, BatchSize = 32, InputSize = 1)]
[Gru(HiddenSize = 32, Bidirectional = true, ReturnSequences = false, Name = "rnn")]
[Dense(OutputSize = Motifs.ClassCount, Name = "fc")]
[Loss(LossKind.SoftmaxCrossEntropy)]
public partial class MotifClassifier { }
