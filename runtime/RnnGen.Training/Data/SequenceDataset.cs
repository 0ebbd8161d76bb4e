using System;
using System.Collections.Generic;

namespace RnnGen.Training;

/// <summary>Builds <see cref="SequenceDataset{TInput, TTarget}"/>s from a series (sliding windows) and ragged sequences (padding).</summary>
public static class SequenceDataset
{
    /// <summary>
    /// Sliding windows over a series of <paramref name="features"/> values per step (the series is copied once;
    /// windows are views). Window <c>i</c> is the steps <c>[i·stride, i·stride + window)</c>. Its target is the
    /// step <paramref name="horizon"/> after its last step ([features], for many-to-one forecasting), or with
    /// <paramref name="sequenceTargets"/> the window shifted by <paramref name="horizon"/> ([window, features];
    /// with token ids and horizon 1, next-token language-model targets).
    /// </summary>
    public static SequenceDataset<T, T> Windows<T>(ReadOnlySpan<T> series, int features, int window, int horizon = 1, int stride = 1, bool sequenceTargets = false)
        where T : unmanaged
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(features);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(window);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(horizon);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(stride);
        if (series.Length % features != 0)
        {
            throw new ArgumentException($"series has {series.Length} values, which is not whole steps of {features} features.", nameof(series));
        }

        int steps = series.Length / features;
        int span = window + horizon;
        if (steps < span)
        {
            throw new ArgumentException($"series has {steps} steps; a window of {window} with its target {horizon} ahead needs {span}.", nameof(series));
        }

        int count = ((steps - span) / stride) + 1;
        return new SequenceDataset<T, T>(new WindowSource<T>(series.ToArray(), features, window, horizon, stride, sequenceTargets, count));
    }

    /// <summary>
    /// Lays ragged sequences ([length_i, stepSize] each, row-major) out as [count, sequenceLength, stepSize],
    /// right-padded with <paramref name="padValue"/>, and gives each one's length, for the dataset
    /// constructor and a model's <c>lengths</c>. Works for inputs and for per-step targets (pad those with
    /// the loss's ignore index or any value: padded steps count toward no loss).
    /// </summary>
    public static T[] Pad<T>(IReadOnlyList<T[]> sequences, int stepSize, int sequenceLength, T padValue, out int[] lengths)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(sequences);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(stepSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sequenceLength);
        var result = new T[checked(sequences.Count * sequenceLength * stepSize)];
        var found = new int[sequences.Count];
        for (int i = 0; i < sequences.Count; i++)
        {
            T[] sequence = sequences[i] ?? throw new ArgumentException($"sequences[{i}] is null.", nameof(sequences));
            if (sequence.Length == 0 || sequence.Length % stepSize != 0)
            {
                throw new ArgumentException($"sequences[{i}] has {sequence.Length} values, which is not one or more steps of {stepSize}.", nameof(sequences));
            }

            int length = sequence.Length / stepSize;
            if (length > sequenceLength)
            {
                throw new ArgumentException($"sequences[{i}] has {length} steps; the model takes at most {sequenceLength}.", nameof(sequences));
            }

            Span<T> row = result.AsSpan(i * sequenceLength * stepSize, sequenceLength * stepSize);
            sequence.CopyTo(row);
            row[sequence.Length..].Fill(padValue);
            found[i] = length;
        }

        lengths = found;
        return result;
    }
}
