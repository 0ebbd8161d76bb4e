using System;
using RnnGen.Bench;

namespace RnnGen.Compare.Onnx;

/// <summary>
/// Writes the ONNX graph that <c>torch.onnx.export</c> (torch 1.13, opset 14) produces for a shape's
/// <c>nn.LSTM/GRU/RNN(batch_first=True)</c> after ONNX Runtime's constant folding: Transpose to time-major, the
/// ONNX LSTM/GRU/RNN operator with zero initial states, then Squeeze (or, bidirectional, Transpose + Reshape) and
/// Transpose back to batch-first. The weights are the RnnGen model's own, reordered to ONNX's gate order, so the two
/// engines compute the same function and their outputs can be compared. The streaming graph takes h and c as
/// inputs and returns the next ones, as torch exports <c>lstm(x, (h, c))</c>.
/// </summary>
/// <remarks>
/// <c>benchmarks/pytorch_peer.py --export-onnx DIR</c> writes torch's own export of every shape (with torch's weights);
/// RnnGen.Compare times those files instead when given <c>--onnx-dir DIR</c>.
/// </remarks>
internal static class RecurrentOnnxModel
{
    /// <summary>Graph input and output names (the same names pytorch_peer.py gives torch's export).</summary>
    public const string Input = "input";
    public const string Output = "output";
    public const string HiddenIn = "h0";
    public const string CellIn = "c0";
    public const string HiddenOut = "hn";
    public const string CellOut = "cn";

    /// <summary>The serialized model for <paramref name="shape"/> with the weights in <paramref name="parameters"/> (layer name "rnn").</summary>
    public static byte[] Build(BenchShape shape, ParameterSet parameters)
    {
        int d = shape.Directions, g = shape.Gates, h = shape.Hidden, i = shape.Input, b = shape.Batch;
        int t = shape.Work == Work.Step ? 1 : shape.Steps;
        bool stream = shape.Work == Work.Step;
        if (stream && d != 1)
        {
            throw new ArgumentException("A streaming graph needs a unidirectional layer.", nameof(shape));
        }

        // ONNX gate order from PyTorch's: LSTM i,f,g,o -> i,o,f,c; GRU r,z,n -> z,r,h.
        int[] order = shape.Cell switch
        {
            "LSTM" => [0, 3, 1, 2],
            "GRU" => [1, 0, 2],
            _ => [0],
        };

        float[] w = new float[d * g * h * i], r = new float[d * g * h * h], bias = new float[d * 2 * g * h];
        for (int dir = 0; dir < d; dir++)
        {
            string suffix = dir == 0 ? "_l0" : "_l0_reverse";
            Reorder(parameters.GetReadOnly("rnn.weight_ih" + suffix), order, h, i, w.AsSpan(dir * g * h * i));
            Reorder(parameters.GetReadOnly("rnn.weight_hh" + suffix), order, h, h, r.AsSpan(dir * g * h * h));
            Reorder(parameters.GetReadOnly("rnn.bias_ih" + suffix), order, h, 1, bias.AsSpan(dir * 2 * g * h));
            Reorder(parameters.GetReadOnly("rnn.bias_hh" + suffix), order, h, 1, bias.AsSpan((dir * 2 * g * h) + (g * h)));
        }

        var graph = new OnnxGraph();
        graph.Input(Input, [b, t, i]);
        string[] recurrentInputs =
        [
            "x_tbi",
            graph.Initializer("W", [d, g * h, i], w),
            graph.Initializer("R", [d, g * h, h], r),
            graph.Initializer("B", [d, 2 * g * h], bias),
            "",
            stream ? HiddenIn : graph.Initializer("initial_h", [d, b, h], new float[d * b * h]),
        ];
        if (shape.Cell == "LSTM")
        {
            recurrentInputs = [.. recurrentInputs, stream ? CellIn : graph.Initializer("initial_c", [d, b, h], new float[d * b * h])];
        }

        if (stream)
        {
            graph.Input(HiddenIn, [1, b, h]);
            graph.Input(CellIn, [1, b, h]);
        }

        graph.Node("Transpose", [Input], ["x_tbi"], ("perm", new long[] { 1, 0, 2 }));
        string[] recurrentOutputs = shape.Cell == "LSTM" ? ["y", stream ? HiddenOut : "y_h", stream ? CellOut : "y_c"] : ["y", "y_h"];
        (string, object)[] attributes = shape.Cell switch
        {
            "LSTM" => [("hidden_size", (long)h)],
            "GRU" => [("hidden_size", (long)h), ("linear_before_reset", 1L)],
            _ => [("activations", new[] { shape.Cell == "RNN-relu" ? "Relu" : "Tanh" }), ("hidden_size", (long)h)],
        };
        if (d == 2)
        {
            attributes = [.. attributes, ("direction", "bidirectional")];
        }

        graph.Node(shape.Cell == "LSTM" ? "LSTM" : shape.Cell == "GRU" ? "GRU" : "RNN", recurrentInputs, recurrentOutputs, attributes);
        if (d == 1)
        {
            graph.Node("Squeeze", ["y", graph.Int64Initializer("axes", [1])], ["y_tbh"]);
        }
        else
        {
            graph.Node("Transpose", ["y"], ["y_tbdh"], ("perm", new long[] { 0, 2, 1, 3 }));
            graph.Node("Reshape", ["y_tbdh", graph.Int64Initializer("shape_tb2h", [0, 0, -1])], ["y_tbh"]);
        }

        graph.Node("Transpose", ["y_tbh"], [Output], ("perm", new long[] { 1, 0, 2 }));
        graph.Output(Output, [b, t, d * h]);
        if (stream)
        {
            graph.Output(HiddenOut, [1, b, h]);
            graph.Output(CellOut, [1, b, h]);
        }

        return graph.ToModel(shape.Key);
    }

    /// <summary>Gate blocks of <paramref name="rows"/> rows × <paramref name="columns"/> from PyTorch's order into ONNX's.</summary>
    private static void Reorder(ReadOnlySpan<float> source, int[] order, int rows, int columns, Span<float> target)
    {
        int block = rows * columns;
        for (int gate = 0; gate < order.Length; gate++)
        {
            source.Slice(order[gate] * block, block).CopyTo(target.Slice(gate * block, block));
        }
    }
}
