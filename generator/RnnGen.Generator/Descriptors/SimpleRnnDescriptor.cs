using System.Collections.Generic;

namespace RnnGen.Generator;

/// <summary>[SimpleRnn]: h' = act(x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh), act = tanh or relu.</summary>
internal sealed class SimpleRnnDescriptor : CellDescriptor
{
    public static readonly SimpleRnnDescriptor Instance = new();

    public override string AttributeName => "RnnGen.SimpleRnnAttribute";

    public override string DefaultNameStem => "simplernn";

    public override int GateCount => 1;

    public override bool HasCellState => false;

    public override string Label(RecurrentSpec layer) => layer.Nonlinearity == Nonlinearity.Relu ? "RNN(relu)" : "RNN(tanh)";

    public override RecurrentCellKind RuntimeCell(RecurrentSpec layer) =>
        layer.Nonlinearity == Nonlinearity.Relu ? RecurrentCellKind.SimpleRnnRelu : RecurrentCellKind.SimpleRnnTanh;

    public override bool SeparateHiddenGates(RecurrentSpec layer) => false;

    public override string StepComment(RecurrentSpec layer) =>
        $"Gates[t] += h(t-1)·W_hhᵀ; h(t) = {(layer.Nonlinearity == Nonlinearity.Relu ? "relu" : "tanh")}(Gates[t])";

    public override IEnumerable<ParameterTemplate> Parameters(RecurrentSpec layer, int inputs)
    {
        int h = layer.HiddenSize;
        Initialization init = Uniform(layer);
        yield return Matrix(ParameterRole.WeightIh, "weight_ih", h, inputs, init, ParameterUse.InputProjection);
        yield return Matrix(ParameterRole.WeightHh, "weight_hh", h, h, init, ParameterUse.Recurrence);
        yield return Vector(ParameterRole.BiasIh, "bias_ih", h, init, ParameterUse.InputProjection);
        yield return Vector(ParameterRole.BiasHh, "bias_hh", h, init, ParameterUse.InputProjection);
    }
}
