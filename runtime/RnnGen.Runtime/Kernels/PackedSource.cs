using System;
using System.Runtime.InteropServices;

namespace RnnGen.Kernels;

/// <summary>
/// Remembers the matrix a packed copy was made from, so that packing the same matrix again (inference
/// repeats the same weights) costs a memory compare instead of a repack. The compare is bitwise, so
/// any write to the weights, however it was made, triggers a repack.
/// </summary>
internal sealed class PackedSource
{
    private readonly float[] _copy;
    private bool _valid;
    private int _layout;

    public PackedSource(int length) => _copy = new float[length];

    /// <summary>Elements of the matrix.</summary>
    public int Length => _copy.Length;

    /// <summary>
    /// True when <paramref name="matrix"/> is, bit for bit, what was packed last time in <paramref name="layout"/>;
    /// otherwise remembers it (the caller must then pack it) and returns false.
    /// </summary>
    public bool Unchanged(ReadOnlySpan<float> matrix, int layout = 0)
    {
        if (_valid && _layout == layout && MemoryMarshal.AsBytes(matrix).SequenceEqual(MemoryMarshal.AsBytes(_copy.AsSpan())))
        {
            return true;
        }

        matrix.CopyTo(_copy);
        _valid = true;
        _layout = layout;
        return false;
    }
}
