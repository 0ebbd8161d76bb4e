using System;
using System.Buffers.Binary;
using System.IO;
using System.Text;

namespace RnnGen.Compare.Onnx;

/// <summary>
/// The few protobuf wire-format primitives an ONNX model needs (varints, length-delimited fields, fixed32),
/// written by hand so that the harness builds its ONNX Runtime models without a protobuf dependency.
/// A nested message is written into its own <see cref="ProtoWriter"/> and added as bytes.
/// </summary>
internal sealed class ProtoWriter
{
    private readonly MemoryStream _stream = new();

    public byte[] ToArray() => _stream.ToArray();

    /// <summary>Wire type 0: an int64/int32/enum/bool field.</summary>
    public ProtoWriter Varint(int field, long value)
    {
        Key(field, 0);
        Raw((ulong)value);
        return this;
    }

    /// <summary>Wire type 2: a string field (UTF-8).</summary>
    public ProtoWriter String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

    /// <summary>Wire type 2: a nested message.</summary>
    public ProtoWriter Message(int field, ProtoWriter message) => Bytes(field, message.ToArray());

    /// <summary>Wire type 2: raw bytes.</summary>
    public ProtoWriter Bytes(int field, ReadOnlySpan<byte> value)
    {
        Key(field, 2);
        Raw((ulong)value.Length);
        _stream.Write(value);
        return this;
    }

    /// <summary>Wire type 5: a float field.</summary>
    public ProtoWriter Float(int field, float value)
    {
        Key(field, 5);
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteSingleLittleEndian(bytes, value);
        _stream.Write(bytes);
        return this;
    }

    private void Key(int field, int wireType) => Raw(((ulong)field << 3) | (uint)wireType);

    private void Raw(ulong value)
    {
        while (value >= 0x80)
        {
            _stream.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }

        _stream.WriteByte((byte)value);
    }
}
