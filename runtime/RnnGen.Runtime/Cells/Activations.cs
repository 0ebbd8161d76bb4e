using System;
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
}
