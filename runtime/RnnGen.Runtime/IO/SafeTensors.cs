using System;
using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using Microsoft.Win32.SafeHandles;

namespace RnnGen;

/// <summary>
/// Reads and writes the safetensors format: an 8-byte little-endian header length, a JSON header
/// mapping names to dtype, shape and data offsets, then the raw little-endian tensor bytes.
/// </summary>
public static class SafeTensors
{
    /// <summary>Bytes copied per write call: small enough to keep a save's extra memory bounded.</summary>
    private const int WriteChunkBytes = 1 << 20;

    /// <summary>
    /// Opens a file and validates its header by the format's rules before any tensor is read: a regular
    /// file; a header of at most 100,000,000 bytes inside the file; a JSON object of
    /// <c>{name: {dtype, shape, data_offsets}}</c> plus an optional <c>__metadata__</c> string map, with
    /// no repeated key; known dtypes; each tensor's byte length equal to its element count times its
    /// dtype's size; the tensors contiguous from byte 0 to exactly the end of the file, without gap or
    /// overlap. A file that breaks a rule is refused with <see cref="SafeTensorsFormatException"/>.
    /// </summary>
    /// <remarks>The result holds the file open; dispose it to close the file sooner than the finalizer would.</remarks>
    public static SafeTensorsFile Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        RequireLittleEndian();
        SafeFileHandle handle = RegularFile.OpenForRead(path);
        try
        {
            long length = RandomAccess.GetLength(handle);
            if (length < 8)
            {
                throw RegularFile.TooShort(path, length);
            }

            Span<byte> prefix = stackalloc byte[8];
            ReadExactly(handle, prefix, 0, path);
            ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
            if (headerLength > SafeTensorsHeader.MaxBytes)
            {
                throw new SafeTensorsFormatException(path, null,
                    $"the header length is {headerLength:N0} bytes, more than the {SafeTensorsHeader.MaxBytes:N0} the format allows.");
            }

            if ((long)headerLength > length - 8)
            {
                throw new SafeTensorsFormatException(path, null,
                    $"the header length is {headerLength:N0} bytes, but only {length - 8:N0} bytes follow the length field.");
            }

            byte[] header = new byte[headerLength];
            ReadExactly(handle, header, 8, path);
            long dataStart = 8 + (long)headerLength;
            var (tensors, metadata) = SafeTensorsHeader.Parse(path, header, length - dataStart);
            return new SafeTensorsFile(path, handle, dataStart, tensors, metadata);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Writes the tensors in the given order with the header in canonical form (like the reference
    /// writer: compact JSON, <c>__metadata__</c> first, padded with spaces to a multiple of 8). The file
    /// appears atomically: the bytes go to <c>&lt;file&gt;.&lt;pid&gt;.&lt;random&gt;.tmp</c> in the same
    /// folder, which is flushed to disk and renamed over <paramref name="path"/>; then the folder is
    /// flushed. The temporary file is deleted on failure, and temporary files that a killed process left
    /// for the same path are deleted by the next save. Data streams through a 1 MB buffer.
    /// </summary>
    public static void Write(string path, IEnumerable<SafeTensorEntry> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(tensors);
        RequireLittleEndian();
        var list = new List<SafeTensorEntry>(tensors);
        foreach (SafeTensorEntry t in list)
        {
            ArgumentNullException.ThrowIfNull(t, nameof(tensors));
        }

        byte[] prefix = SafeTensorsHeaderWriter.Build(list, metadata, out long dataLength);
        AtomicFile.Write(path, prefix.Length + dataLength, stream => WriteData(stream, prefix, list));
    }

    /// <summary>The file's bytes after its header prefix, written through one small pooled buffer.</summary>
    internal static void WriteData(Stream stream, byte[] prefix, IReadOnlyList<SafeTensorEntry> tensors)
    {
        stream.Write(prefix);
        byte[] scratch = ArrayPool<byte>.Shared.Rent(WriteChunkBytes);
        try
        {
            foreach (SafeTensorEntry t in tensors)
            {
                t.WriteData(stream, scratch.AsSpan(0, WriteChunkBytes));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    /// <summary>Writes the whole file to a stream (tests check streaming past 2 GB without a disk).</summary>
    internal static long WriteTo(Stream stream, IReadOnlyList<SafeTensorEntry> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        byte[] prefix = SafeTensorsHeaderWriter.Build(tensors, metadata, out long dataLength);
        WriteData(stream, prefix, tensors);
        return prefix.Length + dataLength;
    }

    /// <summary>The format is little-endian and tensors are copied as raw bytes; so is every platform .NET's vector paths target, but say so.</summary>
    private static void RequireLittleEndian()
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("safetensors I/O requires a little-endian machine.");
        }
    }

    private static void ReadExactly(SafeFileHandle handle, Span<byte> buffer, long offset, string path)
    {
        while (!buffer.IsEmpty)
        {
            int read = RandomAccess.Read(handle, buffer, offset);
            if (read == 0)
            {
                throw new SafeTensorsFormatException(path, null, "the file ended while its header was read (it was truncated meanwhile).");
            }

            offset += read;
            buffer = buffer[read..];
        }
    }
}
