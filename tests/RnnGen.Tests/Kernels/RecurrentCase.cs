using System;
using System.Collections.Generic;
using System.Linq;
using RnnGen.Kernels;

namespace RnnGen.Tests.Kernels;

/// <summary>
/// Every buffer one direction of a recurrent layer needs, by its <see cref="RecurrentSpans"/> field name, filled
/// from a seed so that a case of fewer rows holds exactly the first rows of a bigger one. Outputs start as NaN (so an
/// element the driver forgets shows), the output's spare columns as 7, and padded steps' inputs can be NaN (so a
/// padded value that leaks shows).
/// </summary>
internal sealed class RecurrentCase
{
    /// <summary>Rows generated for every per-row buffer; a case keeps the first <see cref="Rows"/>.</summary>
    private const int GeneratedRows = 16;

    private const float Spare = 7f;

    private readonly Dictionary<string, float[]> _buffers = [];

    private RecurrentCase(RecurrentCellKind kind, int hidden, int projection, int steps, int[] lengths, bool reverse)
    {
        Kind = kind;
        Hidden = hidden;
        Projection = projection;
        Steps = steps;
        Lengths = lengths;
        Reverse = reverse;
    }

    public RecurrentCellKind Kind { get; }

    public int Hidden { get; }

    public int Projection { get; }

    public int Rows => Lengths.Length;

    public int Steps { get; }

    public int[] Lengths { get; }

    public bool Reverse { get; }

    /// <summary>K: the width of h.</summary>
    public int State => Projection > 0 ? Projection : Hidden;

    public int GateWidth => CellBuffers.GateCount(Kind) * Hidden;

    /// <summary>Output rows are this far apart, past the K values the layer writes.</summary>
    public int OutputStride => State + 2;

    public IEnumerable<string> Names => _buffers.Keys;

    public float[] this[string name] => _buffers[name];

    /// <param name="nanPadding">NaN in the gates' input and the output gradient at padded steps, which must be ignored.</param>
    public static RecurrentCase Create(RecurrentCellKind kind, int hidden, int projection, int steps, int[] lengths, bool reverse, int seed, bool nanPadding = false)
    {
        var c = new RecurrentCase(kind, hidden, projection, steps, lengths, reverse);
        int h = hidden, k = c.State, gh = c.GateWidth, rows = c.Rows;
        var random = new Random(seed);

        // Parameters: PyTorch's scale for the weights, layer-norm gains near 1.
        c.Add("WeightHh", Shared(random, gh * k, 1 / MathF.Sqrt(k)));
        if (kind == RecurrentCellKind.Gru)
        {
            c.Add("BiasHh", Shared(random, gh, 0.5f));
        }

        if (projection > 0)
        {
            c.Add("WeightHr", Shared(random, projection * h, 1 / MathF.Sqrt(h)));
            c.Add("Unprojected", Filled(steps * rows * h, float.NaN));
            c.Add("StateGradients", Filled(steps * rows * projection, float.NaN));
            c.Add("UnprojectedGradient", Filled(rows * h, float.NaN));
        }

        if (CellBuffers.HasPeephole(kind))
        {
            foreach (string gate in new[] { "Input", "Forget", "Output" })
            {
                c.Add("Peephole" + gate, Shared(random, h, 0.5f));
                c.Add("Peephole" + gate + "Gradient", Shared(random, h, 1));
            }
        }

        if (CellBuffers.HasLayerNorm(kind))
        {
            c.Add("NormHiddenWeight", Shared(random, gh, 0.3f, 1));
            c.Add("NormHiddenBias", Shared(random, gh, 0.3f));
            c.Add("NormCellWeight", Shared(random, h, 0.3f, 1));
            c.Add("NormCellBias", Shared(random, h, 0.3f));
            foreach (string name in new[] { "NormHiddenWeight", "NormHiddenBias", "NormCellWeight", "NormCellBias" })
            {
                c.Add(name + "Gradient", Shared(random, c[name].Length, 1));
            }

            c.Add("Statistics", Filled(steps * rows * 4, float.NaN));
        }

        // The step's input part of the gates, and h0 (c0) at the direction's initial index; the rest NaN until written.
        c.Add("Gates", c.PerRow(random, steps, gh, 2, nanPadding));
        if (CellBuffers.SeparateHiddenGates(kind))
        {
            c.Add("HiddenGates", Filled(steps * rows * gh, float.NaN));
            c.Add("HiddenGatesGradient", Filled(steps * rows * gh, float.NaN));
        }

        int initial = reverse ? steps : 0;
        c.Add("States", c.StateSlices(random, k, initial));
        if (CellBuffers.IsLstm(kind))
        {
            c.Add("Cells", c.StateSlices(random, h, initial));
            c.Add("CellGradient", c.PerRow(random, 1, h, 1, nanPadding: false));
        }

        c.Add("Output", Filled(steps * rows * c.OutputStride, Spare));

        // Backward: dL/dy at every step (NaN past each row's length if asked), dL/d(final state) in the running gradients.
        c.Add("OutputGradient", c.PerRow(random, steps, c.OutputStride, 1, nanPadding));
        c.Add("HiddenGradient", c.PerRow(random, 1, k, 1, nanPadding: false));
        c.Add("GatesGradient", Filled(steps * rows * gh, float.NaN));
        return c;
    }

    /// <summary>The spans, one of them (<paramref name="shorten"/>) one element short, or with the output stride below K.</summary>
    public RecurrentSpans Spans(string? shorten = null)
    {
        ReadOnlySpan<float> R(string name) => W(name);
        Span<float> W(string name)
        {
            if (!_buffers.TryGetValue(name, out float[]? values))
            {
                return default;
            }

            // The output's last row needs only K of its stride: one short means short of that.
            int cut = name != shorten ? 0 : name is "Output" or "OutputGradient" ? OutputStride - State + 1 : 1;
            return values.AsSpan(0, values.Length - cut);
        }

        return new RecurrentSpans
        {
            ParameterVersion = -1, // repack every call: the tests change weights between calls
            WeightHh = R("WeightHh"),
            BiasHh = R("BiasHh"),
            WeightHr = R("WeightHr"),
            PeepholeInput = R("PeepholeInput"),
            PeepholeForget = R("PeepholeForget"),
            PeepholeOutput = R("PeepholeOutput"),
            NormHiddenWeight = R("NormHiddenWeight"),
            NormHiddenBias = R("NormHiddenBias"),
            NormCellWeight = R("NormCellWeight"),
            NormCellBias = R("NormCellBias"),
            Gates = W("Gates"),
            HiddenGates = W("HiddenGates"),
            States = W("States"),
            Cells = W("Cells"),
            Unprojected = W("Unprojected"),
            Statistics = W("Statistics"),
            Output = W("Output"),
            OutputStride = shorten == "OutputStride" ? State - 1 : OutputStride,
            OutputGradient = R("OutputGradient"),
            GatesGradient = W("GatesGradient"),
            HiddenGatesGradient = W("HiddenGatesGradient"),
            HiddenGradient = W("HiddenGradient"),
            CellGradient = W("CellGradient"),
            StateGradients = W("StateGradients"),
            UnprojectedGradient = W("UnprojectedGradient"),
            PeepholeInputGradient = W("PeepholeInputGradient"),
            PeepholeForgetGradient = W("PeepholeForgetGradient"),
            PeepholeOutputGradient = W("PeepholeOutputGradient"),
            NormHiddenWeightGradient = W("NormHiddenWeightGradient"),
            NormHiddenBiasGradient = W("NormHiddenBiasGradient"),
            NormCellWeightGradient = W("NormCellWeightGradient"),
            NormCellBiasGradient = W("NormCellBiasGradient"),
        };
    }

    /// <summary>A layer for this case: the fused step (batch ≤ 8, unit-local cells) or the packed product.</summary>
    public RecurrentLayer Layer(bool fused) => new(Kind, Hidden, fused ? RecurrentLayer.FusedBatch : RecurrentLayer.FusedBatch + 1, Reverse, Projection);

    public void Forward(RecurrentLayer layer, string? shorten = null) => layer.Forward(Rows, Steps, Lengths, Spans(shorten));

    public void Backward(RecurrentLayer layer, string? shorten = null) => layer.Backward(Rows, Steps, Lengths, Spans(shorten));

    public RecurrentCase Clone()
    {
        var c = new RecurrentCase(Kind, Hidden, Projection, Steps, Lengths, Reverse);
        foreach ((string name, float[] values) in _buffers)
        {
            c.Add(name, (float[])values.Clone());
        }

        return c;
    }

    /// <summary>
    /// How a per-row buffer is laid out ([slices, rows, width]), or null for a parameter (shared by the rows).
    /// </summary>
    public (int Slices, int Width)? Layout(string name) => name switch
    {
        "Gates" or "GatesGradient" or "HiddenGates" or "HiddenGatesGradient" => (Steps, GateWidth),
        "States" => (Steps + 1, State),
        "Cells" => (Steps + 1, Hidden),
        "Unprojected" => (Steps, Hidden),
        "StateGradients" => (Steps, Projection),
        "Statistics" => (Steps, 4),
        "Output" or "OutputGradient" => (Steps, OutputStride),
        "HiddenGradient" => (1, State),
        "CellGradient" or "UnprojectedGradient" => (1, Hidden),
        _ => null,
    };

    /// <summary>Step t is past row b's length.</summary>
    public bool Padded(int t, int b) => t >= Lengths[b];

    /// <summary>
    /// Whether element (slice, row) of a buffer is defined: the gates, the hidden gates and the statistics of a padded
    /// step hold whatever the product left there (the cell never ran), and mean nothing.
    /// </summary>
    public bool Defined(string name, int slice, int b) =>
        name is not ("Gates" or "HiddenGates" or "Statistics") || !Padded(slice, b);

    private void Add(string name, float[] values) => _buffers.Add(name, values);

    /// <summary>[slices, rows, width] from [slices, 16, width] random values, so fewer rows are the first rows.</summary>
    private float[] PerRow(Random random, int slices, int width, float scale, bool nanPadding)
    {
        var values = new float[slices * Rows * width];
        for (int s = 0; s < slices; s++)
        {
            for (int b = 0; b < GeneratedRows; b++)
            {
                for (int j = 0; j < width; j++)
                {
                    float v = (float)(((random.NextDouble() * 2) - 1) * scale);
                    if (b < Rows)
                    {
                        values[(((s * Rows) + b) * width) + j] = nanPadding && slices == Steps && Padded(s, b) ? float.NaN : v;
                    }
                }
            }
        }

        return values;
    }

    /// <summary>[T + 1, rows, width]: random at the initial index, NaN elsewhere.</summary>
    private float[] StateSlices(Random random, int width, int initial)
    {
        float[] start = PerRow(random, 1, width, 1, nanPadding: false);
        float[] values = Filled((Steps + 1) * Rows * width, float.NaN);
        start.CopyTo(values, initial * Rows * width);
        return values;
    }

    private static float[] Shared(Random random, int count, float scale, float offset = 0) =>
        Enumerable.Range(0, count).Select(_ => offset + (float)(((random.NextDouble() * 2) - 1) * scale)).ToArray();

    private static float[] Filled(int count, float value)
    {
        var values = new float[count];
        Array.Fill(values, value);
        return values;
    }
}
