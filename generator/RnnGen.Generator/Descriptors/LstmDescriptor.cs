using System.Collections.Generic;
using System.Globalization;

namespace RnnGen.Generator;

/// <summary>
/// [Lstm]: PyTorch's gate order i, f, g, o, and its variants, each a property of the layer: a projection
/// (PyTorch's <c>proj_size</c>), peephole connections, layer normalisation, and the forget bias's initial value.
/// The formulas are the runtime cells'; this fixes the parameters, the buffers and the runtime cell.
/// </summary>
internal sealed class LstmDescriptor : CellDescriptor
{
    public static readonly LstmDescriptor Instance = new();

    public override string AttributeName => "RnnGen.LstmAttribute";

    public override string DefaultNameStem => "lstm";

    public override int GateCount => 4;

    public override bool HasCellState => true;

    public override string Label(RecurrentSpec layer)
    {
        var variants = new List<string>();
        if (layer.Peephole)
        {
            variants.Add("peephole");
        }

        if (layer.LayerNorm)
        {
            variants.Add("layer norm");
        }

        if (layer.ProjectionSize > 0)
        {
            variants.Add("projection " + layer.ProjectionSize.ToString(CultureInfo.InvariantCulture));
        }

        return variants.Count == 0 ? "LSTM" : "LSTM(" + string.Join(", ", variants) + ")";
    }

    public override RecurrentCellKind RuntimeCell(RecurrentSpec layer) => (layer.LayerNorm, layer.Peephole) switch
    {
        (false, false) => RecurrentCellKind.Lstm,
        (false, true) => RecurrentCellKind.PeepholeLstm,
        (true, false) => RecurrentCellKind.LayerNormLstm,
        (true, true) => RecurrentCellKind.LayerNormPeepholeLstm,
    };

    /// <summary>Layer norm normalises h(t−1)·W_hhᵀ on its own before adding it.</summary>
    public override bool SeparateHiddenGates(RecurrentSpec layer) => layer.LayerNorm;

    public override bool NormalizesInput(RecurrentSpec layer) => layer.LayerNorm;

    public override string StepComment(RecurrentSpec layer) =>
        (layer.LayerNorm ? "Gates[t] += LN_hh(h(t-1)·W_hhᵀ)" : "Gates[t] += h(t-1)·W_hhᵀ") +
        (layer.Peephole ? "; i, f, g, o with peepholes" : "; i, f, g, o") +
        (layer.LayerNorm ? " -> c(t), h(t) = o·tanh(LN_c(c(t)))" : " -> c(t), h(t)") +
        (layer.ProjectionSize > 0 ? "·W_hrᵀ" : "");

    public override IEnumerable<ParameterTemplate> Parameters(RecurrentSpec layer, int inputs)
    {
        int h = layer.HiddenSize, g = 4 * h;
        Initialization init = Uniform(layer);

        // ForgetBias ≠ 0 sets the forget slice [H, 2H) of the input bias, and zeroes it in the hidden bias.
        bool forget = layer.ForgetBias != 0;
        Initialization inputBias = forget ? init with { SliceStart = h, SliceLength = h, SliceValue = layer.ForgetBias } : init;
        Initialization hiddenBias = forget ? init with { SliceStart = h, SliceLength = h, SliceValue = 0 } : init;

        yield return Matrix(ParameterRole.WeightIh, "weight_ih", g, inputs, init, ParameterUse.InputProjection);
        yield return Matrix(ParameterRole.WeightHh, "weight_hh", g, layer.StateSize, init, ParameterUse.Recurrence);
        if (!layer.LayerNorm)
        {
            yield return Vector(ParameterRole.BiasIh, "bias_ih", g, inputBias, ParameterUse.InputProjection);
            yield return Vector(ParameterRole.BiasHh, "bias_hh", g, hiddenBias, ParameterUse.InputProjection);
        }

        if (layer.ProjectionSize > 0)
        {
            yield return Matrix(ParameterRole.WeightHr, "weight_hr", layer.ProjectionSize, h, init, ParameterUse.Recurrence);
        }

        if (layer.Peephole)
        {
            yield return Vector(ParameterRole.PeepholeInput, "weight_ci", h, init, ParameterUse.Cell);
            yield return Vector(ParameterRole.PeepholeForget, "weight_cf", h, init, ParameterUse.Cell);
            yield return Vector(ParameterRole.PeepholeOutput, "weight_co", h, init, ParameterUse.Cell);
        }

        if (layer.LayerNorm)
        {
            var ones = new Initialization(InitKind.Ones);
            var zeros = new Initialization(InitKind.Zeros);
            yield return Vector(ParameterRole.NormInputWeight, "layer_norm_ih_weight", g, ones, ParameterUse.InputProjection);
            yield return Vector(ParameterRole.NormInputBias, "layer_norm_ih_bias", g, forget ? zeros with { SliceStart = h, SliceLength = h, SliceValue = layer.ForgetBias } : zeros, ParameterUse.InputProjection);
            yield return Vector(ParameterRole.NormHiddenWeight, "layer_norm_hh_weight", g, ones, ParameterUse.Cell);
            yield return Vector(ParameterRole.NormHiddenBias, "layer_norm_hh_bias", g, zeros, ParameterUse.Cell);
            yield return Vector(ParameterRole.NormCellWeight, "layer_norm_c_weight", h, ones, ParameterUse.Cell);
            yield return Vector(ParameterRole.NormCellBias, "layer_norm_c_bias", h, zeros, ParameterUse.Cell);
        }
    }

    public override IEnumerable<SlotTemplate> Slots(RecurrentSpec layer)
    {
        foreach (SlotTemplate slot in base.Slots(layer))
        {
            yield return slot;
        }

        int h = layer.HiddenSize;
        if (layer.ProjectionSize > 0)
        {
            yield return new SlotTemplate("Unprojected", ArenaKind.Activations, SlotLayout.Steps, h);
            yield return new SlotTemplate("StateGradients", ArenaKind.Gradients, SlotLayout.Steps, layer.ProjectionSize);
            yield return new SlotTemplate("UnprojectedGradient", ArenaKind.Gradients, SlotLayout.Rows, h);
        }

        if (layer.LayerNorm)
        {
            yield return new SlotTemplate("Statistics", ArenaKind.Activations, SlotLayout.Steps, 4);
        }
    }
}
