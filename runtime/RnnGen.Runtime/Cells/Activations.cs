using System.Runtime.CompilerServices;

namespace RnnGen.Kernels;

/// <summary>
/// Scalar sigmoid, tanh and relu for code outside the cells (dense heads, tests): the scalar instance of
/// <see cref="VecMath"/>, so they give the bits a cell's vector lanes give.
/// </summary>
public static class Activations
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sigmoid(float x) => VecMath.Sigmoid<ScalarOps, float>(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Tanh(float x) => VecMath.Tanh<ScalarOps, float>(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Relu(float x) => x > 0f ? x : 0f;
}
