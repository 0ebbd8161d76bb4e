using System;
using System.Collections.Generic;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace RnnGen;

/// <summary>One tensor as the header declares it; offsets are relative to the start of the data.</summary>
internal sealed class SafeTensorInfo
{
    public SafeTensorInfo(string name, string dtype, int bits, long[] shape, long start, long end)
    {
        Name = name;
        DType = dtype;
        Bits = bits;
        Shape = shape;
        Start = start;
        End = end;
    }

    public string Name { get; }

    public string DType { get; }

    public int Bits { get; }

    public long[] Shape { get; }

    public long Start { get; }

    public long End { get; }

    /// <summary>Set by validation: the product of the dimensions.</summary>
    public ulong ElementCount { get; set; }
}

/// <summary>
/// Parses and validates a safetensors header by the rules of the reference implementation
/// (huggingface/safetensors <c>read_metadata</c> and <c>Metadata::validate</c>), plus one it leaves
/// to serde: a JSON object with a repeated key is refused rather than read last-wins.
/// </summary>
internal static class SafeTensorsHeader
{
    /// <summary>The reference refuses headers longer than this (<c>MAX_HEADER_SIZE</c>).</summary>
    public const long MaxBytes = 100_000_000;

    public const string MetadataKey = "__metadata__";

    /// <summary>
    /// Returns the tensors sorted by data offset and the metadata map. <paramref name="dataLength"/> is
    /// the number of bytes after the header; the tensors must cover them exactly.
    /// </summary>
    public static (List<SafeTensorInfo> Tensors, Dictionary<string, string> Metadata) Parse(string path, ReadOnlySpan<byte> header, long dataLength)
    {
        if (!Utf8.IsValid(header))
        {
            throw Fail(path, null, "the header is not valid UTF-8.");
        }

        if (header.IsEmpty || header[0] != (byte)'{')
        {
            throw Fail(path, null, "the header does not start with '{'; it must be a JSON object.");
        }

        var tensors = new List<SafeTensorInfo>();
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        var keys = new HashSet<string>(StringComparer.Ordinal);
        string? current = null;
        var reader = new Utf8JsonReader(header, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
        try
        {
            reader.Read();
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                string key = reader.GetString()!;
                if (!keys.Add(key))
                {
                    throw Fail(path, key == MetadataKey ? null : key, $"the header has the key '{key}' twice; duplicate names are refused.");
                }

                current = key == MetadataKey ? null : key;
                if (key == MetadataKey)
                {
                    ReadMetadata(ref reader, path, metadata);
                }
                else
                {
                    tensors.Add(ReadTensor(ref reader, path, key));
                }

                current = null;
            }

            // Only the padding spaces may follow the object; anything else makes Read throw.
            if (reader.Read())
            {
                throw Fail(path, null, "the header has content after its JSON object.");
            }
        }
        catch (JsonException e)
        {
            throw new SafeTensorsFormatException(path, current, $"the header is not valid JSON: {e.Message}", e);
        }
        catch (InvalidOperationException e)
        {
            // GetString on an escape that is no valid UTF-16 (a lone surrogate).
            throw new SafeTensorsFormatException(path, current, $"the header holds a string that is not valid Unicode: {e.Message}", e);
        }

        Validate(path, tensors, dataLength);
        return (tensors, metadata);
    }

    private static void ReadMetadata(ref Utf8JsonReader reader, string path, Dictionary<string, string> metadata)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.Null)
        {
            return;   // The reference reads __metadata__ as an Option: null means none.
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw Fail(path, null, $"'{MetadataKey}' must be a JSON object of strings, not {Describe(reader.TokenType)}.");
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            string key = reader.GetString()!;
            reader.Read();
            if (reader.TokenType != JsonTokenType.String)
            {
                throw Fail(path, null, $"'{MetadataKey}' entry '{key}' must be a string, not {Describe(reader.TokenType)}.");
            }

            if (!metadata.TryAdd(key, reader.GetString()!))
            {
                throw Fail(path, null, $"'{MetadataKey}' has the key '{key}' twice; duplicate names are refused.");
            }
        }
    }

    private static SafeTensorInfo ReadTensor(ref Utf8JsonReader reader, string path, string name)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw Fail(path, name, $"the entry must be a JSON object {{\"dtype\", \"shape\", \"data_offsets\"}}, not {Describe(reader.TokenType)}.");
        }

        string? dtype = null;
        long[]? shape = null;
        long[]? offsets = null;
        var fields = new HashSet<string>(StringComparer.Ordinal);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            string field = reader.GetString()!;
            if (!fields.Add(field))
            {
                throw Fail(path, name, $"the entry has the field '{field}' twice; duplicate names are refused.");
            }

            switch (field)
            {
                case "dtype":
                    reader.Read();
                    if (reader.TokenType != JsonTokenType.String)
                    {
                        throw Fail(path, name, $"'dtype' must be a string, not {Describe(reader.TokenType)}.");
                    }

                    dtype = reader.GetString()!;
                    break;
                case "shape":
                    shape = ReadIntegers(ref reader, path, name, field);
                    break;
                case "data_offsets":
                    offsets = ReadIntegers(ref reader, path, name, field);
                    if (offsets.Length != 2)
                    {
                        throw Fail(path, name, $"'data_offsets' must hold two numbers [start, end], not {offsets.Length}.");
                    }

                    break;
                default:
                    // The reference ignores fields it does not know; so do we.
                    reader.Skip();
                    break;
            }
        }

        if (dtype is null || shape is null || offsets is null)
        {
            string missing = dtype is null ? "dtype" : shape is null ? "shape" : "data_offsets";
            throw Fail(path, name, $"the entry has no '{missing}'.");
        }

        int bits = SafeTensorDType.Bits(dtype);
        if (bits == 0)
        {
            throw Fail(path, name, $"dtype '{dtype}' is not one the format defines ({SafeTensorDType.KnownList}).");
        }

        return new SafeTensorInfo(name, dtype, bits, shape, offsets[0], offsets[1]);
    }

    private static long[] ReadIntegers(ref Utf8JsonReader reader, string path, string name, string field)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw Fail(path, name, $"'{field}' must be an array of non-negative integers, not {Describe(reader.TokenType)}.");
        }

        var values = new List<long>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            // A JSON number token from a span is never escaped, so ValueSpan is its text.
            if (reader.TokenType != JsonTokenType.Number || !IsDigits(reader.ValueSpan))
            {
                string text = reader.TokenType == JsonTokenType.Number ? Encoding.UTF8.GetString(reader.ValueSpan) : Describe(reader.TokenType);
                throw Fail(path, name, $"'{field}' must hold non-negative integers, not {text}.");
            }

            if (!reader.TryGetUInt64(out ulong value) || value > long.MaxValue)
            {
                throw Fail(path, name, $"'{field}' holds {Encoding.UTF8.GetString(reader.ValueSpan)}, more than a file offset or dimension can be ({long.MaxValue:N0}).");
            }

            values.Add((long)value);
        }

        return values.ToArray();
    }

    private static void Validate(string path, List<SafeTensorInfo> tensors, long dataLength)
    {
        foreach (SafeTensorInfo t in tensors)
        {
            ulong? elements = SafeTensorDType.ElementCount(t.Shape);
            if (elements is null)
            {
                throw Fail(path, t.Name, $"shape {ShapeText(t.Shape)} has more elements than 2^64 (arithmetic overflow).");
            }

            t.ElementCount = elements.Value;
        }

        // The reference sorts by (start, end) and then demands each tensor start where the last ended.
        // The index breaks ties so that messages do not depend on the sort's instability.
        var order = new List<(SafeTensorInfo Tensor, int Index)>(tensors.Count);
        for (int i = 0; i < tensors.Count; i++)
        {
            order.Add((tensors[i], i));
        }

        order.Sort((a, b) =>
        {
            int c = a.Tensor.Start.CompareTo(b.Tensor.Start);
            c = c != 0 ? c : a.Tensor.End.CompareTo(b.Tensor.End);
            return c != 0 ? c : a.Index.CompareTo(b.Index);
        });

        long expectedStart = 0;
        string? previous = null;
        tensors.Clear();
        foreach ((SafeTensorInfo t, _) in order)
        {
            if (t.End < t.Start)
            {
                throw Fail(path, t.Name, $"data offsets [{t.Start}, {t.End}] end before they start.");
            }

            if (t.Start != expectedStart)
            {
                throw Fail(path, t.Name, previous is null
                    ? $"the first tensor's data starts at byte {t.Start}, not 0 (the data must start right after the header)."
                    : t.Start > expectedStart
                        ? $"its data starts at byte {t.Start} but the previous tensor '{previous}' ends at {expectedStart}: a gap of {t.Start - expectedStart} bytes (tensors must be contiguous)."
                        : $"its data starts at byte {t.Start}, inside the previous tensor '{previous}' which ends at {expectedStart} (tensors must not overlap).");
            }

            long? bytes = SafeTensorDType.ByteLength(t.ElementCount, t.Bits);
            if (bytes is null)
            {
                throw Fail(path, t.Name, $"shape {ShapeText(t.Shape)} of {t.DType} is {t.ElementCount:N0} elements, which is too many bytes for a file or does not fill whole bytes.");
            }

            if (t.End - t.Start != bytes.Value)
            {
                throw Fail(path, t.Name, $"data offsets [{t.Start}, {t.End}] hold {t.End - t.Start} bytes but shape {ShapeText(t.Shape)} of {t.DType} needs {bytes.Value}.");
            }

            expectedStart = t.End;
            previous = t.Name;
            tensors.Add(t);
        }

        if (expectedStart < dataLength)
        {
            throw Fail(path, null, $"{dataLength - expectedStart} bytes follow the last tensor's data; the data must end exactly at the end of the file.");
        }

        if (expectedStart > dataLength)
        {
            throw Fail(path, previous, $"its data ends at byte {expectedStart} but the file has only {dataLength} bytes of data (truncated file?).");
        }
    }

    public static string ShapeText(ReadOnlySpan<long> shape)
    {
        var text = new StringBuilder("[");
        for (int i = 0; i < shape.Length; i++)
        {
            text.Append(i == 0 ? "" : ", ").Append(shape[i].ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        return text.Append(']').ToString();
    }

    private static bool IsDigits(ReadOnlySpan<byte> text)
    {
        foreach (byte b in text)
        {
            if (b is < (byte)'0' or > (byte)'9')
            {
                return false;
            }
        }

        return !text.IsEmpty;
    }

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        _ => token.ToString(),
    };

    private static SafeTensorsFormatException Fail(string path, string? tensor, string rule) => new(path, tensor, rule);
}
