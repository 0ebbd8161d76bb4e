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
    private const int PaddingFloats = AlignmentBytes / sizeof(float);
    private readonly float[] _storage;
    private readonly int _offset;

    public AlignedBuffer(int length)
    {
        _storage = Allocate(length, owner: null);
        _offset = AlignedOffset(_storage);
        Length = length;
    }

    /// <summary>
    /// Allocates <paramref name="length"/> floats for <paramref name="owner"/> (for example
    /// <c>"MyModel activations"</c>). When they do not fit in memory, or in one .NET array, throws
    /// <see cref="InsufficientMemoryException"/> (an <see cref="OutOfMemoryException"/>) whose message
    /// names the owner and the size.
    /// </summary>
    public AlignedBuffer(int length, string owner)
    {
        ArgumentException.ThrowIfNullOrEmpty(owner);
        _storage = Allocate(length, owner);
        _offset = AlignedOffset(_storage);
        Length = length;
    }

    public int Length { get; }

    public Span<float> Span => _storage.AsSpan(_offset, Length);

    public Span<float> Slice(int start, int length) => _storage.AsSpan(_offset + start, length);

    public void Clear() => Span.Clear();

    private static float[] Allocate(int length, string? owner)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if (length > Array.MaxLength - PaddingFloats)
        {
            throw new InsufficientMemoryException(
                $"{owner ?? "A buffer"}: {Size(length)} are more than one .NET array holds ({Array.MaxLength - PaddingFloats:N0} floats with alignment padding).");
        }

        try
        {
            return GC.AllocateArray<float>(length + PaddingFloats, pinned: true);
        }
        catch (OutOfMemoryException e) when (owner is not null)
        {
            throw new InsufficientMemoryException($"{owner}: could not allocate {Size(length)}; not enough memory is available to this process.", e);
        }
    }

    private static int AlignedOffset(float[] storage)
    {
        nint address = Marshal.UnsafeAddrOfPinnedArrayElement(storage, 0);
        return (int)((AlignmentBytes - (address & (AlignmentBytes - 1))) & (AlignmentBytes - 1)) / sizeof(float);
    }

    /// <summary>"1,234,567,890 floats (4.9 GB)".</summary>
    private static string Size(long floats)
    {
        double bytes = floats * (double)sizeof(float);
        string size = bytes >= 1e9
            ? (bytes / 1e9).ToString("0.0", CultureInfo.InvariantCulture) + " GB"
            : (bytes / 1e6).ToString("0.0", CultureInfo.InvariantCulture) + " MB";
        return floats.ToString("N0", CultureInfo.InvariantCulture) + " floats (" + size + ")";
    }
}
