using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace RnnGen.Generator;

/// <summary>
/// Checks on a declaration that is valid attribute by attribute but cannot be generated: too deep, buffers
/// too large for .NET, or names that would collide in the generated class. Sizes are the plan's and names the
/// emitter's (<see cref="ModelEmitter.MemberNames"/>), never re-derived here.
/// </summary>
internal static class ModelLimits
{
    /// <summary>Largest arena, in floats (what <c>AlignedBuffer</c> and <c>ParameterSet</c> can index with an int, with room to spare).</summary>
    public const long MaxBuffer = int.MaxValue / 2;

    /// <summary>Most stacked recurrent layers (NumLayers summed over the recurrent attributes); each is a pair of methods.</summary>
    public const long MaxStackedLayers = 256;

    /// <summary>The problems of <paramref name="spec"/>: (descriptor, the layer to blame or −1 for the model, message arguments).</summary>
    public static IEnumerable<(DiagnosticDescriptor Descriptor, int Layer, string[] Arguments)> Check(ModelSpec spec)
    {
        string className = spec.ClassName.TrimStart('@');
        double stacked = spec.Layers.OfType<RecurrentSpec>().Sum(l => (double)l.NumLayers);
        if (stacked > MaxStackedLayers)
        {
            // Checked before planning: a plan of 2^31 layers would not finish.
            yield return (Diagnostics.TooDeep, -1, [className,
                string.Format(CultureInfo.InvariantCulture, "{0} stacked recurrent layers, more than {1}", stacked, MaxStackedLayers)]);
            yield break;
        }

        ModelPlan plan = ModelPlanner.Plan(spec);
        long largest = Math.Max(Math.Max(plan.Parameters.Total, plan.States.Total), Math.Max(plan.Activations.Total, plan.Gradients.Total));
        if (largest > MaxBuffer)
        {
            yield return (Diagnostics.TooLarge, -1, [className, largest == long.MaxValue ? "more than 9.2e18" : largest.ToString(CultureInfo.InvariantCulture)]);
            yield break;
        }

        if (FirstCollision(spec, plan) is (int layer, string identifier))
        {
            yield return (Diagnostics.NameCollision, layer, [layer < 0 ? className : spec.Layers[layer].Name, identifier]);
        }
    }

    /// <summary>Bytes the model allocates when constructed: parameters and their gradients, activations, activation gradients.</summary>
    public static (long Parameters, long Activations, long Gradients) Bytes(ModelPlan plan) =>
        (4 * plan.Parameters.Total, 4 * plan.Activations.Total, 4 * plan.Gradients.Total);

    /// <summary>
    /// The first generated member name that two things would share, as (the layer whose name causes it, or −1 for
    /// the class name; the member name), or null when every name is distinct.
    /// </summary>
    private static (int Layer, string Identifier)? FirstCollision(ModelSpec spec, ModelPlan plan)
    {
        string className = spec.ClassName.TrimStart('@');
        List<string> all = ModelEmitter.MemberNames(plan);
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
            if (Duplicate(ModelEmitter.MemberNames(ModelPlanner.Plan(prefix))) is string duplicate)
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
}
