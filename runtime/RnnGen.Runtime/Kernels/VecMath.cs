using System.Runtime.CompilerServices;

namespace RnnGen.Kernels;

/// <summary>
/// exp, sigmoid and tanh written once over <see cref="IVecOps{TV}"/>, inlined into every cell. Each
/// instance (512-, 256-, 128-bit and the scalar one) runs the same operations in the same order, so a
/// unit gives the same bits whichever width computes it (on hardware with FMA, where all fuse alike).
/// </summary>
/// <remarks>
/// .NET cannot set flush-to-zero, so the inputs are clamped where a result would otherwise turn denormal:
/// beyond ±40, sigmoid is within 5e-18 of 0 or 1 and tanh rounds to ±1 in float. Each clamp puts the bound
/// first and x second: x86's min/max return the second operand when either is NaN (Arm's return NaN, and the
/// scalar instance's comparisons do the same), so a NaN input comes out NaN, as in PyTorch, instead of a bound.
/// </remarks>
internal static class VecMath
{
    private const float Limit = 40f;

    /// <summary>
    /// e^x for x in [−87, 88] (clamped there): x = n·ln2 + r with |r| ≤ ln2/2 (ln2 split in two for an exact
    /// product), then e^r by a degree-6 polynomial (Cephes' expf coefficients, relative error about 1e-7) and
    /// 2^n from the exponent bits.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Exp<TOps, TV>(TV x)
        where TOps : struct, IVecOps<TV>
        where TV : struct
    {
        x = TOps.Min(TOps.Broadcast(88f), TOps.Max(TOps.Broadcast(-87f), x));
        TV n = TOps.Round(TOps.Multiply(x, TOps.Broadcast(1.44269504088896341f)));
        TV r = TOps.Fma(n, TOps.Broadcast(-0.693359375f), x);
        r = TOps.Fma(n, TOps.Broadcast(2.12194440e-4f), r);
        TV p = TOps.Broadcast(1.9875691500e-4f);
        p = TOps.Fma(p, r, TOps.Broadcast(1.3981999507e-3f));
        p = TOps.Fma(p, r, TOps.Broadcast(8.3334519073e-3f));
        p = TOps.Fma(p, r, TOps.Broadcast(4.1665795894e-2f));
        p = TOps.Fma(p, r, TOps.Broadcast(1.6666665459e-1f));
        p = TOps.Fma(p, r, TOps.Broadcast(5.0000001201e-1f));
        p = TOps.Fma(p, TOps.Multiply(r, r), TOps.Add(r, TOps.Broadcast(1f)));
        return TOps.Multiply(p, TOps.Pow2(n));
    }

    /// <summary>1 / (1 + e^−x), x clamped to ±40.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Sigmoid<TOps, TV>(TV x)
        where TOps : struct, IVecOps<TV>
        where TV : struct
    {
        x = TOps.Min(TOps.Broadcast(Limit), TOps.Max(TOps.Broadcast(-Limit), x));
        TV one = TOps.Broadcast(1f);
        return TOps.Divide(one, TOps.Add(one, Exp<TOps, TV>(TOps.Subtract(TOps.Zero, x))));
    }

    /// <summary>sign(x)·(1 − 2/(e^{2|x|} + 1)), |x| clamped to 20; absolute error about 1e-7.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Tanh<TOps, TV>(TV x)
        where TOps : struct, IVecOps<TV>
        where TV : struct
    {
        TV magnitude = TOps.Min(TOps.Broadcast(Limit / 2), TOps.Max(x, TOps.Subtract(TOps.Zero, x)));
        TV one = TOps.Broadcast(1f);
        TV e = Exp<TOps, TV>(TOps.Add(magnitude, magnitude));
        TV t = TOps.Subtract(one, TOps.Divide(TOps.Broadcast(2f), TOps.Add(e, one)));
        return TOps.SelectNegative(x, TOps.Subtract(TOps.Zero, t), t);
    }
}
