using System;
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
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        _storage = GC.AllocateArray<float>(length + AlignmentBytes / sizeof(float), pinned: true);
        nint address = Marshal.UnsafeAddrOfPinnedArrayElement(_storage, 0);
        _offset = (int)((AlignmentBytes - (address & (AlignmentBytes - 1))) & (AlignmentBytes - 1)) / sizeof(float);
        Length = length;
    }

    /// <summary>
    /// Allocates <paramref name="length"/> floats for <paramref name="owner"/> (e.g. "MyModel activations"); when memory
    /// runs out, the exception names the owner and the size instead of a bare <see cref="OutOfMemoryException"/>.
    /// </summary>
    public AlignedBuffer(int length, string owner)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        try
        {
            _storage = GC.AllocateArray<float>(length + AlignmentBytes / sizeof(float), pinned: true);
        }
        catch (OutOfMemoryException e)
        {
            throw new OutOfMemoryException(
                $"{owner}: could not allocate {length:N0} floats ({length * 4.0 / (1 << 20):N1} MB). Reduce the model's sizes or the batch, or free memory.", e);
        }

        nint address = Marshal.UnsafeAddrOfPinnedArrayElement(_storage, 0);
        _offset = (int)((AlignmentBytes - (address & (AlignmentBytes - 1))) & (AlignmentBytes - 1)) / sizeof(float);
        Length = length;
    }

    public int Length { get; }

    public Span<float> Span => _storage.AsSpan(_offset, Length);

    public Span<float> Slice(int start, int length) => _storage.AsSpan(_offset + start, length);

    public void Clear() => Span.Clear();
}
