using System;
using System.Numerics;
using System.Runtime.InteropServices;

namespace RnnGen;

/// <summary>
/// Finds NaN and infinities cheaply (one vector subtract and compare per vector), so a training loop can
/// refuse to step on them and say where they are: <c>NonFinite.ThrowIfAny(model.Gradients, "Gradients")</c>
/// after <c>Backward</c>, or <see cref="Optimizer.CheckFinite"/> on an optimizer.
/// </summary>
public static class NonFinite
{
    /// <summary>The index of the first NaN or infinity in <paramref name="values"/>, or -1 when all are finite.</summary>
    public static int IndexOf(ReadOnlySpan<float> values)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            // x - x is 0 for a finite x and NaN for NaN and infinities, and NaN survives a sum: one
            // compare per four vectors, then a scalar look at the block that failed.
            ReadOnlySpan<Vector<float>> v = MemoryMarshal.Cast<float, Vector<float>>(values);
            int k = 0;
            for (; k + 4 <= v.Length; k += 4)
            {
                Vector<float> sum = (v[k] - v[k]) + (v[k + 1] - v[k + 1]) + (v[k + 2] - v[k + 2]) + (v[k + 3] - v[k + 3]);
                if (!Vector.EqualsAll(sum, Vector<float>.Zero))
                {
                    break;
                }
            }

            i = k * Vector<float>.Count;
        }

        for (; i < values.Length; i++)
        {
            if (!float.IsFinite(values[i]))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>
    /// Finds the first NaN or infinity in a set, in tensor order; <paramref name="index"/> is the flat,
    /// row-major index inside <paramref name="tensor"/>. The alignment padding is not looked at.
    /// </summary>
    public static bool TryFind(ParameterSet set, out string tensor, out int index)
    {
        ArgumentNullException.ThrowIfNull(set);
        foreach (string name in set.Names)
        {
            int i = IndexOf(set.GetReadOnly(name));
            if (i >= 0)
            {
                tensor = name;
                index = i;
                return true;
            }
        }

        tensor = "";
        index = -1;
        return false;
    }

    /// <summary>
    /// Throws <see cref="NonFiniteException"/> at the first NaN or infinity in the set, e.g.
    /// <c>Gradients: tensor 'rnn.weight_hh_l0' has NaN at [3, 17].</c>
    /// </summary>
    /// <param name="setName">What the set is, for the message: <c>"Gradients"</c>, <c>"Parameters"</c>.</param>
    public static void ThrowIfAny(ParameterSet set, string setName)
    {
        ArgumentNullException.ThrowIfNull(setName);
        if (TryFind(set, out string tensor, out int index))
        {
            int[] indices = Unravel(index, set.GetShape(tensor));
            float value = set[tensor][index];
            throw new NonFiniteException(
                $"{setName}: tensor '{tensor}' has {Text(value)} at {ParameterSet.ShapeText(indices)}.", setName, tensor, indices, value);
        }
    }

    /// <summary>Throws <see cref="NonFiniteException"/> at the first NaN or infinity in a span, e.g. a model's output.</summary>
    public static void ThrowIfAny(ReadOnlySpan<float> values, string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        int index = IndexOf(values);
        if (index >= 0)
        {
            float value = values[index];
            throw new NonFiniteException($"{name} has {Text(value)} at [{index}].", name, null, [index], value);
        }
    }

    /// <summary>Throws <see cref="NonFiniteException"/> when a scalar such as the loss is NaN or infinite.</summary>
    public static void ThrowIfNotFinite(float value, string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!float.IsFinite(value))
        {
            throw new NonFiniteException($"{name} is {Text(value)}.", name, null, [], value);
        }
    }

    private static int[] Unravel(int index, int[] shape)
    {
        var indices = new int[shape.Length];
        for (int d = shape.Length - 1; d >= 0; d--)
        {
            indices[d] = index % shape[d];
            index /= shape[d];
        }

        return indices;
    }

    private static string Text(float value) => float.IsNaN(value) ? "NaN" : value > 0 ? "+Infinity" : "-Infinity";
}
