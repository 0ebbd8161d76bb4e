using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace RnnGen;

/// <summary>One tensor to write: a name, a shape, and F32 or I32 data in row-major order.</summary>
public sealed class SafeTensorEntry
{
    private SafeTensorEntry(string name, string dtype, int[] shape, byte[] bytes)
    {
        Name = name;
        DType = dtype;
        Shape = shape;
        Bytes = bytes;
    }

    public string Name { get; }

    /// <summary><c>F32</c> or <c>I32</c>.</summary>
    public string DType { get; }

    public int[] Shape { get; }

    internal byte[] Bytes { get; }

    public static SafeTensorEntry Float32(string name, int[] shape, ReadOnlySpan<float> data) =>
        Create(name, "F32", shape, MemoryMarshal.AsBytes(data), data.Length);

    public static SafeTensorEntry Int32(string name, int[] shape, ReadOnlySpan<int> data) =>
        Create(name, "I32", shape, MemoryMarshal.AsBytes(data), data.Length);

    private static SafeTensorEntry Create(string name, string dtype, int[] shape, ReadOnlySpan<byte> bytes, int count)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(shape);
        long expected = 1;
        foreach (int dim in shape)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(dim, nameof(shape));
            expected *= dim;
        }

        if (expected != count)
        {
            throw new ArgumentException($"Tensor '{name}' has {count} elements but shape {ParameterSet.ShapeText(shape)} needs {expected}.");
        }

        // The format is little-endian; so is every platform .NET's vector paths target, but say so.
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("safetensors I/O requires a little-endian machine.");
        }

        return new SafeTensorEntry(name, dtype, (int[])shape.Clone(), bytes.ToArray());
    }
}

/// <summary>A safetensors file read into memory.</summary>
public sealed class SafeTensorsFile
{
    private readonly Dictionary<string, (string DType, int[] Shape, int Start, int End)> _tensors;
    private readonly byte[] _data;
    private readonly string _source;

    internal SafeTensorsFile(string source, List<string> names, Dictionary<string, (string, int[], int, int)> tensors, byte[] data, Dictionary<string, string> metadata)
    {
        _source = source;
        Names = names;
        _tensors = tensors;
        _data = data;
        Metadata = metadata;
    }

    /// <summary>The path the file was read from.</summary>
    public string SourcePath => _source;

    /// <summary>Tensor names in the order of their data in the file.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>The <c>__metadata__</c> string map (empty when absent).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    public bool Contains(string name) => _tensors.ContainsKey(name);

    public int[] GetShape(string name) => (int[])Get(name).Shape.Clone();

    public string GetDType(string name) => Get(name).DType;

    public float[] GetFloat32(string name) => MemoryMarshal.Cast<byte, float>(Bytes(name, "F32")).ToArray();

    public int[] GetInt32(string name) => MemoryMarshal.Cast<byte, int>(Bytes(name, "I32")).ToArray();

    private ReadOnlySpan<byte> Bytes(string name, string dtype)
    {
        var t = Get(name);
        if (t.DType != dtype)
        {
            throw new InvalidDataException($"Tensor '{name}' in '{_source}' is {t.DType}, expected {dtype}.");
        }

        return _data.AsSpan(t.Start, t.End - t.Start);
    }

    private (string DType, int[] Shape, int Start, int End) Get(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return _tensors.TryGetValue(name, out var t)
            ? t
            : throw new KeyNotFoundException($"No tensor named '{name}' in '{_source}'.");
    }
}

/// <summary>
/// Reads and writes the safetensors format: an 8-byte little-endian header length, a JSON header
/// mapping names to dtype, shape and data offsets, then the raw little-endian tensor bytes.
/// </summary>
public static class SafeTensors
{
    private const long MaxHeaderBytes = 100_000_000;

    public static SafeTensorsFile Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        byte[] file = File.ReadAllBytes(path);
        if (file.Length < 8)
        {
            throw new InvalidDataException($"'{path}' is too short to be a safetensors file ({file.Length} bytes).");
        }

        long headerLength = BinaryPrimitives.ReadInt64LittleEndian(file);
        if (headerLength <= 0 || headerLength > MaxHeaderBytes || 8 + headerLength > file.Length)
        {
            throw new InvalidDataException($"'{path}' has an invalid safetensors header length {headerLength}.");
        }

        int dataStart = 8 + (int)headerLength;
        byte[] data = file.AsSpan(dataStart).ToArray();
        var names = new List<string>();
        var tensors = new Dictionary<string, (string, int[], int, int)>(StringComparer.Ordinal);
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            using JsonDocument header = JsonDocument.Parse(file.AsMemory(8, (int)headerLength));
            foreach (JsonProperty property in header.RootElement.EnumerateObject())
            {
                if (property.Name == "__metadata__")
                {
                    foreach (JsonProperty entry in property.Value.EnumerateObject())
                    {
                        metadata[entry.Name] = entry.Value.GetString() ?? "";
                    }

                    continue;
                }

                string dtype = property.Value.GetProperty("dtype").GetString() ?? "";
                var shapeList = new List<int>();
                foreach (JsonElement dim in property.Value.GetProperty("shape").EnumerateArray())
                {
                    shapeList.Add(dim.GetInt32());
                }

                JsonElement offsets = property.Value.GetProperty("data_offsets");
                if (offsets.GetArrayLength() != 2)
                {
                    throw new InvalidDataException($"Tensor '{property.Name}' in '{path}' needs two data offsets, not {offsets.GetArrayLength()}.");
                }

                long start = offsets[0].GetInt64();
                long end = offsets[1].GetInt64();
                int[] shape = shapeList.ToArray();
                long count = 1;
                foreach (int dim in shape)
                {
                    if (dim < 0)
                    {
                        throw new InvalidDataException($"Tensor '{property.Name}' in '{path}' has a negative dimension in {ParameterSet.ShapeText(shape)}.");
                    }

                    // Saturate: a count past int.MaxValue cannot fit the data anyway, and the product must not wrap.
                    count = Math.Min(count * dim, (long)int.MaxValue + 1);
                }

                long elementSize = dtype switch
                {
                    "F32" or "I32" => 4,
                    "F16" or "BF16" or "I16" => 2,
                    "F64" or "I64" => 8,
                    "I8" or "U8" or "BOOL" => 1,
                    _ => throw new InvalidDataException($"Tensor '{property.Name}' in '{path}' has unknown dtype '{dtype}'."),
                };
                if (start < 0 || end < start || end > data.Length || end - start != count * elementSize)
                {
                    throw new InvalidDataException(
                        $"Tensor '{property.Name}' in '{path}' has data offsets [{start}, {end}) that do not fit shape {ParameterSet.ShapeText(shape)} of {dtype} in {data.Length} data bytes.");
                }

                names.Add(property.Name);
                tensors.Add(property.Name, (dtype, shape, (int)start, (int)end));
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or KeyNotFoundException or FormatException)
        {
            throw new InvalidDataException($"'{path}' has a malformed safetensors header: {e.Message}", e);
        }

        names.Sort((a, b) => tensors[a].Item3.CompareTo(tensors[b].Item3));
        return new SafeTensorsFile(path, names, tensors, data, metadata);
    }

    /// <summary>
    /// Writes the tensors in the given order. The file appears atomically: the bytes go to a temporary
    /// file in the same folder, which is flushed and then renamed over <paramref name="path"/>.
    /// </summary>
    public static void Write(string path, IEnumerable<SafeTensorEntry> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(tensors);
        var list = new List<SafeTensorEntry>(tensors);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        using var json = new MemoryStream();
        using (var writer = new Utf8JsonWriter(json))
        {
            writer.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                writer.WriteStartObject("__metadata__");
                foreach (var pair in metadata)
                {
                    writer.WriteString(pair.Key, pair.Value);
                }

                writer.WriteEndObject();
            }

            long offset = 0;
            foreach (SafeTensorEntry t in list)
            {
                if (!seen.Add(t.Name) || t.Name == "__metadata__")
                {
                    throw new ArgumentException($"Tensor name '{t.Name}' is repeated or reserved.", nameof(tensors));
                }

                writer.WriteStartObject(t.Name);
                writer.WriteString("dtype", t.DType);
                writer.WriteStartArray("shape");
                foreach (int dim in t.Shape)
                {
                    writer.WriteNumberValue(dim);
                }

                writer.WriteEndArray();
                writer.WriteStartArray("data_offsets");
                writer.WriteNumberValue(offset);
                writer.WriteNumberValue(offset + t.Bytes.Length);
                writer.WriteEndArray();
                writer.WriteEndObject();
                offset += t.Bytes.Length;
            }

            writer.WriteEndObject();
        }

        // Pad the header with spaces to a multiple of 8 so the data that follows is aligned.
        int headerLength = (int)json.Length;
        int padded = (headerLength + 7) & ~7;
        string directory = Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".";
        string temporary = Path.Combine(directory, "." + Path.GetFileName(path) + "." + Guid.NewGuid().ToString("N") + ".tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                Span<byte> lengthBytes = stackalloc byte[8];
                BinaryPrimitives.WriteInt64LittleEndian(lengthBytes, padded);
                stream.Write(lengthBytes);
                stream.Write(json.GetBuffer(), 0, headerLength);
                for (int i = headerLength; i < padded; i++)
                {
                    stream.WriteByte((byte)' ');
                }

                foreach (SafeTensorEntry t in list)
                {
                    stream.Write(t.Bytes);
                }

                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }
}
