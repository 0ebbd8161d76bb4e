using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace RnnGen.Generator;

/// <summary>
/// Checks on a declaration that is valid attribute by attribute but cannot be generated: too long to
/// unroll, buffers too large for .NET, or names that would collide in the generated class.
/// </summary>
internal static class ModelLimits
{
    /// <summary>Largest arena, in floats (what <c>AlignedBuffer</c> and <c>ParameterSet</c> can hold).</summary>
    public const long MaxBuffer = int.MaxValue / 2;

    /// <summary>Most unrolled recurrent steps (T × stacked layers × directions) one model may generate.</summary>
    public const long MaxUnrolledSteps = 65536;

    /// <summary>Most stacked recurrent layers (NumLayers summed over the recurrent attributes).</summary>
    public const long MaxStackedLayers = 256;

    /// <summary>Member names the emitter always writes, besides the per-layer constants and methods.</summary>
    private static readonly string[] FixedMembers =
    [
        "SequenceLength", "BatchSize", "InputSize", "VocabSize", "OutputSize", "Parameters", "Gradients",
        "InitialState", "FinalState", "InitialStateGradient", "FinalStateGradient", "CarryState", "Training",
        "InputGradient", "ResetState", "ZeroGradients", "Forward", "Loss", "Backward", "BackwardAll",
        "ParameterShapes", "StateShapes", "_activations", "_gradients", "_lengths", "_tokens", "_inputGradient",
        "_dropoutRandom", "_forwardDone", "_lossDone",
    ];

    /// <summary>Null when the model unrolls within the limits, else why not.</summary>
    public static string? UnrollProblem(ModelSpec spec)
    {
        double stacked = spec.Layers.Where(l => l.IsRecurrent).Sum(l => (double)l.NumLayers);
        if (stacked > MaxStackedLayers)
        {
            return string.Format(CultureInfo.InvariantCulture, "{0} stacked recurrent layers, more than {1}", stacked, MaxStackedLayers);
        }

        double steps = spec.SequenceLength * spec.Layers.Where(l => l.IsRecurrent).Sum(l => (double)l.NumLayers * (l.Bidirectional ? 2 : 1));
        return steps > MaxUnrolledSteps
            ? string.Format(CultureInfo.InvariantCulture, "{0} unrolled steps (T x layers x directions), more than {1}", steps, MaxUnrolledSteps)
            : null;
    }

    /// <summary>
    /// The largest arena, estimated in floating point (so it cannot overflow) the way the planner lays
    /// the model out, with room for alignment. Only models that pass this check are planned.
    /// </summary>
    public static double EstimatedLargestBuffer(ModelSpec spec)
    {
        double t = spec.SequenceLength, b = spec.BatchSize, rowsT = t * b;
        int first = 0;
        double features = spec.InputSize, p = 0, slots = 2;
        if (spec.Layers.Count > 0 && spec.Layers[0].Kind == LayerKind.Embedding)
        {
            features = spec.Layers[0].Size;
            p = (double)spec.Layers[0].VocabSize * spec.Layers[0].Size;
            first = 1;
        }

        double a = rowsT * features, g = rowsT * features, s = 0;
        bool sequence = true;
        for (int i = first; i < spec.Layers.Count; i++)
        {
            LayerSpec layer = spec.Layers[i];
            double rows = sequence ? rowsT : b;
            if (layer.Kind == LayerKind.Dense)
            {
                p += layer.Size * (features + 1);
                a += rows * layer.Size;
                g += rows * layer.Size;
                features = layer.Size;
                slots += 4;
                continue;
            }

            double d = layer.Bidirectional ? 2 : 1, h = layer.Size;
            double gates = layer.Kind switch { LayerKind.Lstm => 4, LayerKind.Gru => 3, _ => 1 } * h;
            double lstm = layer.Kind == LayerKind.Lstm ? 2 : 1, gru = layer.Kind == LayerKind.Gru ? 2 : 1;
            for (int l = 0; l < layer.NumLayers; l++)
            {
                bool returns = l < layer.NumLayers - 1 || layer.ReturnSequences;
                double outRows = returns ? rowsT : b;
                p += d * gates * (features + h + 2);
                a += d * (rowsT * gates * gru + (t + 1) * b * h * lstm) + outRows * d * h;
                g += d * (rowsT * gates * gru + b * h * lstm) + outRows * d * h;
                if (l < layer.NumLayers - 1 && layer.Dropout > 0)
                {
                    a += 2 * rowsT * d * h;
                    g += rowsT * d * h;
                }

                features = d * h;
                sequence = returns;
                slots += 16 * d;
            }

            s += layer.NumLayers * d * b * h * lstm;
        }

        return Math.Max(Math.Max(p, s), Math.Max(a, g)) + 16 * slots;
    }

    /// <summary>
    /// The first generated member name that two things would share, as (the layer whose name causes it,
    /// or -1 for the class name; the member name), or null when every name is distinct.
    /// </summary>
    public static (int Layer, string Identifier)? FirstCollision(ModelSpec spec)
    {
        string className = spec.ClassName.TrimStart('@');
        List<string> all = Members(spec);
        if (all.Contains(className))
        {
            return (-1, className);
        }

        if (Duplicate(all) is null)
        {
            return null;
        }

        // Blame the first layer whose addition makes a duplicate.
        for (int count = 1; count <= spec.Layers.Count; count++)
        {
            ModelSpec prefix = spec with { Layers = spec.Layers.Take(count).ToEquatableArray() };
            if (Duplicate(Members(prefix)) is string duplicate)
            {
                return (count - 1, duplicate);
            }
        }

        return (spec.Layers.Count - 1, Duplicate(all)!);
    }

    private static string? Duplicate(List<string> names)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        return names.FirstOrDefault(n => !seen.Add(n));
    }

    /// <summary>Every member name the emitter writes for <paramref name="spec"/> (step methods in both orders).</summary>
    private static List<string> Members(ModelSpec spec)
    {
        ModelPlan plan = ModelPlanner.Plan(spec);
        var names = new List<string>(FixedMembers);
        names.AddRange(plan.Parameters.Slots.Select(x => "P" + x.Name));
        names.AddRange(plan.Activations.Slots.Select(x => "A" + x.Name));
        names.AddRange(plan.Gradients.Slots.Select(x => "G" + x.Name));
        names.AddRange(plan.States.Select(x => "S" + ModelPlanner.Pascal(x.InitialName)));
        foreach (Stage stage in plan.Stages)
        {
            names.Add("Forward" + stage.Id);
            names.Add("Backward" + stage.Id);
            if (stage is RecurrentStage recurrent)
            {
                foreach (Direction direction in recurrent.Directions)
                {
                    string prefix = stage.Id + (direction.Reverse ? "Reverse" : "") + "Steps";
                    for (int start = 0; start < plan.Steps; start += ModelEmitter.StepsPerMethod)
                    {
                        int end = Math.Min(plan.Steps, start + ModelEmitter.StepsPerMethod) - 1;
                        string up = prefix + start.ToString(CultureInfo.InvariantCulture) + "To" + end.ToString(CultureInfo.InvariantCulture);
                        string down = prefix + (plan.Steps - 1 - start).ToString(CultureInfo.InvariantCulture) + "To" + (plan.Steps - 1 - end).ToString(CultureInfo.InvariantCulture);
                        names.Add("Forward" + up);
                        names.Add("Backward" + up);
                        if (down != up)
                        {
                            names.Add("Forward" + down);
                            names.Add("Backward" + down);
                        }
                    }
                }
            }
        }

        return names;
    }
}
