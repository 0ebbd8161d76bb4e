using System;

namespace RnnGen.Training;

/// <summary>Where a dataset's sequences live: each sequence's input and target are contiguous, so they are read without copying.</summary>
internal abstract class SequenceSource<TInput, TTarget>
    where TInput : unmanaged
    where TTarget : unmanaged
{
    public abstract int Count { get; }

    public abstract int InputLength { get; }

    public abstract int TargetLength { get; }

    public abstract bool HasLengths { get; }

    public abstract ReadOnlySpan<TInput> Input(int index);

    public abstract ReadOnlySpan<TTarget> Target(int index);

    /// <summary>The valid length of a sequence; only called when <see cref="HasLengths"/>.</summary>
    public abstract int Length(int index);
}

/// <summary>Sequences stored back to back: inputs [N, InputLength], targets [N, TargetLength], lengths [N].</summary>
internal sealed class ArraySource<TInput, TTarget>(TInput[] inputs, TTarget[] targets, int[]? lengths, int count) : SequenceSource<TInput, TTarget>
    where TInput : unmanaged
    where TTarget : unmanaged
{
    public override int Count => count;

    public override int InputLength { get; } = inputs.Length / count;

    public override int TargetLength { get; } = targets.Length / count;

    public override bool HasLengths => lengths is not null;

    public override ReadOnlySpan<TInput> Input(int index) => inputs.AsSpan(index * InputLength, InputLength);

    public override ReadOnlySpan<TTarget> Target(int index) => targets.AsSpan(index * TargetLength, TargetLength);

    public override int Length(int index) => lengths![index];
}

/// <summary>
/// Windows over one series [steps, features]: window i starts at step i·stride; its target is the step
/// <c>horizon</c> after its last step, or (sequence targets) the window shifted by <c>horizon</c>.
/// </summary>
internal sealed class WindowSource<T>(T[] series, int features, int window, int horizon, int stride, bool sequenceTargets, int count)
    : SequenceSource<T, T>
    where T : unmanaged
{
    public override int Count => count;

    public override int InputLength => window * features;

    public override int TargetLength => sequenceTargets ? window * features : features;

    public override bool HasLengths => false;

    public override ReadOnlySpan<T> Input(int index) => series.AsSpan(index * stride * features, window * features);

    public override ReadOnlySpan<T> Target(int index) => sequenceTargets
        ? series.AsSpan(((index * stride) + horizon) * features, window * features)
        : series.AsSpan(((index * stride) + window - 1 + horizon) * features, features);

    public override int Length(int index) => throw new InvalidOperationException("Windows are full length.");
}
