using System;
using System.Globalization;
using System.Linq;
using System.Text;

namespace RnnGen.Generator;

/// <summary>
/// Stage 2: turns a declaration into stages and a static memory plan. What a recurrent layer needs comes
/// from its <see cref="CellDescriptor"/>: the planner lays out whatever parameters and slots it lists.
/// </summary>
internal static class ModelPlanner
{
    public static ModelPlan Plan(ModelSpec spec)
    {
        var plan = new ModelPlan(spec);
        int layerIndex = 0;
        if (spec.Embedding is EmbeddingSpec embedding)
        {
            plan.InputFeatures = embedding.Dim;
            plan.EmbeddingTable = AddParameter(plan, embedding.Name + ".weight", new Initialization(InitKind.Normal), embedding.VocabSize, embedding.Dim);
            layerIndex = 1;
        }
        else
        {
            plan.InputFeatures = spec.InputSize;
        }

        plan.Input = plan.Activations.Add("Input", SlotLayout.Steps, plan.InputFeatures);
        plan.InputGradient = plan.Gradients.Add("InputGradient", SlotLayout.Steps, plan.InputFeatures);

        Slot current = plan.Input, currentGradient = plan.InputGradient;
        int features = plan.InputFeatures;
        bool sequence = true;
        plan.CanStep = true;
        for (; layerIndex < spec.Layers.Count; layerIndex++)
        {
            switch (spec.Layers[layerIndex])
            {
                case DenseSpec dense:
                    PlanDense(plan, dense, ref current, ref currentGradient, ref features, sequence);
                    break;
                case RecurrentSpec recurrent:
                    PlanRecurrent(plan, recurrent, ref current, ref currentGradient, ref features, ref sequence);
                    plan.CanStep &= !recurrent.Bidirectional;
                    break;
            }
        }

        plan.OutputSize = features;
        plan.SequenceOutput = sequence;
        return plan;
    }

    private static void PlanDense(ModelPlan plan, DenseSpec layer, ref Slot current, ref Slot currentGradient, ref int features, bool sequence)
    {
        string id = Pascal(layer.Name);
        SlotLayout layout = sequence ? SlotLayout.Steps : SlotLayout.Rows;
        var dense = new DenseStage
        {
            Id = id,
            Layer = layer,
            Description = $"{layer.Name}: Dense {features} -> {layer.OutputSize}" + (layer.Activation != Activation.None ? ", " + layer.Activation : ""),
            Input = current,
            InputGradient = currentGradient,
            InFeatures = features,
            OutFeatures = layer.OutputSize,
            SequenceIn = sequence,
            SequenceOut = sequence,
        };
        var init = new Initialization(InitKind.Uniform, 1.0 / Math.Sqrt(features));
        dense.Weight = AddParameter(plan, layer.Name + ".weight", init, layer.OutputSize, features);
        dense.Bias = AddParameter(plan, layer.Name + ".bias", init, layer.OutputSize);
        dense.Output = plan.Activations.Add(id + "Output", layout, layer.OutputSize);
        dense.OutputGradient = plan.Gradients.Add(id + "OutputGradient", layout, layer.OutputSize);
        plan.Stages.Add(dense);
        current = dense.Output;
        currentGradient = dense.OutputGradient;
        features = layer.OutputSize;
    }

    private static void PlanRecurrent(ModelPlan plan, RecurrentSpec layer, ref Slot current, ref Slot currentGradient, ref int features, ref bool sequence)
    {
        CellDescriptor cell = layer.Descriptor;
        int directions = layer.Directions;
        for (int l = 0; l < layer.NumLayers; l++)
        {
            bool last = l == layer.NumLayers - 1;
            bool returnsSequence = !last || layer.ReturnSequences;
            string id = Pascal(layer.Name) + "L" + l.ToString(CultureInfo.InvariantCulture);
            var stage = new RecurrentStage
            {
                Id = id,
                Layer = layer,
                SubLayer = l,
                Input = current,
                InputGradient = currentGradient,
                InFeatures = features,
                OutFeatures = directions * layer.StateSize,
                SequenceIn = true,
                SequenceOut = returnsSequence,
                Description = $"{layer.Name} layer {l}: {cell.Label(layer)} {features} -> {layer.StateSize}" + (directions == 2 ? " x2 directions" : "") +
                    (returnsSequence ? "" : ", last step only"),
            };
            for (int d = 0; d < directions; d++)
            {
                string suffix = "_l" + l.ToString(CultureInfo.InvariantCulture) + (d == 1 ? "_reverse" : "");
                string directionId = id + (d == 1 ? "Reverse" : "");
                var direction = new Direction { Index = d, Field = Field(directionId) };
                foreach (ParameterTemplate template in cell.Parameters(layer, features))
                {
                    direction.Parameters[template.Role] = AddParameter(plan, layer.Name + "." + template.Stem + suffix, template.Init, template.Shape.ToArray());
                    direction.Uses.Add((template.Role, template.Use));
                }

                foreach (SlotTemplate template in cell.Slots(layer))
                {
                    Arena arena = template.Arena == ArenaKind.Activations ? plan.Activations : plan.Gradients;
                    direction.Slots[template.Field] = arena.Add(directionId + template.Field, template.Layout, template.Width);
                }

                if (cell.NormalizesInput(layer))
                {
                    int gates = cell.GateCount * layer.HiddenSize;
                    direction.InputProjection = plan.Activations.Add(directionId + "InputProjection", SlotLayout.Steps, gates);
                    direction.InputStatistics = plan.Activations.Add(directionId + "InputStatistics", SlotLayout.Steps, 2);
                    direction.InputProjectionGradient = plan.Gradients.Add(directionId + "InputProjectionGradient", SlotLayout.Steps, gates);
                }

                stage.Directions.Add(direction);
            }

            SlotLayout layout = returnsSequence ? SlotLayout.Steps : SlotLayout.Rows;
            stage.Output = plan.Activations.Add(id + "Output", layout, stage.OutFeatures);
            stage.OutputGradient = plan.Gradients.Add(id + "OutputGradient", layout, stage.OutFeatures);
            plan.Stages.Add(stage);
            current = stage.Output;
            currentGradient = stage.OutputGradient;
            features = stage.OutFeatures;
            sequence = returnsSequence;

            if (!last && layer.Dropout > 0)
            {
                var dropout = new DropoutStage
                {
                    Id = id + "Dropout",
                    Description = $"{layer.Name} dropout p={Float(layer.Dropout)} after layer {l} (training only)",
                    Probability = layer.Dropout,
                    Input = current,
                    InputGradient = currentGradient,
                    InFeatures = features,
                    OutFeatures = features,
                    SequenceIn = true,
                    SequenceOut = true,
                };
                dropout.Mask = plan.Activations.Add(dropout.Id + "Mask", SlotLayout.Steps, features);
                dropout.Output = plan.Activations.Add(dropout.Id + "Output", SlotLayout.Steps, features);
                dropout.OutputGradient = plan.Gradients.Add(dropout.Id + "OutputGradient", SlotLayout.Steps, features);
                plan.Stages.Add(dropout);
                current = dropout.Output;
                currentGradient = dropout.OutputGradient;
            }
        }

        AddState(plan, layer, isCell: false);
        if (cell.HasCellState)
        {
            AddState(plan, layer, isCell: true);
        }
    }

    private static void AddState(ModelPlan plan, RecurrentSpec layer, bool isCell)
    {
        int count = layer.NumLayers * layer.Directions, width = isCell ? layer.HiddenSize : layer.StateSize;
        string name = layer.Name + (isCell ? ".c0" : ".h0");
        Parameter? learned = layer.LearnInitialState ? AddParameter(plan, name, new Initialization(InitKind.Zeros), count, width) : null;
        Slot slot = plan.States.AddFixed(Pascal(name), Saturating.Multiply(Saturating.Multiply(count, plan.Batch), width), $"[{count},B,{width}]");
        plan.StateTensors.Add(new StateTensor(layer, isCell, slot, learned));
    }

    /// <summary>"encoder.rnn_2" -> "EncoderRnn2".</summary>
    public static string Pascal(string name)
    {
        var text = new StringBuilder();
        bool upper = true;
        foreach (char c in name)
        {
            if (c is '.' or '_')
            {
                upper = true;
                continue;
            }

            text.Append(upper ? char.ToUpperInvariant(c) : c);
            upper = false;
        }

        return text.ToString();
    }

    /// <summary>"RnnL0" -> "_rnnL0": a private field named after a stage.</summary>
    public static string Field(string id) => "_" + (id.Length == 0 ? "" : char.ToLowerInvariant(id[0]) + id.Substring(1));

    public static string Float(double value) => ((float)value).ToString("R", CultureInfo.InvariantCulture);

    private static Parameter AddParameter(ModelPlan plan, string name, Initialization init, params int[] shape)
    {
        long length = shape.Aggregate(1L, (product, dim) => Saturating.Multiply(product, dim));
        var parameter = new Parameter(name, plan.Parameters.AddFixed(Pascal(name), length, "[" + string.Join(",", shape) + "]"), shape.ToEquatableArray(), init);
        plan.ParameterList.Add(parameter);
        return parameter;
    }
}
