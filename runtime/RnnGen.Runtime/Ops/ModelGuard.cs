using System;

namespace RnnGen.Kernels;

/// <summary>Argument checks shared by generated models; messages name the tensor and the expected shape.</summary>
public static class ModelGuard
{
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
    public static void CopyLengths(ReadOnlySpan<int> lengths, int batch, int steps, Span<int> destination)
    {
        if (lengths.IsEmpty)
        {
            destination.Slice(0, batch).Fill(steps);
            return;
        }

        if (lengths.Length != batch)
        {
            throw new ArgumentException($"lengths has {lengths.Length} elements; expected {batch} = [B].", nameof(lengths));
        }

        for (int b = 0; b < batch; b++)
        {
            if (lengths[b] < 1 || lengths[b] > steps)
            {
                throw new ArgumentOutOfRangeException(nameof(lengths), $"lengths[{b}] = {lengths[b]} is outside 1..{steps}.");
            }
        }

        lengths.CopyTo(destination);
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
