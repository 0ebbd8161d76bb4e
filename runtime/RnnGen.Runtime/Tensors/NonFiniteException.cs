using System;

namespace RnnGen;

/// <summary>A NaN or infinity where training needs finite numbers, located by set, tensor and index.</summary>
public sealed class NonFiniteException : ArithmeticException
{
    public NonFiniteException(string message, string setName, string? tensorName, int[] indices, float value)
        : base(message)
    {
        SetName = setName;
        TensorName = tensorName;
        Indices = indices;
        Value = value;
    }

    public NonFiniteException()
        : this("A value is not finite.", "", null, [], float.NaN)
    {
    }

    public NonFiniteException(string message)
        : this(message, "", null, [], float.NaN)
    {
    }

    public NonFiniteException(string message, Exception innerException)
        : base(message, innerException)
    {
        SetName = "";
        Indices = [];
        Value = float.NaN;
    }

    /// <summary>What was checked, e.g. <c>"Gradients"</c> or <c>"Loss"</c>.</summary>
    public string SetName { get; }

    /// <summary>The tensor holding the value, e.g. <c>"rnn.weight_hh_l0"</c>; null for a span or a scalar.</summary>
    public string? TensorName { get; }

    /// <summary>The value's position in the tensor's shape (row-major); one flat index for a span, empty for a scalar.</summary>
    public int[] Indices { get; }

    /// <summary>The first non-finite value found: NaN, +Infinity or -Infinity.</summary>
    public float Value { get; }
}
