using System;
using System.ComponentModel;

namespace RnnGen.Kernels;

/// <summary>
/// Argument checks shared by generated models; messages name the tensor and the expected shape. A generated
/// call runs every check before it changes anything, so a call that throws leaves the model as it was.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class ModelGuard
{
    /// <summary>
    /// The rows a call passes: <paramref name="length"/> must be a whole number of rows of <paramref name="perRow"/>
    /// values, from 1 to <paramref name="batch"/>.
    /// </summary>
    public static int Rows(int length, int perRow, int batch, string name, string shape)
    {
        if (length <= 0 || length % perRow != 0 || length / perRow > batch)
        {
            throw new ArgumentException(
                $"{name} has {length} elements; expected B × {perRow} for 1 ≤ B ≤ {batch} ({shape}).", name);
        }

        return length / perRow;
    }

    /// <summary>Checks <paramref name="lengths"/>: empty, or one length in 1..<paramref name="steps"/> per row.</summary>
    public static void RequireLengths(ReadOnlySpan<int> lengths, int rows, int steps)
    {
        if (lengths.IsEmpty)
        {
            return;
        }

        if (lengths.Length != rows)
        {
            throw new ArgumentException($"lengths has {lengths.Length} elements; expected one per input row: {rows} = [B].", nameof(lengths));
        }

        for (int b = 0; b < rows; b++)
        {
            if (lengths[b] < 1 || lengths[b] > steps)
            {
                throw new ArgumentOutOfRangeException(nameof(lengths), $"lengths[{b}] = {lengths[b]} is outside 1..{steps}.");
            }
        }
    }

    /// <summary>Checks that every token id at a valid position is in [0, vocab) (padded positions are never read).</summary>
    public static void RequireTokens(ReadOnlySpan<int> ids, int rows, int steps, int vocab, ReadOnlySpan<int> lengths)
    {
        for (int b = 0; b < rows; b++)
        {
            int valid = lengths.IsEmpty ? steps : lengths[b];
            for (int t = 0; t < valid; t++)
            {
                int id = ids[(b * steps) + t];
                if ((uint)id >= (uint)vocab)
                {
                    throw new ArgumentOutOfRangeException("input", $"input[{b}{(steps > 1 ? ", " + t : "")}] = {id} is not a token id in [0, {vocab}).");
                }
            }
        }
    }

    public static void RequireLength<T>(ReadOnlySpan<T> span, int expected, string name, string shape)
    {
        if (span.Length != expected)
        {
            throw new ArgumentException($"{name} has {span.Length} elements; expected {expected} = {shape}.", name);
        }
    }

    public static void RequireLength<T>(Span<T> span, int expected, string name, string shape) =>
        RequireLength((ReadOnlySpan<T>)span, expected, name, shape);

    /// <summary>Copies <paramref name="lengths"/> (each in 1..steps) into <paramref name="destination"/>, or fills it with steps when empty.</summary>
    public static void CopyLengths(ReadOnlySpan<int> lengths, int rows, int steps, Span<int> destination)
    {
        RequireLengths(lengths, rows, steps);
        if (lengths.IsEmpty)
        {
            destination.Slice(0, rows).Fill(steps);
        }
        else
        {
            lengths.CopyTo(destination);
        }
    }

    public static void RequireLoss(bool lossDone)
    {
        if (!lossDone)
        {
            throw new InvalidOperationException("Backward() needs a Forward and a Loss call first (and runs once per Loss).");
        }
    }

    /// <summary>Checks that a set's tensors sit where the generated memory plan expects them.</summary>
    public static void RequireLayout(ParameterSet set, ReadOnlySpan<int> offsets)
    {
        for (int i = 0; i < offsets.Length; i++)
        {
            string name = set.Names[i];
            if (set.GetOffset(name) != offsets[i])
            {
                throw new InvalidOperationException($"Generated layout puts '{name}' at {offsets[i]}, the runtime at {set.GetOffset(name)}: rebuild with matching RnnGen generator and runtime versions.");
            }
        }
    }

    public static void RequireForward(bool forwardDone, string operation)
    {
        if (!forwardDone)
        {
            throw new InvalidOperationException($"{operation} needs a Forward call first.");
        }
    }
}
