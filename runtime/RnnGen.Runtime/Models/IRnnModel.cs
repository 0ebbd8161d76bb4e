using System;

namespace RnnGen;

/// <summary>
/// What every generated model offers, whatever its layers: shapes, parameter and state sets, modes, and the
/// backward pass from an output gradient. Code that trains, saves or serves any model works through it;
/// <see cref="IRnnModel{TInput}"/> adds the passes and <see cref="ILossModel{TTarget}"/> the loss.
/// </summary>
public interface IRnnModel
{
    /// <summary>Time steps per sequence (T).</summary>
    int SequenceLength { get; }

    /// <summary>Most sequences per call (B); a call may pass fewer.</summary>
    int BatchSize { get; }

    /// <summary>Values per step of the input (features, or 1 token id).</summary>
    int InputSize { get; }

    /// <summary>Features per step (or per sequence) of the output.</summary>
    int OutputSize { get; }

    /// <summary>Whether the input is token ids (the first layer is an embedding).</summary>
    bool TokenInput { get; }

    /// <summary>Whether the output has a time axis, [B, T, O]; else it is [B, O].</summary>
    bool SequenceOutput { get; }

    /// <summary>Whether <see cref="IRnnModel{TInput}.Step"/> is available (no layer is bidirectional).</summary>
    bool CanStep { get; }

    ParameterSet Parameters { get; }

    ParameterSet Gradients { get; }

    ParameterSet InitialState { get; }

    ParameterSet FinalState { get; }

    ParameterSet InitialStateGradient { get; }

    ParameterSet FinalStateGradient { get; }

    bool CarryState { get; set; }

    bool Training { get; set; }

    /// <summary>dLoss/dInput [B, T, I] from the last Backward (0 at padded steps); empty for token-id input.</summary>
    ReadOnlySpan<float> InputGradient { get; }

    /// <summary>The generator dropout draws from.</summary>
    DeterministicRandom DropoutRandom { get; }

    void ZeroGradients();

    void ResetState();

    /// <summary>Back-propagates a gradient of the last Forward's output, adding to <see cref="Gradients"/>.</summary>
    void Backward(ReadOnlySpan<float> outputGradient);
}

/// <summary>A model whose input elements are <typeparamref name="TInput"/> (<c>float</c> features, or <c>int</c> token ids).</summary>
public interface IRnnModel<TInput> : IRnnModel
    where TInput : unmanaged
{
    /// <summary>Runs whole sequences, batch-first: input [B, T, I] into output [B, T, O] (or [B, O]); lengths mark right padding.</summary>
    void Forward(ReadOnlySpan<TInput> input, Span<float> output, ReadOnlySpan<int> lengths = default);

    /// <summary>Advances a stream one step: input [B, I] into output [B, O]. Throws <see cref="NotSupportedException"/> when <see cref="IRnnModel.CanStep"/> is false.</summary>
    void Step(ReadOnlySpan<TInput> input, Span<float> output);
}

/// <summary>A model with a declared loss, whose targets are <typeparamref name="TTarget"/> (<c>int</c> classes or <c>float</c> values).</summary>
public interface ILossModel<TTarget> : IRnnModel
    where TTarget : unmanaged
{
    /// <summary>The loss declared by <c>[Loss]</c>.</summary>
    LossKind LossKind { get; }

    /// <summary>The class a cross-entropy loss ignores (<c>[Loss(IgnoreIndex = ...)]</c>, −100 by default as in PyTorch).</summary>
    int IgnoreIndex { get; }

    /// <summary>The loss of the last Forward, the mean over valid positions; prepares <see cref="Backward"/>.</summary>
    float Loss(ReadOnlySpan<TTarget> target);

    /// <summary>Back-propagates the last <see cref="Loss"/>, adding to <see cref="IRnnModel.Gradients"/>.</summary>
    void Backward();
}
