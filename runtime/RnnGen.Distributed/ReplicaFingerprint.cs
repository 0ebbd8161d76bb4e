using System;
using System.Numerics;
using System.Runtime.InteropServices;

namespace RnnGen.Distributed;

/// <summary>
/// A 64-bit digest of a parameter set's layout (tensor names, shapes, buffer length) and one of its values
/// (the bits of every scalar, alignment padding included), so that replicas compare models by exchanging a
/// few numbers instead of the parameters. Deterministic across processes and machines (never
/// <see cref="HashCode"/>, which is seeded per process).
/// </summary>
internal readonly record struct ReplicaFingerprint(ulong Structure, ulong Values, int Tensors, long Scalars)
{
    private const ulong Prime1 = 0x9E3779B185EBCA87UL;
    private const ulong Prime2 = 0xC2B2AE3D27D4EB4FUL;

    public static ReplicaFingerprint Of(ParameterSet set)
    {
        ArgumentNullException.ThrowIfNull(set);
        ulong structure = Prime2;
        foreach (string name in set.Names)
        {
            structure = Mix(structure, (ulong)name.Length);
            foreach (char c in name)
            {
                structure = Mix(structure, c);
            }

            int[] shape = set.GetShape(name);
            structure = Mix(structure, (ulong)shape.Length);
            foreach (int dim in shape)
            {
                structure = Mix(structure, (ulong)dim);
            }
        }

        ReadOnlySpan<float> data = set.ReadOnlyData;
        structure = Mix(structure, (ulong)data.Length);
        return new ReplicaFingerprint(structure, Digest(data), set.Names.Count, data.Length);
    }

    /// <summary>A digest of the exact bits of <paramref name="values"/> (so 0 and −0, or two NaNs, differ as they would in training).</summary>
    public static ulong Digest(ReadOnlySpan<float> values)
    {
        ulong hash = Prime1 ^ (ulong)values.Length;
        ReadOnlySpan<ulong> words = MemoryMarshal.Cast<float, ulong>(values);
        foreach (ulong word in words)
        {
            hash = Mix(hash, word);
        }

        if ((values.Length & 1) != 0)
        {
            hash = Mix(hash, BitConverter.SingleToUInt32Bits(values[^1]));
        }

        return Finish(hash);
    }

    // One xxHash64 round: every input bit reaches every output bit within a few rounds.
    private static ulong Mix(ulong hash, ulong word) => BitOperations.RotateLeft(hash ^ (word * Prime2), 31) * Prime1;

    private static ulong Finish(ulong hash)
    {
        hash ^= hash >> 33;
        hash *= Prime2;
        hash ^= hash >> 29;
        return hash;
    }
}
