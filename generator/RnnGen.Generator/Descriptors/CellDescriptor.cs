using System;
using System.Collections.Generic;

namespace RnnGen.Generator;

/// <summary>
/// Everything the generator knows about one recurrent cell, read by every stage: the parser (which attribute),
/// the planner (parameters and slots), the limits (through the plan) and the emitter (the runtime cell it names
/// and the comments it writes). The emitter never asks which cell it has. A new cell is one descriptor here, one
/// <c>IRecurrentCell</c> in the runtime, and its tests.
/// </summary>
internal abstract class CellDescriptor
{
    public static CellDescriptor For(CellKind kind) => kind switch
    {
        CellKind.SimpleRnn => SimpleRnnDescriptor.Instance,
        CellKind.Lstm => LstmDescriptor.Instance,
        CellKind.Gru => GruDescriptor.Instance,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>The attribute that declares this cell (metadata name).</summary>
    public abstract string AttributeName { get; }

    /// <summary>Stem of default layer names: <c>lstm0</c>, <c>lstm1</c>, ….</summary>
    public abstract string DefaultNameStem { get; }

    public abstract int GateCount { get; }

    /// <summary>Whether the cell carries c besides h (then the state API has <c>name.c0</c>, <c>name.c_n</c>).</summary>
    public abstract bool HasCellState { get; }

    /// <summary>The cell in the topology summary: "LSTM", "GRU", "RNN(relu)", "LSTM(peephole, P = 3)".</summary>
    public abstract string Label(RecurrentSpec layer);

    /// <summary>The runtime's implementation of this layer's cell.</summary>
    public abstract RecurrentCellKind RuntimeCell(RecurrentSpec layer);

    /// <summary>Whether h(t−1)·W_hhᵀ stays apart from the input part (then b_hh goes to the recurrence, not the input projection).</summary>
    public abstract bool SeparateHiddenGates(RecurrentSpec layer);

    /// <summary>Whether the input projection is layer-normalised (parameters <see cref="ParameterRole.NormInputWeight"/>, <see cref="ParameterRole.NormInputBias"/>).</summary>
    public virtual bool NormalizesInput(RecurrentSpec layer) => false;

    /// <summary>One line for the recurrence in the generated code.</summary>
    public abstract string StepComment(RecurrentSpec layer);

    /// <summary>The parameters of one direction of sub-layer with <paramref name="inputs"/> input features, in PyTorch's order.</summary>
    public abstract IEnumerable<ParameterTemplate> Parameters(RecurrentSpec layer, int inputs);

    /// <summary>The buffers of one direction, by the name of the <c>RecurrentSpans</c> field they bind to.</summary>
    public virtual IEnumerable<SlotTemplate> Slots(RecurrentSpec layer)
    {
        int gates = GateCount * layer.HiddenSize;
        yield return new SlotTemplate("Gates", ArenaKind.Activations, SlotLayout.Steps, gates);
        if (SeparateHiddenGates(layer))
        {
            yield return new SlotTemplate("HiddenGates", ArenaKind.Activations, SlotLayout.Steps, gates);
        }

        yield return new SlotTemplate("States", ArenaKind.Activations, SlotLayout.States, layer.StateSize);
        if (HasCellState)
        {
            yield return new SlotTemplate("Cells", ArenaKind.Activations, SlotLayout.States, layer.HiddenSize);
        }

        yield return new SlotTemplate("GatesGradient", ArenaKind.Gradients, SlotLayout.Steps, gates);
        if (SeparateHiddenGates(layer))
        {
            yield return new SlotTemplate("HiddenGatesGradient", ArenaKind.Gradients, SlotLayout.Steps, gates);
        }

        yield return new SlotTemplate("HiddenGradient", ArenaKind.Gradients, SlotLayout.Rows, layer.StateSize);
        if (HasCellState)
        {
            yield return new SlotTemplate("CellGradient", ArenaKind.Gradients, SlotLayout.Rows, layer.HiddenSize);
        }
    }

    /// <summary>PyTorch's default for every recurrent parameter: U(−1/√H, 1/√H).</summary>
    protected static Initialization Uniform(RecurrentSpec layer) => new(InitKind.Uniform, 1.0 / Math.Sqrt(layer.HiddenSize));

    protected static ParameterTemplate Matrix(ParameterRole role, string stem, int rows, int columns, Initialization init, ParameterUse use) =>
        new(role, stem, new[] { rows, columns }.ToEquatableArray(), init, use);

    protected static ParameterTemplate Vector(ParameterRole role, string stem, int length, Initialization init, ParameterUse use) =>
        new(role, stem, new[] { length }.ToEquatableArray(), init, use);
}
