using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;
using System.Runtime.Intrinsics;

namespace RnnGen.Kernels;

/// <summary>
/// The handful of vector operations the GEMM kernels need, as static abstract members so that each
/// kernel is written once and the JIT specializes it per vector width (a struct type argument gives a
/// separate, fully inlined instantiation; no virtual calls remain).
/// </summary>
internal unsafe interface IVecOps<TV>
    where TV : struct
{
    /// <summary>Floats per vector.</summary>
    static abstract int Count { get; }

    static abstract TV Zero { get; }

    static abstract TV Load(float* p);

    static abstract void Store(float* p, TV v);

    static abstract TV Broadcast(float x);

    /// <summary>a · b + c (fused where the hardware has FMA).</summary>
    static abstract TV Fma(TV a, TV b, TV c);

    static abstract TV Add(TV a, TV b);

    static abstract float Sum(TV v);

    /// <summary>The four horizontal sums [Σs0, Σs1, Σs2, Σs3] (no calls, so accumulators never cross a call).</summary>
    static abstract Vector128<float> Sum4(TV s0, TV s1, TV s2, TV s3);

    // Lane-wise arithmetic for the pointwise kernels (cells, layer norm), written once over TV.

    static abstract TV Subtract(TV a, TV b);

    static abstract TV Multiply(TV a, TV b);

    static abstract TV Divide(TV a, TV b);

    /// <summary>The smaller lane (the hardware instruction: which operand a NaN yields is unspecified).</summary>
    static abstract TV Min(TV a, TV b);

    /// <summary>The larger lane (the hardware instruction: which operand a NaN yields is unspecified).</summary>
    static abstract TV Max(TV a, TV b);

    /// <summary>Lanes of <paramref name="x"/> rounded to the nearest integer (ties to even).</summary>
    static abstract TV Round(TV x);

    /// <summary>2^n per lane for integral <paramref name="n"/> in [−126, 127], built from the exponent bits.</summary>
    static abstract TV Pow2(TV n);

    /// <summary>x &gt; 0 ? x : 0 per lane (so NaN and −0 give +0, like the scalar form).</summary>
    static abstract TV Relu(TV x);

    /// <summary>x &lt; 0 ? <paramref name="negative"/> : <paramref name="otherwise"/> per lane.</summary>
    static abstract TV SelectNegative(TV x, TV negative, TV otherwise);
}

/// <summary>Shared 128-bit reductions.</summary>
internal static class VecReduce
{
    /// <summary>[Σu0, Σu1, Σu2, Σu3] by a 4×4 transpose-add.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Sum4(Vector128<float> u0, Vector128<float> u1, Vector128<float> u2, Vector128<float> u3)
    {
        if (Sse.IsSupported)
        {
            Vector128<float> ab = Sse.UnpackLow(u0, u1) + Sse.UnpackHigh(u0, u1); // [u0_0+u0_2, u1_0+u1_2, u0_1+u0_3, u1_1+u1_3]
            Vector128<float> cd = Sse.UnpackLow(u2, u3) + Sse.UnpackHigh(u2, u3);
            return Sse.MoveLowToHigh(ab, cd) + Sse.MoveHighToLow(cd, ab);
        }

        return Vector128.Create(Vector128.Sum(u0), Vector128.Sum(u1), Vector128.Sum(u2), Vector128.Sum(u3));
    }
}

/// <summary>AVX-512 (or any 512-bit) path: 16 floats, always fused.</summary>
internal readonly unsafe struct Vec512Ops : IVecOps<Vector512<float>>
{
    public static int Count
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => 16;
    }

    public static Vector512<float> Zero
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Vector512<float>.Zero;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Load(float* p) => Vector512.Load(p);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(float* p, Vector512<float> v) => v.Store(p);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Broadcast(float x) => Vector512.Create(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Fma(Vector512<float> a, Vector512<float> b, Vector512<float> c) => Vector512.FusedMultiplyAdd(a, b, c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Add(Vector512<float> a, Vector512<float> b) => a + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sum(Vector512<float> v) => Vector256.Sum(v.GetLower() + v.GetUpper());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Sum4(Vector512<float> s0, Vector512<float> s1, Vector512<float> s2, Vector512<float> s3) =>
        Vec256Ops.Sum4(s0.GetLower() + s0.GetUpper(), s1.GetLower() + s1.GetUpper(), s2.GetLower() + s2.GetUpper(), s3.GetLower() + s3.GetUpper());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Subtract(Vector512<float> a, Vector512<float> b) => a - b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Multiply(Vector512<float> a, Vector512<float> b) => a * b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Divide(Vector512<float> a, Vector512<float> b) => a / b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Min(Vector512<float> a, Vector512<float> b) => Vector512.MinNative(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Max(Vector512<float> a, Vector512<float> b) => Vector512.MaxNative(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Round(Vector512<float> x) => Vector512.Round(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Pow2(Vector512<float> n) =>
        Vector512.ShiftLeft(Vector512.ConvertToInt32(n) + Vector512.Create(127), 23).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Relu(Vector512<float> x) =>
        Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512<float>.Zero), x, Vector512<float>.Zero);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> SelectNegative(Vector512<float> x, Vector512<float> negative, Vector512<float> otherwise) =>
        Vector512.ConditionalSelect(Vector512.LessThan(x, Vector512<float>.Zero), negative, otherwise);
}

/// <summary>AVX2 + FMA path: 8 floats.</summary>
internal readonly unsafe struct Vec256Ops : IVecOps<Vector256<float>>
{
    public static int Count
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => 8;
    }

    public static Vector256<float> Zero
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Vector256<float>.Zero;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Load(float* p) => Vector256.Load(p);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(float* p, Vector256<float> v) => v.Store(p);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Broadcast(float x) => Vector256.Create(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Fma(Vector256<float> a, Vector256<float> b, Vector256<float> c) => Vector256.MultiplyAddEstimate(a, b, c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Add(Vector256<float> a, Vector256<float> b) => a + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sum(Vector256<float> v) => Vector128.Sum(v.GetLower() + v.GetUpper());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Sum4(Vector256<float> s0, Vector256<float> s1, Vector256<float> s2, Vector256<float> s3) =>
        VecReduce.Sum4(s0.GetLower() + s0.GetUpper(), s1.GetLower() + s1.GetUpper(), s2.GetLower() + s2.GetUpper(), s3.GetLower() + s3.GetUpper());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Subtract(Vector256<float> a, Vector256<float> b) => a - b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Multiply(Vector256<float> a, Vector256<float> b) => a * b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Divide(Vector256<float> a, Vector256<float> b) => a / b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Min(Vector256<float> a, Vector256<float> b) => Vector256.MinNative(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Max(Vector256<float> a, Vector256<float> b) => Vector256.MaxNative(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Round(Vector256<float> x) => Vector256.Round(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Pow2(Vector256<float> n) =>
        Vector256.ShiftLeft(Vector256.ConvertToInt32(n) + Vector256.Create(127), 23).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Relu(Vector256<float> x) =>
        Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256<float>.Zero), x, Vector256<float>.Zero);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> SelectNegative(Vector256<float> x, Vector256<float> negative, Vector256<float> otherwise) =>
        Vector256.ConditionalSelect(Vector256.LessThan(x, Vector256<float>.Zero), negative, otherwise);
}

/// <summary>Portable path (SSE, AdvSimd, or software): 4 floats; fused only where the hardware has FMA.</summary>
internal readonly unsafe struct Vec128Ops : IVecOps<Vector128<float>>
{
    public static int Count
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => 4;
    }

    public static Vector128<float> Zero
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Vector128<float>.Zero;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Load(float* p) => Vector128.Load(p);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(float* p, Vector128<float> v) => v.Store(p);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Broadcast(float x) => Vector128.Create(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Fma(Vector128<float> a, Vector128<float> b, Vector128<float> c) => Vector128.MultiplyAddEstimate(a, b, c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Add(Vector128<float> a, Vector128<float> b) => a + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sum(Vector128<float> v) => Vector128.Sum(v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Sum4(Vector128<float> s0, Vector128<float> s1, Vector128<float> s2, Vector128<float> s3) => VecReduce.Sum4(s0, s1, s2, s3);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Subtract(Vector128<float> a, Vector128<float> b) => a - b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Multiply(Vector128<float> a, Vector128<float> b) => a * b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Divide(Vector128<float> a, Vector128<float> b) => a / b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Min(Vector128<float> a, Vector128<float> b) => Vector128.MinNative(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Max(Vector128<float> a, Vector128<float> b) => Vector128.MaxNative(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Round(Vector128<float> x) => Vector128.Round(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Pow2(Vector128<float> n) =>
        Vector128.ShiftLeft(Vector128.ConvertToInt32(n) + Vector128.Create(127), 23).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Relu(Vector128<float> x) =>
        Vector128.ConditionalSelect(Vector128.GreaterThan(x, Vector128<float>.Zero), x, Vector128<float>.Zero);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> SelectNegative(Vector128<float> x, Vector128<float> negative, Vector128<float> otherwise) =>
        Vector128.ConditionalSelect(Vector128.LessThan(x, Vector128<float>.Zero), negative, otherwise);
}

/// <summary>
/// One lane: the scalar instance of every pointwise kernel, which runs the tails past the last whole
/// vector and serves the tests as the reference of the vector instances (same formula, same order).
/// </summary>
internal readonly unsafe struct ScalarOps : IVecOps<float>
{
    public static int Count
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => 1;
    }

    public static float Zero
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => 0f;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Load(float* p) => *p;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(float* p, float v) => *p = v;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Broadcast(float x) => x;

    /// <summary>Fused where the hardware has FMA, like the vector instances, so a tail lane matches a vector lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Fma(float a, float b, float c) => float.MultiplyAddEstimate(a, b, c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Add(float a, float b) => a + b;

    public static float Sum(float v) => v;

    public static Vector128<float> Sum4(float s0, float s1, float s2, float s3) => Vector128.Create(s0, s1, s2, s3);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Subtract(float a, float b) => a - b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Multiply(float a, float b) => a * b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Divide(float a, float b) => a / b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Min(float a, float b) => a < b ? a : b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Max(float a, float b) => a > b ? a : b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Round(float x) => MathF.Round(x, MidpointRounding.ToEven);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Pow2(float n) => BitConverter.Int32BitsToSingle(((int)n + 127) << 23);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Relu(float x) => x > 0f ? x : 0f;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float SelectNegative(float x, float negative, float otherwise) => x < 0f ? negative : otherwise;
}
