using System.Collections.Generic;

namespace RnnGen.Generator;

// Stage 2 output: the static schedule of one model. Every tensor has a fixed offset in one of three
// arenas (parameters, activations, gradients), so the emitted code allocates nothing per call.

/// <summary>A tensor at a fixed offset in an arena; <see cref="Shape"/> is the comment shown next to it.</summary>
internal sealed class Slot
{
    public Slot(string name, int offset, int length, string shape)
    {
        Name = name;
        Offset = offset;
        Length = length;
        Shape = shape;
    }

    /// <summary>PascalCase constant name in generated code.</summary>
    public string Name { get; }

    public int Offset { get; }

    public int Length { get; }

    public string Shape { get; }
}

/// <summary>Assigns 64-byte aligned offsets, as <c>ParameterSet</c> does, so plans and runtime sets agree.</summary>
internal sealed class Arena
{
    private readonly List<Slot> _slots = new();

    public IReadOnlyList<Slot> Slots => _slots;

    public long Total { get; private set; }

    public Slot Add(string name, long length, string shape)
    {
        var slot = new Slot(name, (int)System.Math.Min(Total, int.MaxValue), (int)System.Math.Min(length, int.MaxValue), shape);
        _slots.Add(slot);
        Total += (length + 15) & ~15L;
        return slot;
    }
}

/// <summary>A named PyTorch parameter and its gradient (same offset in Parameters and Gradients).</summary>
internal sealed class Parameter
{
    public Parameter(string tensorName, Slot slot, int[] shape, string init)
    {
        TensorName = tensorName;
        Slot = slot;
        Shape = shape;
        Init = init;
    }

    public string TensorName { get; }

    public Slot Slot { get; }

    public int[] Shape { get; }

    /// <summary>C# expression of the PyTorch default initialisation: "uniform:bound" or "normal".</summary>
    public string Init { get; }
}

internal abstract class Stage
{
    /// <summary>Identifier used for method and constant names, e.g. <c>RnnL0</c>.</summary>
    public string Id { get; set; } = "";

    public string Description { get; set; } = "";

    public Slot Input { get; set; } = null!;

    public Slot InputGradient { get; set; } = null!;

    public Slot Output { get; set; } = null!;

    public Slot OutputGradient { get; set; } = null!;

    public int InFeatures { get; set; }

    public int OutFeatures { get; set; }

    /// <summary>Whether the input is a sequence [T,B,F] (else [B,F]).</summary>
    public bool SequenceIn { get; set; }

    public bool SequenceOut { get; set; }
}

internal sealed class Direction
{
    public int Index { get; set; }

    public bool Reverse => Index == 1;

    public Parameter WeightIh { get; set; } = null!;

    public Parameter WeightHh { get; set; } = null!;

    public Parameter BiasIh { get; set; } = null!;

    public Parameter BiasHh { get; set; } = null!;

    /// <summary>[T,B,G·H]: pre-activations, then gate activations.</summary>
    public Slot Gates { get; set; } = null!;

    /// <summary>GRU only, [T,B,3H]: h·W_hhᵀ + b_hh.</summary>
    public Slot? HiddenGates { get; set; }

    /// <summary>[T+1,B,H]: forward direction: index 0 is h0, t+1 the state after step t; reverse: index T is h0, t the state after step t.</summary>
    public Slot States { get; set; } = null!;

    /// <summary>LSTM only, [T+1,B,H], indexed like <see cref="States"/>.</summary>
    public Slot? Cells { get; set; }

    public Slot GatesGradient { get; set; } = null!;

    /// <summary>GRU only: gradient of h·W_hhᵀ + b_hh.</summary>
    public Slot? HiddenGatesGradient { get; set; }

    /// <summary>[B,H] running dL/dh.</summary>
    public Slot HiddenGradient { get; set; } = null!;

    /// <summary>LSTM only, [B,H] running dL/dc.</summary>
    public Slot? CellGradient { get; set; }

    public int StateIndexBefore(int t) => Reverse ? t + 1 : t;

    public int StateIndexAfter(int t) => Reverse ? t : t + 1;

    public int InitialStateIndex(int steps) => Reverse ? steps : 0;

    public int FinalStateIndex(int steps) => Reverse ? 0 : steps;
}

internal sealed class RecurrentStage : Stage
{
    public LayerSpec Layer { get; set; } = null!;

    public int SubLayer { get; set; }

    public int Hidden { get; set; }

    public int GateCount { get; set; }

    public List<Direction> Directions { get; } = new();
}

internal sealed class DropoutStage : Stage
{
    public double Probability { get; set; }

    public Slot Mask { get; set; } = null!;
}

internal sealed class DenseStage : Stage
{
    public LayerSpec Layer { get; set; } = null!;

    public Parameter Weight { get; set; } = null!;

    public Parameter Bias { get; set; } = null!;

    /// <summary>Rows of the product: T·B for sequences, B otherwise.</summary>
    public int Rows { get; set; }
}

/// <summary>Initial/final state tensors of one recurrent attribute, shape [L·D, B, H] like PyTorch's h_0.</summary>
internal sealed class StateTensor
{
    public StateTensor(string layerName, bool isCell, int count, int batch, int hidden)
    {
        LayerName = layerName;
        IsCell = isCell;
        Count = count;
        Batch = batch;
        Hidden = hidden;
    }

    public string LayerName { get; }

    public bool IsCell { get; }

    public int Count { get; }

    public int Batch { get; }

    public int Hidden { get; }

    public string InitialName => LayerName + (IsCell ? ".c0" : ".h0");

    public string FinalName => LayerName + (IsCell ? ".c_n" : ".h_n");
}

internal sealed class ModelPlan
{
    public ModelSpec Spec { get; set; } = null!;

    public int Steps { get; set; }

    public int Batch { get; set; }

    public bool EmbeddingInput { get; set; }

    /// <summary>Features per step of the float input, or the embedding dimension.</summary>
    public int InputFeatures { get; set; }

    public int OutputSize { get; set; }

    public bool SequenceOutput { get; set; }

    public Arena Parameters { get; } = new();

    public Arena Activations { get; } = new();

    public Arena Gradients { get; } = new();

    public List<Parameter> ParameterList { get; } = new();

    public List<StateTensor> States { get; } = new();

    public Parameter? EmbeddingTable { get; set; }

    /// <summary>Time-major model input [T,B,I] (float input transposed, or embedded tokens).</summary>
    public Slot Input { get; set; } = null!;

    public Slot InputGradient { get; set; } = null!;

    public List<Stage> Stages { get; } = new();

    public Stage Last => Stages[Stages.Count - 1];
}
