// Compiled into the runtime and, as a linked file, into the generator (RNNGEN_GENERATOR), so that the
// generator reads attribute values as these enums instead of mirroring them as numbers.
#if RNNGEN_GENERATOR
namespace RnnGen.Generator;
#else
namespace RnnGen;
#endif

/// <summary>Non-linearity of a <c>[SimpleRnn]</c> layer.</summary>
public enum Nonlinearity
{
    Tanh = 0,
    Relu = 1,
}

/// <summary>Activation applied by a <c>[Dense]</c> layer.</summary>
public enum Activation
{
    None = 0,
    Tanh = 1,
    Relu = 2,
    Sigmoid = 3,
}

/// <summary>Training objective declared by <c>[Loss]</c>; each is the mean over valid positions.</summary>
public enum LossKind
{
    /// <summary>Softmax over the last dimension, then negative log-likelihood of the target class (int targets).</summary>
    SoftmaxCrossEntropy = 0,

    /// <summary>Mean of squared differences over every feature of every valid position.</summary>
    MeanSquaredError = 1,

    /// <summary>Sigmoid and binary cross-entropy in one stable step, targets in [0, 1] (PyTorch's <c>BCEWithLogitsLoss</c>).</summary>
    BinaryCrossEntropyWithLogits = 2,

    /// <summary>Quadratic within <c>Delta</c> of the target, linear beyond (PyTorch's <c>HuberLoss</c>).</summary>
    Huber = 3,

    /// <summary>Mean of absolute differences (PyTorch's <c>L1Loss</c>).</summary>
    MeanAbsoluteError = 4,
}
