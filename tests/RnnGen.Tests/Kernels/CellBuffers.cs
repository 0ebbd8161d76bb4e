using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.InteropServices;
using RnnGen.Kernels;

namespace RnnGen.Tests.Kernels;

/// <summary>
/// Every buffer one row of one cell reads or writes, by the name of its <see cref="CellRow"/> or
/// <see cref="CellParameters"/> field, so a test can copy them, run a cell on them, and compare them all.
/// </summary>
internal sealed unsafe class CellBuffers
{
    private readonly Dictionary<string, float[]> _buffers;

    private CellBuffers(RecurrentCellKind kind, int hidden, Dictionary<string, float[]> buffers)
    {
        Kind = kind;
        Hidden = hidden;
        _buffers = buffers;
    }

    /// <summary>Runs a cell (or a piece of one) on one row.</summary>
    public delegate void RowAction(ref CellRow row, in CellParameters parameters);

    public RecurrentCellKind Kind { get; }

    public int Hidden { get; }

    public IEnumerable<string> Names => _buffers.Keys;

    public float[] this[string name] => _buffers[name];

    public static int GateCount(RecurrentCellKind kind) => kind switch
    {
        RecurrentCellKind.Gru => 3,
        RecurrentCellKind.SimpleRnnTanh or RecurrentCellKind.SimpleRnnRelu => 1,
        _ => 4,
    };

    public static bool IsLstm(RecurrentCellKind kind) => GateCount(kind) == 4;

    public static bool HasPeephole(RecurrentCellKind kind) => kind is RecurrentCellKind.PeepholeLstm or RecurrentCellKind.LayerNormPeepholeLstm;

    public static bool HasLayerNorm(RecurrentCellKind kind) => kind is RecurrentCellKind.LayerNormLstm or RecurrentCellKind.LayerNormPeepholeLstm;

    /// <summary>Whether the cell keeps h·W_hhᵀ apart in <see cref="CellRow.HiddenGates"/>.</summary>
    public static bool SeparateHiddenGates(RecurrentCellKind kind) => kind == RecurrentCellKind.Gru || HasLayerNorm(kind);

    /// <summary>
    /// The inputs of a forward step: pre-activations mostly in [−3, 3] with a few saturating ones (±60) and exact
    /// zeros, c(t−1) and h(t−1) in [−2, 2], the cell's parameters; outputs NaN until written.
    /// </summary>
    public static CellBuffers ForwardInputs(RecurrentCellKind kind, int hidden, Random random)
    {
        int h = hidden, gh = GateCount(kind) * h;
        var b = new Dictionary<string, float[]>
        {
            ["Gates"] = PreActivations(random, gh),
            ["Output"] = Filled(h, float.NaN),
        };
        if (SeparateHiddenGates(kind))
        {
            b["HiddenGates"] = HasLayerNorm(kind) ? Uniform(random, gh, 3, offset: 0.5f) : PreActivations(random, gh);
        }

        if (kind == RecurrentCellKind.Gru)
        {
            b["StatePrev"] = Uniform(random, h, 2);
        }

        if (IsLstm(kind))
        {
            b["CellPrev"] = Uniform(random, h, 2);
            b["CellNext"] = Filled(h, float.NaN);
        }

        if (HasLayerNorm(kind))
        {
            b["Statistics"] = Filled(4, float.NaN);
            b["NormHiddenWeight"] = Uniform(random, gh, 0.3f, offset: 1);
            b["NormHiddenBias"] = Uniform(random, gh, 0.3f);
            b["NormCellWeight"] = Uniform(random, h, 0.3f, offset: 1);
            b["NormCellBias"] = Uniform(random, h, 0.3f);
            b["NormHiddenWeightGradient"] = Uniform(random, gh, 1);
            b["NormHiddenBiasGradient"] = Uniform(random, gh, 1);
            b["NormCellWeightGradient"] = Uniform(random, h, 1);
            b["NormCellBiasGradient"] = Uniform(random, h, 1);
        }

        if (HasPeephole(kind))
        {
            foreach (string gate in new[] { "Input", "Forget", "Output" })
            {
                b["Peephole" + gate] = Uniform(random, h, 0.7f);
                b["Peephole" + gate + "Gradient"] = Uniform(random, h, 1);
            }
        }

        return new CellBuffers(kind, hidden, b);
    }

    /// <summary>
    /// The inputs of a backward step on top of a forward step's results: dL/d(output) and dL/dc(t) in [−1, 1],
    /// the parameter gradients as they were (added to); the gates' gradients NaN until written.
    /// </summary>
    public CellBuffers BackwardInputs(Random random)
    {
        CellBuffers b = Clone();
        int gh = GateCount(Kind) * Hidden;
        b._buffers["OutputGradient"] = Uniform(random, Hidden, 1);
        b._buffers["GatesGradient"] = Filled(gh, float.NaN);
        if (SeparateHiddenGates(Kind))
        {
            b._buffers["HiddenGatesGradient"] = Filled(gh, float.NaN);
        }

        if (IsLstm(Kind))
        {
            b._buffers["CellGradient"] = Uniform(random, Hidden, 1);
        }

        return b;
    }

    public CellBuffers Clone() => new(Kind, Hidden, _buffers.ToDictionary(p => p.Key, p => (float[])p.Value.Clone()));

    public Dictionary<string, double[]> ToDoubles() => _buffers.ToDictionary(p => p.Key, p => p.Value.Select(v => (double)v).ToArray());

    /// <summary>Pins every buffer and runs <paramref name="action"/> with the row's and the parameters' pointers set.</summary>
    public void Run(RowAction action)
    {
        var handles = _buffers.ToDictionary(p => p.Key, p => GCHandle.Alloc(p.Value, GCHandleType.Pinned));
        try
        {
            float* P(string name) => handles.TryGetValue(name, out GCHandle handle) ? (float*)handle.AddrOfPinnedObject() : null;
            var row = new CellRow
            {
                Hidden = Hidden,
                Gates = P("Gates"),
                HiddenGates = P("HiddenGates"),
                StatePrev = P("StatePrev"),
                CellPrev = P("CellPrev"),
                CellNext = P("CellNext"),
                Output = P("Output"),
                Statistics = P("Statistics"),
                GatesGradient = P("GatesGradient"),
                HiddenGatesGradient = P("HiddenGatesGradient"),
                CellGradient = P("CellGradient"),
                OutputGradient = P("OutputGradient"),
            };
            var parameters = new CellParameters
            {
                PeepholeInput = P("PeepholeInput"),
                PeepholeForget = P("PeepholeForget"),
                PeepholeOutput = P("PeepholeOutput"),
                NormHiddenWeight = P("NormHiddenWeight"),
                NormHiddenBias = P("NormHiddenBias"),
                NormCellWeight = P("NormCellWeight"),
                NormCellBias = P("NormCellBias"),
                PeepholeInputGradient = P("PeepholeInputGradient"),
                PeepholeForgetGradient = P("PeepholeForgetGradient"),
                PeepholeOutputGradient = P("PeepholeOutputGradient"),
                NormHiddenWeightGradient = P("NormHiddenWeightGradient"),
                NormHiddenBiasGradient = P("NormHiddenBiasGradient"),
                NormCellWeightGradient = P("NormCellWeightGradient"),
                NormCellBiasGradient = P("NormCellBiasGradient"),
            };
            action(ref row, parameters);
        }
        finally
        {
            foreach (GCHandle handle in handles.Values)
            {
                handle.Free();
            }
        }
    }

    /// <summary>Mostly [−3, 3]; every 7th value saturates a sigmoid or tanh (±60), every 11th is exactly 0.</summary>
    private static float[] PreActivations(Random random, int count)
    {
        float[] values = Uniform(random, count, 3);
        for (int i = 3; i < count; i += 7)
        {
            values[i] = i % 2 == 0 ? 60f : -60f;
        }

        for (int i = 5; i < count; i += 11)
        {
            values[i] = 0f;
        }

        return values;
    }

    public static float[] Uniform(Random random, int count, float scale, float offset = 0)
    {
        var values = new float[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = offset + (float)(((random.NextDouble() * 2) - 1) * scale);
        }

        return values;
    }

    private static float[] Filled(int count, float value)
    {
        var values = new float[count];
        Array.Fill(values, value);
        return values;
    }
}
