using System;

namespace RnnGen.Kernels;

/// <summary>Embedding lookup (forward) and scatter-add of its gradient (backward).</summary>
public static class EmbeddingOps
{
    /// <summary>x[t,b,:] = table[ids[b,t],:] for valid positions, 0 for padded ones; ids must lie in [0, vocab).</summary>
    public static void Gather(ReadOnlySpan<int> ids, ReadOnlySpan<float> table, int vocab, int dim, int batch, int steps,
        ReadOnlySpan<int> lengths, Span<float> x)
    {
        for (int b = 0; b < batch; b++)
        {
            for (int t = 0; t < steps; t++)
            {
                Span<float> row = x.Slice((t * batch + b) * dim, dim);
                if (t >= lengths[b])
                {
                    row.Clear();
                    continue;
                }

                int id = ids[b * steps + t];
                if ((uint)id >= (uint)vocab)
                {
                    throw new ArgumentOutOfRangeException(nameof(ids), $"input[{b}, {t}] = {id} is not a token id in [0, {vocab}).");
                }

                table.Slice(id * dim, dim).CopyTo(row);
            }
        }
    }

    /// <summary>dTable[ids[b,t],:] += dx[t,b,:] over valid positions.</summary>
    public static void ScatterAdd(ReadOnlySpan<int> ids, ReadOnlySpan<float> dx, int dim, int batch, int steps,
        ReadOnlySpan<int> lengths, Span<float> dTable)
    {
        for (int b = 0; b < batch; b++)
        {
            for (int t = 0; t < Math.Min(steps, lengths[b]); t++)
            {
                ReadOnlySpan<float> src = dx.Slice((t * batch + b) * dim, dim);
                Span<float> dst = dTable.Slice(ids[b * steps + t] * dim, dim);
                for (int j = 0; j < dim; j++)
                {
                    dst[j] += src[j];
                }
            }
        }
    }
}
