using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;

namespace RnnGen.Compare.Onnx;

/// <summary>
/// A minimal ONNX graph builder (ModelProto, onnx.proto field numbers): float tensors as initializers, nodes with
/// int, ints, float and string(s) attributes, and typed graph inputs and outputs. Enough for the recurrent
/// graphs <see cref="RecurrentOnnxModel"/> writes; not a general ONNX library.
/// </summary>
internal sealed class OnnxGraph
{
    // TensorProto.DataType
    private const int FloatType = 1;
    private const int Int64Type = 7;

    // AttributeProto.AttributeType
    private const int AttributeFloat = 1;
    private const int AttributeInt = 2;
    private const int AttributeString = 3;
    private const int AttributeInts = 7;
    private const int AttributeStrings = 8;

    private readonly List<ProtoWriter> _nodes = [];
    private readonly List<ProtoWriter> _initializers = [];
    private readonly List<ProtoWriter> _inputs = [];
    private readonly List<ProtoWriter> _outputs = [];
    private int _nodeCount;

    /// <summary>A float initializer (a weight) named <paramref name="name"/> of shape <paramref name="dims"/>.</summary>
    public string Initializer(string name, long[] dims, ReadOnlySpan<float> values)
    {
        long count = 1;
        foreach (long d in dims)
        {
            count *= d;
        }

        if (count != values.Length)
        {
            throw new ArgumentException($"Initializer {name}: shape [{string.Join(", ", dims)}] needs {count} values, got {values.Length}.", nameof(values));
        }

        var tensor = new ProtoWriter();
        foreach (long d in dims)
        {
            tensor.Varint(1, d);
        }

        tensor.Varint(2, FloatType).String(8, name).Bytes(9, MemoryMarshal.AsBytes(values));
        _initializers.Add(tensor);
        return name;
    }

    /// <summary>An int64 initializer (axes, shapes).</summary>
    public string Int64Initializer(string name, long[] values)
    {
        var tensor = new ProtoWriter().Varint(1, values.Length).Varint(2, Int64Type).String(8, name).Bytes(9, MemoryMarshal.AsBytes(values.AsSpan()));
        _initializers.Add(tensor);
        return name;
    }

    /// <summary>A float graph input or output of a fixed shape.</summary>
    public void Input(string name, long[] dims) => _inputs.Add(ValueInfo(name, dims));

    public void Output(string name, long[] dims) => _outputs.Add(ValueInfo(name, dims));

    /// <summary>Adds a node; an attribute value is a long, long[], float, string or string[].</summary>
    public void Node(string opType, string[] inputs, string[] outputs, params (string Name, object Value)[] attributes)
    {
        var node = new ProtoWriter();
        foreach (string input in inputs)
        {
            node.String(1, input);
        }

        foreach (string output in outputs)
        {
            node.String(2, output);
        }

        node.String(3, $"{opType}_{_nodeCount++}").String(4, opType);
        foreach ((string name, object value) in attributes)
        {
            var attribute = new ProtoWriter().String(1, name);
            switch (value)
            {
                case long i:
                    attribute.Varint(3, i).Varint(20, AttributeInt);
                    break;
                case long[] ints:
                    foreach (long i in ints)
                    {
                        attribute.Varint(8, i);
                    }

                    attribute.Varint(20, AttributeInts);
                    break;
                case float f:
                    attribute.Float(2, f).Varint(20, AttributeFloat);
                    break;
                case string s:
                    attribute.String(4, s).Varint(20, AttributeString);
                    break;
                case string[] strings:
                    foreach (string s in strings)
                    {
                        attribute.String(9, s);
                    }

                    attribute.Varint(20, AttributeStrings);
                    break;
                default:
                    throw new ArgumentException($"Attribute {name}: unsupported value type {value.GetType().Name}.", nameof(attributes));
            }

            node.Message(5, attribute);
        }

        _nodes.Add(node);
    }

    /// <summary>The serialized ModelProto (IR version 7, opset 14: what torch 1.13's exporter writes at opset 14).</summary>
    public byte[] ToModel(string graphName)
    {
        var graph = new ProtoWriter();
        foreach (ProtoWriter node in _nodes)
        {
            graph.Message(1, node);
        }

        graph.String(2, graphName);
        foreach (ProtoWriter initializer in _initializers)
        {
            graph.Message(5, initializer);
        }

        foreach (ProtoWriter input in _inputs)
        {
            graph.Message(11, input);
        }

        foreach (ProtoWriter output in _outputs)
        {
            graph.Message(12, output);
        }

        var opset = new ProtoWriter().String(1, "").Varint(2, 14);
        return new ProtoWriter().Varint(1, 7).String(2, "RnnGen.Compare").String(3, "1").Message(7, graph).Message(8, opset).ToArray();
    }

    private static ProtoWriter ValueInfo(string name, long[] dims)
    {
        var shape = new ProtoWriter();
        foreach (long d in dims)
        {
            shape.Message(1, new ProtoWriter().Varint(1, d));
        }

        var tensorType = new ProtoWriter().Varint(1, FloatType).Message(2, shape);
        return new ProtoWriter().String(1, name).Message(2, new ProtoWriter().Message(1, tensorType));
    }
}
