using System;

namespace RnnGen;

/// <summary>Non-linearity of a <see cref="SimpleRnnAttribute"/> layer.</summary>
public enum Nonlinearity
{
    Tanh = 0,
    Relu = 1,
}

/// <summary>Activation applied by a <see cref="DenseAttribute"/> layer.</summary>
public enum Activation
{
    None = 0,
    Tanh = 1,
    Relu = 2,
    Sigmoid = 3,
}

/// <summary>Training objective declared by <see cref="LossAttribute"/>.</summary>
public enum LossKind
{
    /// <summary>Softmax over the last dimension, then negative log-likelihood of the target class.</summary>
    SoftmaxCrossEntropy = 0,

    /// <summary>Mean of squared differences over every feature of every valid position.</summary>
    MeanSquaredError = 1,
}

/// <summary>Token-id input: a lookup table of <c>[VocabSize, Dim]</c> (PyTorch <c>nn.Embedding</c>). First layer only.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class EmbeddingAttribute : Attribute
{
    public int VocabSize { get; set; }
    public int Dim { get; set; }
    public string? Name { get; set; }
}

/// <summary>Properties shared by the recurrent layers (PyTorch <c>nn.RNN</c>, <c>nn.LSTM</c>, <c>nn.GRU</c>).</summary>
public abstract class RecurrentLayerAttribute : Attribute
{
    public int HiddenSize { get; set; }
    public int NumLayers { get; set; } = 1;
    public bool Bidirectional { get; set; }

    /// <summary>Dropout probability on the outputs of every stacked layer but the last; training only.</summary>
    public double Dropout { get; set; }

    /// <summary>When false, only the last valid step's hidden state is passed on (PyTorch's <c>h_n</c> of the top layer).</summary>
    public bool ReturnSequences { get; set; } = true;

    public string? Name { get; set; }
}

/// <summary>Elman RNN: <c>h' = act(W_ih x + b_ih + W_hh h + b_hh)</c>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class SimpleRnnAttribute : RecurrentLayerAttribute
{
    public Nonlinearity Nonlinearity { get; set; } = Nonlinearity.Tanh;
}

/// <summary>LSTM with PyTorch's gate order <c>i, f, g, o</c>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class LstmAttribute : RecurrentLayerAttribute
{
}

/// <summary>GRU with PyTorch's gate order <c>r, z, n</c>; the reset gate multiplies <c>W_hn h + b_hn</c>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class GruAttribute : RecurrentLayerAttribute
{
}

/// <summary>Fully connected layer <c>y = act(W x + b)</c>, <c>W: [OutputSize, in]</c>; per step when the layer before returns sequences.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class DenseAttribute : Attribute
{
    public int OutputSize { get; set; }
    public Activation Activation { get; set; } = Activation.None;
    public string? Name { get; set; }
}

/// <summary>The model's loss; optional, and last when present.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class LossAttribute : Attribute
{
    public LossAttribute(LossKind kind) => Kind = kind;

    public LossKind Kind { get; }
}
