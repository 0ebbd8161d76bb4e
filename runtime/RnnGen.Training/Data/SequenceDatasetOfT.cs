using System;
using System.Collections.Generic;

namespace RnnGen.Training;

/// <summary>
/// Sequences for training or evaluating a generated model: each has an input (<c>float</c> features or
/// <c>int</c> token ids, [T, I] row-major), a target of the model's loss type (<c>float</c> values or
/// <c>int</c> classes, e.g. [T, O], [O], [T] or one class) and, for ragged data, a valid length.
/// Build one from arrays with the constructor, from a series with <see cref="SequenceDataset.Windows{T}"/>,
/// from ragged sequences with <see cref="SequenceDataset.Pad{T}"/>; take batches with <see cref="Batches"/>,
/// a held-out part with <see cref="Split"/>.
/// </summary>
public sealed class SequenceDataset<TInput, TTarget>
    where TInput : unmanaged
    where TTarget : unmanaged
{
    private readonly SequenceSource<TInput, TTarget> _source;
    private readonly int[]? _indices;

    /// <summary>
    /// Copies <paramref name="count"/> sequences stored back to back: <paramref name="inputs"/> holds
    /// <c>count × InputLength</c> elements and <paramref name="targets"/> <c>count × TargetLength</c>.
    /// </summary>
    /// <param name="lengths">Each sequence's valid length (right padding after it), or empty when all are full length.</param>
    public SequenceDataset(ReadOnlySpan<TInput> inputs, ReadOnlySpan<TTarget> targets, int count, ReadOnlySpan<int> lengths = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        if (inputs.IsEmpty || inputs.Length % count != 0)
        {
            throw new ArgumentException($"inputs has {inputs.Length} elements, which is not {count} equal, non-empty sequences.", nameof(inputs));
        }

        if (targets.IsEmpty || targets.Length % count != 0)
        {
            throw new ArgumentException($"targets has {targets.Length} elements, which is not {count} equal, non-empty targets.", nameof(targets));
        }

        if (!lengths.IsEmpty)
        {
            if (lengths.Length != count)
            {
                throw new ArgumentException($"lengths has {lengths.Length} entries; there are {count} sequences.", nameof(lengths));
            }

            for (int i = 0; i < count; i++)
            {
                if (lengths[i] < 1)
                {
                    throw new ArgumentException($"lengths[{i}] is {lengths[i]}; a sequence has at least one valid step.", nameof(lengths));
                }
            }
        }

        _source = new ArraySource<TInput, TTarget>(inputs.ToArray(), targets.ToArray(), lengths.IsEmpty ? null : lengths.ToArray(), count);
    }

    internal SequenceDataset(SequenceSource<TInput, TTarget> source, int[]? indices = null)
    {
        _source = source;
        _indices = indices;
    }

    /// <summary>Number of sequences.</summary>
    public int Count => _indices?.Length ?? _source.Count;

    /// <summary>Input elements per sequence (T·I, or T token ids).</summary>
    public int InputLength => _source.InputLength;

    /// <summary>Target elements per sequence.</summary>
    public int TargetLength => _source.TargetLength;

    /// <summary>Whether the sequences have valid lengths (ragged data); else every sequence is full length.</summary>
    public bool HasLengths => _source.HasLengths;

    /// <summary>The input of sequence <paramref name="index"/>, <see cref="InputLength"/> elements.</summary>
    public ReadOnlySpan<TInput> GetInput(int index) => _source.Input(Map(index));

    /// <summary>The target of sequence <paramref name="index"/>, <see cref="TargetLength"/> elements.</summary>
    public ReadOnlySpan<TTarget> GetTarget(int index) => _source.Target(Map(index));

    /// <summary>The valid length of sequence <paramref name="index"/>, or 0 when the dataset has no lengths (full length).</summary>
    public int GetLength(int index)
    {
        int i = Map(index);
        return _source.HasLengths ? _source.Length(i) : 0;
    }

    /// <summary>The sequences at <paramref name="indices"/>, in that order (a view: nothing is copied).</summary>
    public SequenceDataset<TInput, TTarget> Subset(ReadOnlySpan<int> indices)
    {
        if (indices.IsEmpty)
        {
            throw new ArgumentException("A subset needs at least one index.", nameof(indices));
        }

        var mapped = new int[indices.Length];
        for (int i = 0; i < indices.Length; i++)
        {
            if ((uint)indices[i] >= (uint)Count)
            {
                throw new ArgumentOutOfRangeException(nameof(indices), $"indices[{i}] is {indices[i]}; the dataset has {Count} sequences.");
            }

            mapped[i] = Map(indices[i]);
        }

        return new SequenceDataset<TInput, TTarget>(_source, mapped);
    }

    /// <summary>
    /// Holds out a fraction for validation. Without a seed the last sequences are held out, as Keras's
    /// <c>validation_split</c> does (right for a time series, where the future must not leak into training);
    /// with one, a seeded random choice. The training part keeps <c>floor(Count × (1 − fraction))</c> sequences.
    /// </summary>
    public (SequenceDataset<TInput, TTarget> Train, SequenceDataset<TInput, TTarget> Validation) Split(double validationFraction, ulong? shuffleSeed = null)
    {
        if (!(validationFraction > 0 && validationFraction < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(validationFraction), validationFraction, "Must be in (0, 1).");
        }

        int train = (int)Math.Floor(Count * (1 - validationFraction));
        if (train < 1 || train >= Count)
        {
            throw new ArgumentException(
                $"Holding out {validationFraction:R} of {Count} sequences leaves {train} for training and {Count - train} for validation; each part needs at least one.",
                nameof(validationFraction));
        }

        int[] order = Shuffling.Order(Count, shuffleSeed is ulong seed ? new DeterministicRandom(seed) : null);
        return (Subset(order.AsSpan(0, train)), Subset(order.AsSpan(train)));
    }

    /// <summary>
    /// The dataset in batches of <paramref name="batchSize"/> sequences, the last one partial when
    /// <see cref="Count"/> is not a multiple. With a generator, the order is a fresh permutation drawn from it
    /// when the enumeration starts (so one generator gives a new order each epoch, reproducibly).
    /// </summary>
    public IEnumerable<SequenceBatch<TInput, TTarget>> Batches(int batchSize, DeterministicRandom? shuffle = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        return Enumerate(batchSize, shuffle);
    }

    /// <summary>Number of batches of <paramref name="batchSize"/>, the partial one included.</summary>
    public int BatchCount(int batchSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        return (Count + batchSize - 1) / batchSize;
    }

    private IEnumerable<SequenceBatch<TInput, TTarget>> Enumerate(int batchSize, DeterministicRandom? shuffle)
    {
        int[] order = Shuffling.Order(Count, shuffle);
        var buffer = new BatchBuffer<TInput, TTarget>(this, batchSize);
        for (int start = 0; start < order.Length; start += batchSize)
        {
            yield return buffer.Fill(order, start, Math.Min(batchSize, order.Length - start));
        }
    }

    private int Map(int index)
    {
        if ((uint)index >= (uint)Count)
        {
            throw new ArgumentOutOfRangeException(nameof(index), index, $"The dataset has {Count} sequences.");
        }

        return _indices is null ? index : _indices[index];
    }
}
