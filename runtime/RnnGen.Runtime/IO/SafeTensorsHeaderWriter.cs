using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace RnnGen;

/// <summary>
/// Writes a header in the reference writer's canonical form: the 8-byte little-endian length, compact
/// JSON with <c>__metadata__</c> first and the tensors in the given order, padded with spaces to a
/// multiple of 8 so that the data after it is aligned. Strings are escaped as serde_json and Python's
/// <c>json.dumps(ensure_ascii=False)</c> escape them, so the bytes match those writers'.
/// </summary>
internal static class SafeTensorsHeaderWriter
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The length prefix, the JSON and its padding; <paramref name="dataLength"/> gets the data's total size.</summary>
    public static byte[] Build(IReadOnlyList<SafeTensorEntry> tensors, IReadOnlyDictionary<string, string>? metadata, out long dataLength)
    {
        var json = new StringBuilder("{");
        if (metadata is { Count: > 0 })
        {
            var keys = new HashSet<string>(StringComparer.Ordinal);
            AppendString(json, SafeTensorsHeader.MetadataKey, "metadata");
            json.Append(":{");
            foreach (KeyValuePair<string, string> pair in metadata)
            {
                ArgumentNullException.ThrowIfNull(pair.Key, nameof(metadata));
                ArgumentNullException.ThrowIfNull(pair.Value, nameof(metadata));
                if (!keys.Add(pair.Key))
                {
                    throw new ArgumentException($"Metadata key '{pair.Key}' is repeated.", nameof(metadata));
                }

                json.Append(keys.Count == 1 ? "" : ",");
                AppendString(json, pair.Key, "metadata key");
                json.Append(':');
                AppendString(json, pair.Value, $"metadata value of '{pair.Key}'");
            }

            json.Append('}');
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        long offset = 0;
        foreach (SafeTensorEntry t in tensors)
        {
            if (t.Name == SafeTensorsHeader.MetadataKey || !names.Add(t.Name))
            {
                throw new ArgumentException($"Tensor name '{t.Name}' is repeated or reserved.", nameof(tensors));
            }

            json.Append(json.Length == 1 ? "" : ",");
            AppendString(json, t.Name, "tensor name");
            json.Append(":{\"dtype\":");
            AppendString(json, t.DType, "dtype");
            json.Append(",\"shape\":[");
            ReadOnlySpan<int> shape = t.ShapeSpan;
            for (int i = 0; i < shape.Length; i++)
            {
                json.Append(i == 0 ? "" : ",").Append(shape[i].ToString(CultureInfo.InvariantCulture));
            }

            long end = checked(offset + t.ByteLength);
            json.Append("],\"data_offsets\":[")
                .Append(offset.ToString(CultureInfo.InvariantCulture)).Append(',')
                .Append(end.ToString(CultureInfo.InvariantCulture)).Append("]}");
            offset = end;
        }

        json.Append('}');
        dataLength = offset;

        string text = json.ToString();
        int length = StrictUtf8.GetByteCount(text);
        int padded = (length + 7) & ~7;
        if (padded > SafeTensorsHeader.MaxBytes)
        {
            throw new ArgumentException($"The header would be {padded:N0} bytes, more than the {SafeTensorsHeader.MaxBytes:N0} the safetensors format allows.", nameof(tensors));
        }

        byte[] prefix = new byte[8 + padded];
        BinaryPrimitives.WriteInt64LittleEndian(prefix, padded);
        StrictUtf8.GetBytes(text, prefix.AsSpan(8));
        prefix.AsSpan(8 + length).Fill((byte)' ');
        return prefix;
    }

    private static void AppendString(StringBuilder json, string value, string what)
    {
        try
        {
            // Refuse a lone surrogate here, where the message can say which string holds it.
            StrictUtf8.GetByteCount(value);
        }
        catch (EncoderFallbackException e)
        {
            throw new ArgumentException($"The {what} '{value}' is not valid Unicode (it holds a lone surrogate).", e);
        }

        json.Append('"');
        foreach (char c in value)
        {
            switch (c)
            {
                case '"': json.Append("\\\""); break;
                case '\\': json.Append("\\\\"); break;
                case '\b': json.Append("\\b"); break;
                case '\f': json.Append("\\f"); break;
                case '\n': json.Append("\\n"); break;
                case '\r': json.Append("\\r"); break;
                case '\t': json.Append("\\t"); break;
                case < ' ': json.Append("\\u00").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture)); break;
                default: json.Append(c); break;
            }
        }

        json.Append('"');
    }
}
