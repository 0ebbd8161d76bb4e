using System;
using System.Collections.Generic;

namespace RnnGen;

/// <summary>
/// What an optimizer needs to continue exactly where it stopped: its kind, its state tensors and its
/// scalars. Tensors are named <c>"buffer/parameter"</c> with torch's buffer names
/// (<c>"exp_avg/rnn.weight_ih_l0"</c>) and have the parameter's shape; scalars (<c>"step"</c>,
/// <c>"lr"</c>) are text that round-trips bit for bit. It maps one to one onto a safetensors file:
/// each tensor an F32 entry, <see cref="Kind"/> and each scalar a metadata string.
/// </summary>
/// <remarks>
/// A snapshot: <see cref="IOptimizer.GetState"/> copies out and <see cref="IOptimizer.SetState"/> copies in,
/// so changing this object never changes an optimizer.
/// </remarks>
public sealed class OptimizerState
{
    private readonly List<string> _tensorNames = [];
    private readonly Dictionary<string, (int[] Shape, float[] Values)> _tensors = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _scalars = new(StringComparer.Ordinal);

    /// <param name="kind">The optimizer's class name, e.g. <c>"Adam"</c>; checked by <see cref="IOptimizer.SetState"/>.</param>
    public OptimizerState(string kind)
    {
        ArgumentException.ThrowIfNullOrEmpty(kind);
        Kind = kind;
    }

    public string Kind { get; }

    /// <summary>Tensor names in the order they were set.</summary>
    public IReadOnlyList<string> TensorNames => _tensorNames;

    /// <summary>Scalars as exact text: integers in decimal, doubles in round-trip form (<c>"0.001"</c>, <c>"Infinity"</c>).</summary>
    public IReadOnlyDictionary<string, string> Scalars => _scalars;

    /// <summary>Adds or replaces a tensor; the values are copied.</summary>
    public void SetTensor(string name, int[] shape, ReadOnlySpan<float> values)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(shape);
        long count = 1;
        foreach (int dim in shape)
        {
            if (dim < 0)
            {
                throw new ArgumentException($"State tensor '{name}' has a negative dimension in {ParameterSet.ShapeText(shape)}.", nameof(shape));
            }

            count *= dim;
        }

        if (count != values.Length)
        {
            throw new ArgumentException(
                $"State tensor '{name}' has {values.Length} values but shape {ParameterSet.ShapeText(shape)} needs {count}.", nameof(values));
        }

        if (_tensors.TryAdd(name, ((int[])shape.Clone(), values.ToArray())))
        {
            _tensorNames.Add(name);
        }
        else
        {
            _tensors[name] = ((int[])shape.Clone(), values.ToArray());
        }
    }

    public bool ContainsTensor(string name) => _tensors.ContainsKey(name);

    /// <summary>A copy of the tensor's shape.</summary>
    public int[] GetShape(string name) => (int[])Get(name).Shape.Clone();

    /// <summary>The tensor's values, row-major.</summary>
    public ReadOnlySpan<float> GetTensor(string name) => Get(name).Values;

    /// <summary>Adds or replaces a scalar. Use round-trip text (<c>double.ToString("R", CultureInfo.InvariantCulture)</c>).</summary>
    public void SetScalar(string name, string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(value);
        _scalars[name] = value;
    }

    private (int[] Shape, float[] Values) Get(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!_tensors.TryGetValue(name, out var tensor))
        {
            throw new KeyNotFoundException($"No state tensor named '{name}'. Known tensors: {string.Join(", ", _tensorNames)}.");
        }

        return tensor;
    }
}
