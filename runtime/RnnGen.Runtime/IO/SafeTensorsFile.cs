using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace RnnGen;

/// <summary>
/// A safetensors file whose header has been read and validated. Tensors are read from the file when
/// asked for, never the whole file at once. The file stays open until <see cref="Dispose"/> (or, for a
/// caller that never disposes, until the handle's finalizer runs), so every read sees the file as it was
/// validated even when a save renames a new file over the path meanwhile.
/// </summary>
/// <remarks>
/// Reads are positional, so several threads may read tensors at once. A tensor read into an array
/// (<see cref="GetFloat32"/>, <see cref="GetInt32"/>) or a span holds at most
/// <see cref="Array.MaxLength"/> elements (2,147,483,591; 8 GB of F32); a larger tensor's shape and
/// dtype can still be inspected.
/// </remarks>
public sealed class SafeTensorsFile : IDisposable
{
    /// <summary>Bytes per positional read: well inside what one span and one read(2) call can take.</summary>
    private const int ChunkBytes = 1 << 30;

    private readonly SafeFileHandle _handle;
    private readonly long _dataStart;
    private readonly Dictionary<string, SafeTensorInfo> _tensors;

    internal SafeTensorsFile(string path, SafeFileHandle handle, long dataStart, List<SafeTensorInfo> tensors, Dictionary<string, string> metadata)
    {
        SourcePath = path;
        _handle = handle;
        _dataStart = dataStart;
        _tensors = new Dictionary<string, SafeTensorInfo>(tensors.Count, StringComparer.Ordinal);
        var names = new string[tensors.Count];
        for (int i = 0; i < tensors.Count; i++)
        {
            names[i] = tensors[i].Name;
            _tensors.Add(tensors[i].Name, tensors[i]);
        }

        Names = names;
        Metadata = new SafeTensorsMetadata(metadata, path);
    }

    /// <summary>The path the file was read from.</summary>
    public string SourcePath { get; }

    /// <summary>Tensor names in the order of their data in the file.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>The <c>__metadata__</c> string map (empty when absent).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    public bool Contains(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return _tensors.ContainsKey(name);
    }

    /// <summary>A copy of the tensor's shape.</summary>
    public int[] GetShape(string name)
    {
        SafeTensorInfo t = Get(name);
        var shape = new int[t.Shape.Length];
        for (int i = 0; i < shape.Length; i++)
        {
            shape[i] = t.Shape[i] <= int.MaxValue
                ? (int)t.Shape[i]
                : throw new SafeTensorsFormatException(SourcePath, name, $"shape {SafeTensorsHeader.ShapeText(t.Shape)} has a dimension larger than {int.MaxValue:N0}, which an int[] shape cannot hold.");
        }

        return shape;
    }

    /// <summary>The dtype as the header spells it (<c>F32</c>, <c>I32</c>, <c>BF16</c>, ...).</summary>
    public string GetDType(string name) => Get(name).DType;

    /// <summary>Reads an F32 tensor into a new array.</summary>
    public float[] GetFloat32(string name)
    {
        float[] values = new float[CheckedCount(name, SafeTensorDType.Float32)];
        Read(name, values.AsSpan());
        return values;
    }

    /// <summary>Reads an I32 tensor into a new array.</summary>
    public int[] GetInt32(string name)
    {
        int[] values = new int[CheckedCount(name, SafeTensorDType.Int32)];
        Read(name, values.AsSpan());
        return values;
    }

    /// <summary>Reads an F32 tensor into <paramref name="destination"/>, which must have exactly its element count.</summary>
    public void ReadFloat32(string name, Span<float> destination)
    {
        CheckDestination(name, SafeTensorDType.Float32, destination.Length);
        Read(name, destination);
    }

    /// <summary>Reads an I32 tensor into <paramref name="destination"/>, which must have exactly its element count.</summary>
    public void ReadInt32(string name, Span<int> destination)
    {
        CheckDestination(name, SafeTensorDType.Int32, destination.Length);
        Read(name, destination);
    }

    /// <summary>Closes the file; the header (names, shapes, metadata) stays readable, tensor data does not.</summary>
    public void Dispose() => _handle.Dispose();

    private void CheckDestination(string name, string dtype, int length)
    {
        long count = CheckedCount(name, dtype);
        if (length != count)
        {
            throw new ArgumentException($"Tensor '{name}' in '{SourcePath}' has {count:N0} elements; the destination holds {length:N0}.", nameof(name));
        }
    }

    private long CheckedCount(string name, string dtype)
    {
        SafeTensorInfo t = Get(name);
        if (t.DType != dtype)
        {
            throw new SafeTensorsFormatException(SourcePath, name, $"it is {t.DType}, but {dtype} was asked for.");
        }

        if (t.ElementCount > (ulong)Array.MaxLength)
        {
            throw new SafeTensorsFormatException(SourcePath, name,
                $"it has {t.ElementCount:N0} elements, more than one .NET array or span holds ({Array.MaxLength:N0}).");
        }

        return (long)t.ElementCount;
    }

    private void Read<T>(string name, Span<T> destination)
        where T : unmanaged
    {
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        long position = _dataStart + Get(name).Start;
        int chunkElements = ChunkBytes / Unsafe.SizeOf<T>();
        for (int i = 0; i < destination.Length; i += chunkElements)
        {
            Span<byte> bytes = MemoryMarshal.AsBytes(destination.Slice(i, Math.Min(chunkElements, destination.Length - i)));
            while (!bytes.IsEmpty)
            {
                int read = System.IO.RandomAccess.Read(_handle, bytes, position);
                if (read == 0)
                {
                    throw new SafeTensorsFormatException(SourcePath, name, "the file ended early: it was truncated after its header was read.");
                }

                position += read;
                bytes = bytes[read..];
            }
        }
    }

    private SafeTensorInfo Get(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return _tensors.TryGetValue(name, out SafeTensorInfo? t)
            ? t
            : throw new KeyNotFoundException($"No tensor named '{name}' in '{SourcePath}'. Tensors: {NameList(Names)}.");
    }

    /// <summary>The first names of a list, for messages about a name that is not there.</summary>
    internal static string NameList(IReadOnlyCollection<string> names)
    {
        const int Shown = 20;
        if (names.Count == 0)
        {
            return "none";
        }

        string shown = string.Join(", ", System.Linq.Enumerable.Take(names, Shown));
        return names.Count <= Shown ? shown : $"{shown} and {names.Count - Shown} more";
    }
}
