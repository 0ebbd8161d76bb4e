using System;

namespace RnnGen;

/// <summary>
/// Checks that a parameter set and its gradient set are laid out identically, so optimizers may loop
/// over <see cref="ParameterSet.Data"/> flat. Sets never change layout, so a checked pair is remembered
/// and later steps with the same pair neither re-check nor allocate.
/// </summary>
internal sealed class ParameterSetPair
{
    private ParameterSet? _parameters;
    private ParameterSet? _gradients;

    public void Validate(ParameterSet parameters, ParameterSet gradients)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(gradients);
        if (ReferenceEquals(parameters, _parameters) && ReferenceEquals(gradients, _gradients))
        {
            return;
        }

        var names = parameters.Names;
        var gradientNames = gradients.Names;
        for (int i = 0; i < names.Count; i++)
        {
            string name = names[i];
            if (!gradients.Contains(name))
            {
                throw new ArgumentException(
                    $"Tensor '{name}' (shape {ParameterSet.ShapeText(parameters.GetShape(name))}) is missing from the gradients.",
                    nameof(gradients));
            }

            int[] shape = parameters.GetShape(name);
            int[] gradientShape = gradients.GetShape(name);
            if (!shape.AsSpan().SequenceEqual(gradientShape))
            {
                throw new ArgumentException(
                    $"Tensor '{name}' has shape {ParameterSet.ShapeText(shape)} in the parameters but {ParameterSet.ShapeText(gradientShape)} in the gradients.",
                    nameof(gradients));
            }

            if (i >= gradientNames.Count || gradientNames[i] != name)
            {
                throw new ArgumentException(
                    $"Tensor '{name}' is at position {i} in the parameters but not in the gradients; both sets must list their tensors in the same order.",
                    nameof(gradients));
            }
        }

        if (gradientNames.Count != names.Count)
        {
            string extra = gradientNames[names.Count];
            throw new ArgumentException(
                $"Tensor '{extra}' (shape {ParameterSet.ShapeText(gradients.GetShape(extra))}) of the gradients is not in the parameters.",
                nameof(gradients));
        }

        _parameters = parameters;
        _gradients = gradients;
    }
}
