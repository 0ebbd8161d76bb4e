using System;

namespace RnnGen.Training;

/// <summary>Buffers for one batch, allocated once and refilled for every batch (no allocation per batch).</summary>
internal sealed class BatchBuffer<TInput, TTarget>
    where TInput : unmanaged
    where TTarget : unmanaged
{
    private readonly SequenceDataset<TInput, TTarget> _data;
    private readonly TInput[] _inputs;
    private readonly TTarget[] _targets;
    private readonly int[]? _lengths;

    public BatchBuffer(SequenceDataset<TInput, TTarget> data, int batchSize)
    {
        _data = data;
        _inputs = new TInput[batchSize * data.InputLength];
        _targets = new TTarget[batchSize * data.TargetLength];
        _lengths = data.HasLengths ? new int[batchSize] : null;
    }

    /// <summary>Gathers the sequences <c>order[start .. start + rows)</c>.</summary>
    public SequenceBatch<TInput, TTarget> Fill(ReadOnlySpan<int> order, int start, int rows)
    {
        int inputLength = _data.InputLength, targetLength = _data.TargetLength;
        for (int r = 0; r < rows; r++)
        {
            int index = order[start + r];
            _data.GetInput(index).CopyTo(_inputs.AsSpan(r * inputLength, inputLength));
            _data.GetTarget(index).CopyTo(_targets.AsSpan(r * targetLength, targetLength));
            if (_lengths is not null)
            {
                _lengths[r] = _data.GetLength(index);
            }
        }

        return new SequenceBatch<TInput, TTarget>(_inputs, _targets, _lengths, rows, inputLength, targetLength);
    }
}
