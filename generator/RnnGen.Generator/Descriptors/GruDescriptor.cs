using System.Collections.Generic;

namespace RnnGen.Generator;

/// <summary>[Gru]: PyTorch's gate order r, z, n; the reset gate scales W_hn·h + b_hn, so h·W_hhᵀ + b_hh stays apart.</summary>
internal sealed class GruDescriptor : CellDescriptor
{
    public static readonly GruDescriptor Instance = new();

    public override string AttributeName => "RnnGen.GruAttribute";

    public override string DefaultNameStem => "gru";

    public override int GateCount => 3;

    public override bool HasCellState => false;

    public override string Label(RecurrentSpec layer) => "GRU";

    public override RecurrentCellKind RuntimeCell(RecurrentSpec layer) => RecurrentCellKind.Gru;

    public override bool SeparateHiddenGates(RecurrentSpec layer) => true;

    public override string StepComment(RecurrentSpec layer) => "HiddenGates[t] = h(t-1)·W_hhᵀ + b_hh; r, z, n -> h(t)";

    public override IEnumerable<ParameterTemplate> Parameters(RecurrentSpec layer, int inputs)
    {
        int h = layer.HiddenSize;
        Initialization init = Uniform(layer);
        yield return Matrix(ParameterRole.WeightIh, "weight_ih", 3 * h, inputs, init, ParameterUse.InputProjection);
        yield return Matrix(ParameterRole.WeightHh, "weight_hh", 3 * h, h, init, ParameterUse.Recurrence);
        yield return Vector(ParameterRole.BiasIh, "bias_ih", 3 * h, init, ParameterUse.InputProjection);
        yield return Vector(ParameterRole.BiasHh, "bias_hh", 3 * h, init, ParameterUse.Recurrence);
    }
}
