using System;
using System.Globalization;
using System.Text;

namespace RnnGen.Generator;

/// <summary>Stage 2: turns a declaration into stages and a static memory plan.</summary>
internal static class ModelPlanner
{
    /// <summary>Largest arena the model would need, in floats; lets the parser reject models .NET cannot allocate.</summary>
    public static long LargestBuffer(ModelSpec spec)
    {
        ModelPlan plan = Plan(spec);
        return Math.Max(plan.Parameters.Total, Math.Max(plan.Activations.Total, plan.Gradients.Total));
    }

    public static ModelPlan Plan(ModelSpec spec)
    {
        int steps = spec.SequenceLength, batch = spec.BatchSize;
        long rowsT = (long)steps * batch;
        var plan = new ModelPlan { Spec = spec, Steps = steps, Batch = batch };
        int layerIndex = 0;
        if (spec.Layers.Count > 0 && spec.Layers[0].Kind == LayerKind.Embedding)
        {
            LayerSpec e = spec.Layers[0];
            plan.EmbeddingInput = true;
            plan.InputFeatures = e.Size;
            plan.EmbeddingTable = AddParameter(plan, e.Name + ".weight", "normal", e.VocabSize, e.Size);
            layerIndex = 1;
        }
        else
        {
            plan.InputFeatures = spec.InputSize;
        }

        plan.Input = plan.Activations.Add("Input", rowsT * plan.InputFeatures, $"[T,B,{plan.InputFeatures}]");
        plan.InputGradient = plan.Gradients.Add("InputGradient", rowsT * plan.InputFeatures, $"[T,B,{plan.InputFeatures}]");

        Slot current = plan.Input, currentGradient = plan.InputGradient;
        int features = plan.InputFeatures;
        bool sequence = true;
        for (; layerIndex < spec.Layers.Count; layerIndex++)
        {
            LayerSpec layer = spec.Layers[layerIndex];
            if (layer.Kind == LayerKind.Dense)
            {
                string id = Pascal(layer.Name);
                long rows = sequence ? rowsT : batch;
                var dense = new DenseStage
                {
                    Id = id,
                    Layer = layer,
                    Rows = (int)Math.Min(rows, int.MaxValue),
                    Description = $"{layer.Name}: Dense {features} -> {layer.Size}" + (layer.Activation != 0 ? ", " + ActivationName(layer.Activation) : ""),
                    Input = current,
                    InputGradient = currentGradient,
                    InFeatures = features,
                    OutFeatures = layer.Size,
                    SequenceIn = sequence,
                    SequenceOut = sequence,
                };
                double bound = 1.0 / Math.Sqrt(features);
                dense.Weight = AddParameter(plan, layer.Name + ".weight", "uniform:" + Float(bound), layer.Size, features);
                dense.Bias = AddParameter(plan, layer.Name + ".bias", "uniform:" + Float(bound), layer.Size);
                string shape = sequence ? $"[T,B,{layer.Size}]" : $"[B,{layer.Size}]";
                dense.Output = plan.Activations.Add(id + "Output", rows * layer.Size, shape);
                dense.OutputGradient = plan.Gradients.Add(id + "OutputGradient", rows * layer.Size, shape);
                plan.Stages.Add(dense);
                current = dense.Output;
                currentGradient = dense.OutputGradient;
                features = layer.Size;
                continue;
            }

            int directions = layer.Bidirectional ? 2 : 1;
            int hidden = layer.Size;
            int gateCount = layer.Kind switch { LayerKind.Lstm => 4, LayerKind.Gru => 3, _ => 1 };
            double recurrentBound = 1.0 / Math.Sqrt(hidden);
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
                    Hidden = hidden,
                    GateCount = gateCount,
                    Input = current,
                    InputGradient = currentGradient,
                    InFeatures = features,
                    OutFeatures = directions * hidden,
                    SequenceIn = true,
                    SequenceOut = returnsSequence,
                    Description = $"{layer.Name} layer {l}: {CellName(layer)} {features} -> {hidden}" + (directions == 2 ? " x2 directions" : "") +
                        (returnsSequence ? "" : ", last step only"),
                };
                for (int d = 0; d < directions; d++)
                {
                    string suffix = "_l" + l.ToString(CultureInfo.InvariantCulture) + (d == 1 ? "_reverse" : "");
                    string dirId = id + (d == 1 ? "Reverse" : "");
                    int gh = gateCount * hidden;
                    var direction = new Direction { Index = d };
                    string bound = "uniform:" + Float(recurrentBound);
                    direction.WeightIh = AddParameter(plan, layer.Name + ".weight_ih" + suffix, bound, gh, features);
                    direction.WeightHh = AddParameter(plan, layer.Name + ".weight_hh" + suffix, bound, gh, hidden);
                    direction.BiasIh = AddParameter(plan, layer.Name + ".bias_ih" + suffix, bound, gh);
                    direction.BiasHh = AddParameter(plan, layer.Name + ".bias_hh" + suffix, bound, gh);
                    direction.Gates = plan.Activations.Add(dirId + "Gates", rowsT * gh, $"[T,B,{gh}]");
                    if (layer.Kind == LayerKind.Gru)
                    {
                        direction.HiddenGates = plan.Activations.Add(dirId + "HiddenGates", rowsT * gh, $"[T,B,{gh}]");
                        direction.HiddenGatesGradient = plan.Gradients.Add(dirId + "HiddenGatesGradient", rowsT * gh, $"[T,B,{gh}]");
                    }

                    direction.States = plan.Activations.Add(dirId + "States", (steps + 1L) * batch * hidden, $"[T+1,B,{hidden}]");
                    if (layer.Kind == LayerKind.Lstm)
                    {
                        direction.Cells = plan.Activations.Add(dirId + "Cells", (steps + 1L) * batch * hidden, $"[T+1,B,{hidden}]");
                        direction.CellGradient = plan.Gradients.Add(dirId + "CellGradient", (long)batch * hidden, $"[B,{hidden}]");
                    }

                    direction.GatesGradient = plan.Gradients.Add(dirId + "GatesGradient", rowsT * gh, $"[T,B,{gh}]");
                    direction.HiddenGradient = plan.Gradients.Add(dirId + "HiddenGradient", (long)batch * hidden, $"[B,{hidden}]");
                    stage.Directions.Add(direction);
                }

                long outRows = returnsSequence ? rowsT : batch;
                string outShape = returnsSequence ? $"[T,B,{directions * hidden}]" : $"[B,{directions * hidden}]";
                stage.Output = plan.Activations.Add(id + "Output", outRows * directions * hidden, outShape);
                stage.OutputGradient = plan.Gradients.Add(id + "OutputGradient", outRows * directions * hidden, outShape);
                plan.Stages.Add(stage);
                current = stage.Output;
                currentGradient = stage.OutputGradient;
                features = directions * hidden;
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
                    dropout.Mask = plan.Activations.Add(dropout.Id + "Mask", rowsT * features, $"[T,B,{features}]");
                    dropout.Output = plan.Activations.Add(dropout.Id + "Output", rowsT * features, $"[T,B,{features}]");
                    dropout.OutputGradient = plan.Gradients.Add(dropout.Id + "OutputGradient", rowsT * features, $"[T,B,{features}]");
                    plan.Stages.Add(dropout);
                    current = dropout.Output;
                    currentGradient = dropout.OutputGradient;
                }
            }

            plan.States.Add(new StateTensor(layer.Name, false, layer.NumLayers * directions, batch, hidden));
            if (layer.Kind == LayerKind.Lstm)
            {
                plan.States.Add(new StateTensor(layer.Name, true, layer.NumLayers * directions, batch, hidden));
            }
        }

        plan.OutputSize = features;
        plan.SequenceOutput = sequence;
        return plan;
    }

    public static string CellName(LayerSpec layer) => layer.Kind switch
    {
        LayerKind.Lstm => "LSTM",
        LayerKind.Gru => "GRU",
        _ => layer.Nonlinearity == 1 ? "RNN(relu)" : "RNN(tanh)",
    };

    public static string ActivationName(int activation) => activation switch
    {
        1 => "Tanh",
        2 => "Relu",
        3 => "Sigmoid",
        _ => "None",
    };

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

    public static string Float(double value) => ((float)value).ToString("R", CultureInfo.InvariantCulture);

    private static Parameter AddParameter(ModelPlan plan, string name, string init, params int[] shape)
    {
        long length = 1;
        foreach (int dim in shape)
        {
            length *= dim;
        }

        var parameter = new Parameter(name, plan.Parameters.Add(Pascal(name), length, "[" + string.Join(",", shape) + "]"), shape, init);
        plan.ParameterList.Add(parameter);
        return parameter;
    }
}
