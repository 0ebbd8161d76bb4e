using System.Collections.Generic;

namespace RnnGen.Generator;

// Stage 2 output: the static schedule of one model. Every tensor has a fixed offset in one of its arenas
// (parameters, activations, gradients, states), sized for the declared T and B, so the emitted code
// allocates nothing per call. A call with fewer rows uses the start of each slot at the smaller stride.

/// <summary>A tensor at a fixed offset in an arena.</summary>
internal sealed class Slot
{
    public Slot(string name, long offset, long length, SlotLayout layout, int width, string shape)
    {
        Name = name;
        Offset = offset;
        Length = length;
        Layout = layout;
        Width = width;
        Shape = shape;
    }

    /// <summary>PascalCase constant name in generated code.</summary>
    public string Name { get; }

    public long Offset { get; }

    /// <summary>Floats at the declared T and B.</summary>
    public long Length { get; }

    public SlotLayout Layout { get; }

    /// <summary>Floats per row (per batch row and step).</summary>
    public int Width { get; }

    /// <summary>The shape comment shown next to it, e.g. <c>[T,B,20]</c>.</summary>
    public string Shape { get; }
}

/// <summary>Assigns 64-byte aligned offsets, as <c>ParameterSet</c> does, so plans and runtime sets agree.</summary>
internal sealed class Arena
{
    private readonly List<Slot> _slots = new();
    private readonly long _steps;
    private readonly long _batch;

    public Arena(long steps, long batch)
    {
        _steps = steps;
        _batch = batch;
    }

    public IReadOnlyList<Slot> Slots => _slots;

    /// <summary>Floats in all, alignment included (saturates instead of overflowing; the limits refuse such plans).</summary>
    public long Total { get; private set; }

    public Slot Add(string name, SlotLayout layout, int width)
    {
        long rows = layout switch
        {
            SlotLayout.Steps => Saturating.Multiply(_steps, _batch),
            SlotLayout.States => Saturating.Multiply(_steps + 1, _batch),
            _ => _batch,
        };
        string shape = layout switch
        {
            SlotLayout.Steps => $"[T,B,{width}]",
            SlotLayout.States => $"[T+1,B,{width}]",
            _ => $"[B,{width}]",
        };
        return Add(name, Saturating.Multiply(rows, width), layout, width, shape);
    }

    /// <summary>A tensor of a fixed shape (a parameter or a state tensor).</summary>
    public Slot AddFixed(string name, long length, string shape) => Add(name, length, SlotLayout.Rows, 0, shape);

    private Slot Add(string name, long length, SlotLayout layout, int width, string shape)
    {
        var slot = new Slot(name, Total, length, layout, width, shape);
        _slots.Add(slot);
        Total = Saturating.Add(Total, Saturating.Add(length, 15) & ~15L);
        return slot;
    }
}

/// <summary>Arithmetic on sizes that stops at <see cref="long.MaxValue"/> (sizes only grow; the limits reject huge ones).</summary>
internal static class Saturating
{
    public static long Multiply(long a, long b) => a == 0 || b == 0 ? 0 : a > long.MaxValue / b ? long.MaxValue : a * b;

    public static long Add(long a, long b) => a > long.MaxValue - b ? long.MaxValue : a + b;
}

/// <summary>A named PyTorch parameter and its gradient (same offset in Parameters and Gradients).</summary>
internal sealed class Parameter
{
    public Parameter(string tensorName, Slot slot, EquatableArray<int> shape, Initialization init)
    {
        TensorName = tensorName;
        Slot = slot;
        Shape = shape;
        Init = init;
    }

    /// <summary>The PyTorch <c>state_dict</c> name.</summary>
    public string TensorName { get; }

    public Slot Slot { get; }

    public EquatableArray<int> Shape { get; }

    public Initialization Init { get; }
}

internal abstract class Stage
{
    /// <summary>Identifier used for method and field names, e.g. <c>RnnL0</c>.</summary>
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

/// <summary>One direction of one recurrent sub-layer: its parameters by role and its buffers by <c>RecurrentSpans</c> field.</summary>
internal sealed class Direction
{
    public int Index { get; set; }

    public bool Reverse => Index == 1;

    /// <summary>Name of the runtime <c>RecurrentLayer</c> field, e.g. <c>_rnnL0Reverse</c>.</summary>
    public string Field { get; set; } = "";

    /// <summary>The direction's parameters by role; <see cref="Uses"/> says who reads each.</summary>
    public Dictionary<ParameterRole, Parameter> Parameters { get; } = new();

    /// <summary>The roles in PyTorch's order, with who reads each (the descriptor's <see cref="ParameterUse"/>).</summary>
    public List<(ParameterRole Role, ParameterUse Use)> Uses { get; } = new();

    /// <summary>Buffers the recurrence reads and writes, by field name (Gates, States, …).</summary>
    public Dictionary<string, Slot> Slots { get; } = new();

    /// <summary>With a normalised input: the raw projection x·W_ihᵀ, its row statistics, and its gradient.</summary>
    public Slot? InputProjection { get; set; }

    public Slot? InputStatistics { get; set; }

    public Slot? InputProjectionGradient { get; set; }
}

internal sealed class RecurrentStage : Stage
{
    public RecurrentSpec Layer { get; set; } = null!;

    public CellDescriptor Cell => Layer.Descriptor;

    public int SubLayer { get; set; }

    public List<Direction> Directions { get; } = new();
}

internal sealed class DropoutStage : Stage
{
    public double Probability { get; set; }

    public Slot Mask { get; set; } = null!;
}

internal sealed class DenseStage : Stage
{
    public DenseSpec Layer { get; set; } = null!;

    public Parameter Weight { get; set; } = null!;

    public Parameter Bias { get; set; } = null!;
}

/// <summary>Initial/final state tensors of one recurrent attribute, shape [L·D, B, W] like PyTorch's h_0 (W = K for h, H for c).</summary>
internal sealed class StateTensor
{
    public StateTensor(RecurrentSpec layer, bool isCell, Slot slot, Parameter? learned)
    {
        Layer = layer;
        IsCell = isCell;
        Slot = slot;
        Learned = learned;
    }

    public RecurrentSpec Layer { get; }

    public bool IsCell { get; }

    /// <summary>Where the tensor sits in the state sets (InitialState, FinalState and their gradients share the layout).</summary>
    public Slot Slot { get; }

    /// <summary>The <c>LearnInitialState</c> parameter <c>name.h0</c> / <c>name.c0</c> of shape [L·D, W], or null.</summary>
    public Parameter? Learned { get; }

    public int Count => Layer.NumLayers * Layer.Directions;

    public int Width => IsCell ? Layer.HiddenSize : Layer.StateSize;

    public string InitialName => Layer.Name + (IsCell ? ".c0" : ".h0");

    public string FinalName => Layer.Name + (IsCell ? ".c_n" : ".h_n");
}

internal sealed class ModelPlan
{
    public ModelPlan(ModelSpec spec)
    {
        Spec = spec;
        Parameters = new Arena(spec.SequenceLength, spec.BatchSize);
        Activations = new Arena(spec.SequenceLength, spec.BatchSize);
        Gradients = new Arena(spec.SequenceLength, spec.BatchSize);
        States = new Arena(spec.SequenceLength, spec.BatchSize);
    }

    public ModelSpec Spec { get; }

    public int Steps => Spec.SequenceLength;

    public int Batch => Spec.BatchSize;

    public EmbeddingSpec? Embedding => Spec.Embedding;

    /// <summary>Features per step of the float input, or the embedding dimension.</summary>
    public int InputFeatures { get; set; }

    public int OutputSize { get; set; }

    public bool SequenceOutput { get; set; }

    public Arena Parameters { get; }

    public Arena Activations { get; }

    public Arena Gradients { get; }

    /// <summary>The layout of InitialState, FinalState and their gradients (and the streaming state).</summary>
    public Arena States { get; }

    public List<Parameter> ParameterList { get; } = new();

    public List<StateTensor> StateTensors { get; } = new();

    public Parameter? EmbeddingTable { get; set; }

    /// <summary>Time-major model input [T,B,I] (float input transposed, or embedded tokens).</summary>
    public Slot Input { get; set; } = null!;

    public Slot InputGradient { get; set; } = null!;

    public List<Stage> Stages { get; } = new();

    public Stage Last => Stages[Stages.Count - 1];

    /// <summary>Whether any recurrent layer can run <c>Step</c>: none is bidirectional.</summary>
    public bool CanStep { get; set; }
}
