using System;
using System.IO;
using Microsoft.ML.OnnxRuntime;
using RnnGen.Bench;

namespace RnnGen.Compare.Onnx;

/// <summary>
/// ONNX Runtime running one shape: a session with <c>threads</c> intra-op threads, sequential execution and every
/// graph optimisation, inputs and outputs bound once to preallocated buffers (the fastest C# call: no allocation
/// per run). The streaming graph feeds its h and c outputs back as the next call's inputs by swapping two buffer sets.
/// </summary>
internal sealed class OnnxPeer : IDisposable
{
    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions = new();
    private readonly OrtValue[] _values;
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;
    private readonly OrtValue[][] _inputs;
    private readonly OrtValue[][] _outputs;
    private readonly float[][] _stateBuffers;
    private int _parity;

    private OnnxPeer(BenchShape shape, byte[] model, int threads, float[] input)
    {
        using var options = new SessionOptions
        {
            IntraOpNumThreads = threads,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        _session = new InferenceSession(model, options);
        int t = shape.Work == Work.Step ? 1 : shape.Steps;
        Output = new float[shape.Batch * t * shape.Directions * shape.Hidden];
        OrtValue x = OrtValue.CreateTensorValueFromMemory(input, [shape.Batch, t, shape.Input]);
        OrtValue y = OrtValue.CreateTensorValueFromMemory(Output, [shape.Batch, t, shape.Directions * shape.Hidden]);
        if (shape.Work != Work.Step)
        {
            _values = [x, y];
            _inputNames = [RecurrentOnnxModel.Input];
            _outputNames = [RecurrentOnnxModel.Output];
            _inputs = [[x]];
            _outputs = [[y]];
            _stateBuffers = [];
            return;
        }

        // Buffers 0, 1: (h, c) read this call; 2, 3: written; the roles swap after every call.
        long[] stateShape = [1, shape.Batch, shape.Hidden];
        _stateBuffers = [new float[shape.Batch * shape.Hidden], new float[shape.Batch * shape.Hidden], new float[shape.Batch * shape.Hidden], new float[shape.Batch * shape.Hidden]];
        var states = new OrtValue[4];
        for (int s = 0; s < 4; s++)
        {
            states[s] = OrtValue.CreateTensorValueFromMemory(_stateBuffers[s], stateShape);
        }

        _values = [x, y, .. states];
        _inputNames = [RecurrentOnnxModel.Input, RecurrentOnnxModel.HiddenIn, RecurrentOnnxModel.CellIn];
        _outputNames = [RecurrentOnnxModel.Output, RecurrentOnnxModel.HiddenOut, RecurrentOnnxModel.CellOut];
        _inputs = [[x, states[0], states[1]], [x, states[2], states[3]]];
        _outputs = [[y, states[2], states[3]], [y, states[0], states[1]]];
    }

    /// <summary>The last call's output [B, T, D·H].</summary>
    public float[] Output { get; }

    /// <summary>Where the model came from (for the report).</summary>
    public string Source { get; private init; } = "";

    /// <summary>
    /// A session for <paramref name="shape"/>: torch's export <c>DIR/key.onnx</c> when <paramref name="onnxDirectory"/> has one,
    /// else the graph <see cref="RecurrentOnnxModel"/> writes with <paramref name="parameters"/>' weights.
    /// </summary>
    public static OnnxPeer Create(BenchShape shape, ParameterSet parameters, int threads, float[] input, string? onnxDirectory)
    {
        string? file = onnxDirectory is null ? null : Path.Combine(onnxDirectory, shape.Key + ".onnx");
        if (file is not null && File.Exists(file))
        {
            return new OnnxPeer(shape, File.ReadAllBytes(file), threads, input) { Source = "torch.onnx.export" };
        }

        return new OnnxPeer(shape, RecurrentOnnxModel.Build(shape, parameters), threads, input) { Source = "RnnGen's weights" };
    }

    /// <summary>Restarts the stream at h = c = 0 (streaming graph).</summary>
    public void ResetState()
    {
        foreach (float[] buffer in _stateBuffers)
        {
            Array.Clear(buffer);
        }

        _parity = 0;
    }

    /// <summary>One inference call (one step of the stream for the streaming graph).</summary>
    public void Run()
    {
        _session.Run(_runOptions, _inputNames, _inputs[_parity], _outputNames, _outputs[_parity]);
        if (_inputs.Length == 2)
        {
            _parity ^= 1;
        }
    }

    public void Dispose()
    {
        foreach (OrtValue value in _values)
        {
            value.Dispose();
        }

        _runOptions.Dispose();
        _session.Dispose();
    }

    /// <summary>The ONNX Runtime version string.</summary>
    public static string Version => OrtEnv.Instance().GetVersionString();
}
