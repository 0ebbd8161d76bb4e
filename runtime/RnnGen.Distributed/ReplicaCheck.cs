using System;
using System.Globalization;
using System.Text;

namespace RnnGen.Distributed;

/// <summary>
/// Compares every rank's copy of a parameter set with rank 0's by fingerprint, and fails on every rank, with
/// the same message naming each rank that differs, when one does. Checked before anything is broadcast: a
/// broadcast between buffers of different lengths would corrupt memory or abort inside MPI without saying why.
/// </summary>
internal static class ReplicaCheck
{
    private const int Fields = 4;
    private const int MaxListed = 8;

    /// <summary>
    /// Collective. Throws <see cref="DistributedException"/> on every rank when some rank's tensor names, shapes
    /// or buffer length differ from rank 0's, or (with <paramref name="compareValues"/>) its values do.
    /// </summary>
    /// <param name="what">What the set is, for the message ("model parameters", "optimizer state").</param>
    /// <param name="valuesHint">Why values might differ, for the message.</param>
    public static void Run(DistributedContext context, ParameterSet set, bool compareValues, string what, string valuesHint)
    {
        ReplicaFingerprint mine = ReplicaFingerprint.Of(set);

        // Rank 0's fingerprint to everyone: structure, values, tensor count, scalar count.
        Span<long> root = [(long)mine.Structure, (long)mine.Values, mine.Tensors, mine.Scalars];
        context.Broadcast(root, 0, $"broadcast of rank 0's fingerprint of the {what}");

        // Every rank's verdict and size in its own slots; the sum is an all-gather.
        var table = new long[context.Size * Fields];
        int slot = context.Rank * Fields;
        table[slot] = (ulong)root[0] != mine.Structure ? 1 : 0;
        table[slot + 1] = compareValues && (ulong)root[1] != mine.Values ? 1 : 0;
        table[slot + 2] = mine.Tensors;
        table[slot + 3] = mine.Scalars;
        context.AllReduceSum(table, $"all-reduce comparing the {what} of every rank with rank 0's");

        string? message = Describe(table, context.Size, what, valuesHint);
        if (message is not null)
        {
            throw new DistributedException(message);
        }
    }

    /// <summary>The failure message for a gathered table, or null when every rank matches rank 0.</summary>
    internal static string? Describe(ReadOnlySpan<long> table, int size, string what, string valuesHint)
    {
        var text = new StringBuilder();
        int differing = 0;
        for (int rank = 1; rank < size; rank++)
        {
            int slot = rank * Fields;
            bool structure = table[slot] != 0, values = table[slot + 1] != 0;
            if (!structure && !values)
            {
                continue;
            }

            if (++differing > MaxListed)
            {
                continue;
            }

            text.Append(differing == 1 ? "" : "; ");
            text.Append(CultureInfo.InvariantCulture, $"rank {rank} ");
            text.Append(structure
                ? string.Create(CultureInfo.InvariantCulture,
                    $"has other tensor names or shapes ({table[slot + 2]} tensors, {table[slot + 3]:N0} scalars with padding; rank 0: {table[2]} tensors, {table[3]:N0})")
                : $"has other values ({valuesHint})");
        }

        if (differing == 0)
        {
            return null;
        }

        if (differing > MaxListed)
        {
            text.Append(CultureInfo.InvariantCulture, $"; and {differing - MaxListed} more ranks");
        }

        return string.Create(CultureInfo.InvariantCulture,
            $"The replicas' {what} differ from rank 0's: {text}. Every rank must run the same program with the same model declaration.");
    }
}
