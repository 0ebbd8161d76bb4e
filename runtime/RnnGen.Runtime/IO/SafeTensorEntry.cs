using System;
using System.IO;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace RnnGen;

/// <summary>Fills <paramref name="destination"/> with a tensor's bytes starting at <paramref name="byteOffset"/>.</summary>
/// <remarks>The writer asks for consecutive chunks whose offset and length are multiples of 8, except the last.</remarks>
internal delegate void SafeTensorSource(long byteOffset, Span<byte> destination);

/// <summary>One tensor to write: a name, a shape, and F32 or I32 data in row-major order.</summary>
public sealed class SafeTensorEntry
{
    private readonly int[] _shape;
    private readonly SafeTensorSource _source;

    private SafeTensorEntry(string name, string dtype, int[] shape, long byteLength, SafeTensorSource source)
    {
        Name = name;
        DType = dtype;
        _shape = shape;
        ByteLength = byteLength;
        _source = source;
    }

    public string Name { get; }

    /// <summary><c>F32</c> or <c>I32</c>.</summary>
    public string DType { get; }

    /// <summary>A copy of the shape.</summary>
    public int[] Shape => (int[])_shape.Clone();

    internal ReadOnlySpan<int> ShapeSpan => _shape;

    internal long ByteLength { get; }

    /// <summary>Copies <paramref name="data"/>; the entry keeps no reference to the caller's memory.</summary>
    public static SafeTensorEntry Float32(string name, int[] shape, ReadOnlySpan<float> data) =>
        FromArray(name, SafeTensorDType.Float32, shape, data.ToArray());

    /// <summary>Copies <paramref name="data"/>; the entry keeps no reference to the caller's memory.</summary>
    public static SafeTensorEntry Int32(string name, int[] shape, ReadOnlySpan<int> data) =>
        FromArray(name, SafeTensorDType.Int32, shape, data.ToArray());

    /// <summary>
    /// An F32 tensor read from <paramref name="buffer"/> while the file is written, without a copy: the
    /// caller must not change those elements until the write returns.
    /// </summary>
    internal static SafeTensorEntry Float32View(string name, int[] shape, AlignedBuffer buffer, int offset, int length)
    {
        CheckCount(name, shape, length);
        return new SafeTensorEntry(name, SafeTensorDType.Float32, (int[])shape.Clone(), (long)length * sizeof(float),
            (byteOffset, destination) => MemoryMarshal.AsBytes(
                buffer.Slice(offset + (int)(byteOffset / sizeof(float)), destination.Length / sizeof(float))).CopyTo(destination));
    }

    /// <summary>A tensor of any whole-byte size whose bytes <paramref name="source"/> produces chunk by chunk.</summary>
    internal static SafeTensorEntry FromSource(string name, string dtype, int[] shape, SafeTensorSource source)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(source);
        int bits = SafeTensorDType.Bits(dtype);
        if (bits == 0)
        {
            throw new ArgumentException($"Tensor '{name}' has dtype '{dtype}', which the safetensors format does not define.", nameof(dtype));
        }

        long? bytes = SafeTensorDType.ByteLength(ElementCount(name, shape), bits);
        return bytes is null
            ? throw new ArgumentException($"Tensor '{name}' of shape {ParameterSet.ShapeText(shape)} and dtype {dtype} does not fill whole bytes.", nameof(shape))
            : new SafeTensorEntry(name, dtype, (int[])shape.Clone(), bytes.Value, source);
    }

    /// <summary>Writes the tensor's bytes to <paramref name="stream"/> through <paramref name="scratch"/>.</summary>
    internal void WriteData(Stream stream, Span<byte> scratch)
    {
        for (long done = 0; done < ByteLength;)
        {
            int chunk = (int)Math.Min(scratch.Length, ByteLength - done);
            _source(done, scratch[..chunk]);
            stream.Write(scratch[..chunk]);
            done += chunk;
        }
    }

    private static SafeTensorEntry FromArray<T>(string name, string dtype, int[] shape, T[] data)
        where T : unmanaged
    {
        CheckCount(name, shape, data.Length);
        int size = Unsafe.SizeOf<T>();
        return new SafeTensorEntry(name, dtype, (int[])shape.Clone(), (long)data.Length * size,
            (byteOffset, destination) => MemoryMarshal.AsBytes(
                data.AsSpan((int)(byteOffset / size), destination.Length / size)).CopyTo(destination));
    }

    private static void CheckCount(string name, int[] shape, long count)
    {
        ulong expected = ElementCount(name, shape);
        if (expected != (ulong)count)
        {
            throw new ArgumentException($"Tensor '{name}' has {count} elements but shape {ParameterSet.ShapeText(shape)} needs {expected}.");
        }
    }

    private static ulong ElementCount(string name, int[] shape)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(shape);
        ulong count = 1;
        foreach (int dim in shape)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(dim, nameof(shape));
            if (dim != 0 && count > ulong.MaxValue / (uint)dim)
            {
                throw new ArgumentException($"Tensor '{name}' has shape {ParameterSet.ShapeText(shape)}, whose element count overflows.", nameof(shape));
            }

            count *= (uint)dim;
        }

        return count;
    }
}
