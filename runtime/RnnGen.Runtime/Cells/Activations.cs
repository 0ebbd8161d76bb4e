using System;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace RnnGen.Kernels;

/// <summary>
/// Scalar activations shared by every cell. .NET cannot enable flush-to-zero, so inputs are clamped
/// where the result would otherwise become denormal (and slow every later multiply).
/// </summary>
public static class Activations
{
    // Beyond ±40, sigmoid is within 5e-18 of 0 or 1 and tanh rounds to ±1 in float.
    private const float Limit = 40f;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sigmoid(float x)
    {
        x = Math.Clamp(x, -Limit, Limit);
        return 1f / (1f + MathF.Exp(-x));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Tanh(float x) => MathF.Tanh(Math.Clamp(x, -Limit, Limit));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Relu(float x) => x > 0f ? x : 0f;

    /// <summary>Lane-wise relu with the scalar form's semantics (x &gt; 0 ? x : 0, so NaN and −0 give +0).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> Relu(Vector<float> x) => Vector.ConditionalSelect(Vector.GreaterThan(x, Vector<float>.Zero), x, Vector<float>.Zero);

    /// <summary>Lane-wise sigmoid, clamped like the scalar form.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> Sigmoid(Vector<float> x)
    {
        x = Vector.Min(Vector.Max(x, new Vector<float>(-Limit)), new Vector<float>(Limit));
        return Vector<float>.One / (Vector<float>.One + Vector.Exp(-x));
    }

    /// <summary>Lane-wise tanh as sign(x)·(1 − 2/(e^{2|x|} + 1)); absolute error about 1e-7.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> Tanh(Vector<float> x)
    {
        Vector<float> magnitude = Vector.Min(Vector.Abs(x), new Vector<float>(Limit / 2));
        Vector<float> e = Vector.Exp(magnitude + magnitude);
        Vector<float> t = Vector<float>.One - new Vector<float>(2f) / (e + Vector<float>.One);
        return Vector.ConditionalSelect(Vector.LessThan(x, Vector<float>.Zero), -t, t);
    }
}
