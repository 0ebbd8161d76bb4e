using System;
using System.Globalization;
using System.Runtime.InteropServices;

namespace RnnGen;

/// <summary>
/// A float buffer whose first element sits on a 64-byte boundary (one AVX-512 vector, one cache line),
/// backed by a pinned managed array so that it needs no disposal and never moves.
/// </summary>
public sealed class AlignedBuffer
{
    private const int AlignmentBytes = 64;
    private readonly float[] _storage;
    private readonly int _offset;

    public AlignedBuffer(int length)
        : this(length, "AlignedBuffer")
    {
    }

    /// <summary>
    /// Allocates <paramref name="length"/> floats for <paramref name="owner"/> (e.g. "MyModel activations"); when memory
    /// runs out, the exception names the owner and the size instead of a bare <see cref="OutOfMemoryException"/>.
    /// </summary>
    public AlignedBuffer(int length, string owner)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentNullException.ThrowIfNull(owner);
        _storage = Allocate(length, owner);
        nint address = Marshal.UnsafeAddrOfPinnedArrayElement(_storage, 0);
        _offset = (int)((AlignmentBytes - (address & (AlignmentBytes - 1))) & (AlignmentBytes - 1)) / sizeof(float);
        Length = length;
    }

    /// <summary>The pinned storage: <paramref name="length"/> floats and the slack that aligns the first one.</summary>
    private static float[] Allocate(int length, string owner)
    {
        // In long: near int.MaxValue the slack would overflow. Past Array.MaxLength no machine can allocate it.
        long total = (long)length + (AlignmentBytes / sizeof(float));
        if (total > Array.MaxLength)
        {
            throw OutOfMemory(length, owner, null);
        }

        try
        {
            return GC.AllocateArray<float>((int)total, pinned: true);
        }
        catch (OutOfMemoryException e)
        {
            throw OutOfMemory(length, owner, e);
        }
    }

    private static OutOfMemoryException OutOfMemory(int length, string owner, Exception? inner) => new(
        string.Create(CultureInfo.InvariantCulture,
            $"{owner}: could not allocate {length:N0} floats ({length * 4.0 / (1 << 20):N1} MB). Reduce the model's sizes or the batch, or free memory."),
        inner);

    public int Length { get; }

    public Span<float> Span => _storage.AsSpan(_offset, Length);

    public Span<float> Slice(int start, int length) => _storage.AsSpan(_offset + start, length);

    public void Clear() => Span.Clear();
}
