using System;
using System.Collections.Generic;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;
using RnnGen.Kernels;

namespace RnnGen.Tests.Kernels;

/// <summary>
/// One instruction-set width of the pointwise kernels, so a test can run a cell's unit bodies at a width of its
/// choosing (the runtime's <see cref="UnitLoop"/> always takes the widest the hardware accelerates).
/// </summary>
internal interface IWidth
{
    static abstract string Name { get; }

    /// <summary>Floats per vector (1 for the scalar instance).</summary>
    static abstract int Lanes { get; }

    /// <summary>
    /// Runs <typeparamref name="TKernel"/> over units [from, to): whole vectors of this width, then single lanes
    /// (<see cref="ScalarOps"/>) for the tail, as the runtime's loop ends; counts the vector bodies run.
    /// </summary>
    static abstract void Run<TKernel>(ref CellRow row, in CellParameters parameters, int from, int to, ref int vectorBodies)
        where TKernel : struct, IUnitKernel;
}

internal readonly struct Width512 : IWidth
{
    public static string Name => "Vec512Ops";

    public static int Lanes => 16;

    public static void Run<TKernel>(ref CellRow row, in CellParameters parameters, int from, int to, ref int vectorBodies)
        where TKernel : struct, IUnitKernel =>
        VectorWidths.Run<TKernel, Vec512Ops, Vector512<float>>(ref row, parameters, from, to, ref vectorBodies);
}

internal readonly struct Width256 : IWidth
{
    public static string Name => "Vec256Ops";

    public static int Lanes => 8;

    public static void Run<TKernel>(ref CellRow row, in CellParameters parameters, int from, int to, ref int vectorBodies)
        where TKernel : struct, IUnitKernel =>
        VectorWidths.Run<TKernel, Vec256Ops, Vector256<float>>(ref row, parameters, from, to, ref vectorBodies);
}

internal readonly struct Width128 : IWidth
{
    public static string Name => "Vec128Ops";

    public static int Lanes => 4;

    public static void Run<TKernel>(ref CellRow row, in CellParameters parameters, int from, int to, ref int vectorBodies)
        where TKernel : struct, IUnitKernel =>
        VectorWidths.Run<TKernel, Vec128Ops, Vector128<float>>(ref row, parameters, from, to, ref vectorBodies);
}

internal readonly struct WidthScalar : IWidth
{
    public static string Name => "ScalarOps";

    public static int Lanes => 1;

    public static void Run<TKernel>(ref CellRow row, in CellParameters parameters, int from, int to, ref int vectorBodies)
        where TKernel : struct, IUnitKernel
    {
        for (nint j = from; j < to; j++)
        {
            TKernel.Run<ScalarOps, float>(ref row, parameters, j);
        }
    }
}

/// <summary>The widths this process accelerates, and whether their results must agree bit for bit.</summary>
internal static class VectorWidths
{
    /// <summary>The vector widths the hardware accelerates here (the runtime uses exactly these), widest first.</summary>
    public static IReadOnlyList<string> Accelerated
    {
        get
        {
            var names = new List<string>();
            if (Vector512.IsHardwareAccelerated)
            {
                names.Add(Width512.Name);
            }

            if (Vector256.IsHardwareAccelerated)
            {
                names.Add(Width256.Name);
            }

            if (Vector128.IsHardwareAccelerated)
            {
                names.Add(Width128.Name);
            }

            return names;
        }
    }

    /// <summary>
    /// True when every instance fuses a·b + c alike: <see cref="Vec512Ops"/> always fuses, the others fuse exactly
    /// when the hardware has FMA, so with FMA (or without a 512-bit path) each width gives the scalar instance's bits.
    /// </summary>
    public static bool FuseAlike => Fma.IsSupported || AdvSimd.IsSupported || !Vector512.IsHardwareAccelerated;

    public static void Run<TKernel, TOps, TV>(ref CellRow row, in CellParameters parameters, int from, int to, ref int vectorBodies)
        where TKernel : struct, IUnitKernel
        where TOps : struct, IVecOps<TV>
        where TV : struct
    {
        nint j = from;
        for (; j <= to - TOps.Count; j += TOps.Count)
        {
            TKernel.Run<TOps, TV>(ref row, parameters, j);
            vectorBodies++;
        }

        for (; j < to; j++)
        {
            TKernel.Run<ScalarOps, float>(ref row, parameters, j);
        }
    }

    /// <summary>What the process runs, for test output.</summary>
    public static string Describe() =>
        $"Vector512 {Vector512.IsHardwareAccelerated}, Vector256 {Vector256.IsHardwareAccelerated}, Vector128 {Vector128.IsHardwareAccelerated}, " +
        $"AVX2 {Avx2.IsSupported}, FMA {Fma.IsSupported}; widths compared {(FuseAlike ? "bit for bit" : "within 1e-6")}";

    /// <summary>Throws when <paramref name="name"/> is not a width.</summary>
    public static int LanesOf(string name) => name switch
    {
        "Vec512Ops" => Width512.Lanes,
        "Vec256Ops" => Width256.Lanes,
        "Vec128Ops" => Width128.Lanes,
        "ScalarOps" => WidthScalar.Lanes,
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "Unknown width."),
    };
}
