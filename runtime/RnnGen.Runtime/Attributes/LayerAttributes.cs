using System;

namespace RnnGen;

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

    /// <summary>
    /// When true, the initial state is a parameter (<c>name.h0</c>, and <c>name.c0</c> for an LSTM, shape
    /// <c>[layers·directions, H]</c>), the same for every row, trained like any weight; its gradient is the sum over rows.
    /// </summary>
    public bool LearnInitialState { get; set; }

    public string? Name { get; set; }
}

/// <summary>Elman RNN: <c>h' = act(W_ih x + b_ih + W_hh h + b_hh)</c>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class SimpleRnnAttribute : RecurrentLayerAttribute
{
    public Nonlinearity Nonlinearity { get; set; } = Nonlinearity.Tanh;
}

/// <summary>LSTM with PyTorch's gate order <c>i, f, g, o</c>, and its variants.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class LstmAttribute : RecurrentLayerAttribute
{
    /// <summary>
    /// P &gt; 0 projects each output: h = W_hr·(o⊙tanh c), as PyTorch's <c>nn.LSTM(proj_size=P)</c>
    /// (<c>weight_hr_l0</c> [P, H]; <c>weight_hh_l0</c> [4H, P]; outputs and h of size P). 0: none.
    /// </summary>
    public int ProjectionSize { get; set; }

    /// <summary>Peephole connections (Gers &amp; Schmidhuber 2000): <c>weight_ci_l0</c>, <c>weight_cf_l0</c>, <c>weight_co_l0</c>, each [H].</summary>
    public bool Peephole { get; set; }

    /// <summary>
    /// Layer normalisation (Ba, Kiros &amp; Hinton 2016) of the input and recurrent pre-activations and of the cell
    /// state before its tanh: <c>layer_norm_{ih,hh,c}_{weight,bias}_l0</c>, and no <c>bias_ih</c> / <c>bias_hh</c>.
    /// </summary>
    public bool LayerNorm { get; set; }

    /// <summary>
    /// Initial value of the forget gate's bias (1 is Keras's <c>unit_forget_bias</c>, which helps long sequences).
    /// 0 keeps PyTorch's default initialisation; any other value sets the forget slice of <c>bias_ih</c> (of the input
    /// layer norm's bias with <see cref="LayerNorm"/>) to it and that of <c>bias_hh</c> to 0.
    /// </summary>
    public double ForgetBias { get; set; }
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

    /// <summary><see cref="LossKind.Huber"/>: where the loss turns from quadratic to linear (PyTorch's <c>delta</c>, default 1).</summary>
    public double Delta { get; set; } = 1.0;

    /// <summary><see cref="LossKind.SoftmaxCrossEntropy"/>: a target class that contributes nothing (PyTorch's <c>ignore_index</c>, default −100).</summary>
    public int IgnoreIndex { get; set; } = -100;
}
