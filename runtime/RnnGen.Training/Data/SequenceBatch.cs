using System;

namespace RnnGen.Training;

/// <summary>
/// One batch of sequences, row after row, in the layout the generated models take: inputs [rows, T, I] (or
/// [rows, T] token ids), targets [rows, ·], and lengths [rows] when the dataset has them. The last batch of an
/// epoch may have fewer rows than the batch size; models accept that. The spans stay valid until the next
/// batch is taken from the same enumeration.
/// </summary>
public readonly struct SequenceBatch<TInput, TTarget>
    where TInput : unmanaged
    where TTarget : unmanaged
{
    private readonly TInput[] _inputs;
    private readonly TTarget[] _targets;
    private readonly int[]? _lengths;
    private readonly int _inputLength;
    private readonly int _targetLength;

    internal SequenceBatch(TInput[] inputs, TTarget[] targets, int[]? lengths, int rows, int inputLength, int targetLength)
    {
        _inputs = inputs;
        _targets = targets;
        _lengths = lengths;
        Rows = rows;
        _inputLength = inputLength;
        _targetLength = targetLength;
    }

    /// <summary>Sequences in this batch.</summary>
    public int Rows { get; }

    /// <summary>The inputs, <c>Rows × InputLength</c> elements.</summary>
    public ReadOnlySpan<TInput> Inputs => _inputs.AsSpan(0, Rows * _inputLength);

    /// <summary>The targets, <c>Rows × TargetLength</c> elements.</summary>
    public ReadOnlySpan<TTarget> Targets => _targets.AsSpan(0, Rows * _targetLength);

    /// <summary>Each row's valid length; empty when the dataset has no lengths (every row full length).</summary>
    public ReadOnlySpan<int> Lengths => _lengths is null ? default : _lengths.AsSpan(0, Rows);
}
