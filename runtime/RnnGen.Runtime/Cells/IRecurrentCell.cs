using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace RnnGen.Kernels;

/// <summary>
/// One recurrent cell's pointwise math, the "postgemm" of oneDNN's RNN: the driver
/// (<see cref="RecurrentSequence{TCell}"/>) runs the products h·W_hhᵀ and dGates·W_hh, the padding and the
/// threading, and calls the cell for the valid rows only. A new cell is one implementation of this
/// interface and a line in <see cref="RecurrentLayer"/>'s registry.
/// </summary>
internal interface IRecurrentCell
{
    /// <summary>Gates per hidden unit: the rows of W_hh are G·H.</summary>
    static abstract int GateCount { get; }

    /// <summary>
    /// True when h(t−1)·W_hhᵀ (+ b_hh) goes to <see cref="CellRow.HiddenGates"/> and stays apart for the
    /// backward pass (GRU's reset gate scales it; layer norm normalises it); false when it adds into the gates.
    /// </summary>
    static abstract bool SeparateHiddenGates { get; }

    /// <summary>Whether the cell carries a cell state c besides h (LSTM).</summary>
    static abstract bool HasCellState { get; }

    /// <summary>True when any range of a row's units can finish alone, so a fused step finishes panel by panel.</summary>
    static abstract bool UnitLocal { get; }

    /// <summary>Finishes units [from, to) of one valid row (the whole row when not <see cref="UnitLocal"/>).</summary>
    static abstract void Forward(ref CellRow row, in CellParameters parameters, int from, int to);

    /// <summary>Back-propagates one valid row through the cell (see <see cref="CellRow"/> for what goes in and out).</summary>
    static abstract void Backward(ref CellRow row, in CellParameters parameters);

    /// <summary>Checks the cell's own parameters in <paramref name="spans"/> (the driver checks the rest).</summary>
    static abstract void Validate(in RecurrentSpans spans, int hidden);
}

/// <summary>A pointwise body: units [j, j + TOps.Count) of one row.</summary>
internal interface IUnitKernel
{
    static abstract void Run<TOps, TV>(ref CellRow row, in CellParameters parameters, nint j)
        where TOps : struct, IVecOps<TV>
        where TV : struct;
}

/// <summary>
/// Runs a pointwise body over units [from, to): the widest vectors the hardware accelerates, then narrower
/// ones, then single lanes. This is the one place the pointwise kernels choose an instruction set.
/// </summary>
/// <remarks>
/// Each width runs in its own method: one method holding all four instantiations of a cell's math (five exps per
/// LSTM unit) runs out of the JIT's inlining budget, which then leaves exp and even single vector operations as calls.
/// </remarks>
internal static class UnitLoop
{
    public static void Run<TKernel>(ref CellRow row, in CellParameters parameters, int from, int to)
        where TKernel : struct, IUnitKernel
    {
        nint j = from;
        if (Vector512.IsHardwareAccelerated && j <= to - 16)
        {
            j = Run512<TKernel>(ref row, parameters, j, to);
        }

        if (Vector256.IsHardwareAccelerated && j <= to - 8)
        {
            j = Run256<TKernel>(ref row, parameters, j, to);
        }

        if (Vector128.IsHardwareAccelerated && j <= to - 4)
        {
            j = Run128<TKernel>(ref row, parameters, j, to);
        }

        if (j < to)
        {
            RunScalar<TKernel>(ref row, parameters, j, to);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static nint Run512<TKernel>(ref CellRow row, in CellParameters parameters, nint j, int to)
        where TKernel : struct, IUnitKernel
    {
        for (; j <= to - 16; j += 16)
        {
            TKernel.Run<Vec512Ops, Vector512<float>>(ref row, parameters, j);
        }

        return j;
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static nint Run256<TKernel>(ref CellRow row, in CellParameters parameters, nint j, int to)
        where TKernel : struct, IUnitKernel
    {
        for (; j <= to - 8; j += 8)
        {
            TKernel.Run<Vec256Ops, Vector256<float>>(ref row, parameters, j);
        }

        return j;
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static nint Run128<TKernel>(ref CellRow row, in CellParameters parameters, nint j, int to)
        where TKernel : struct, IUnitKernel
    {
        for (; j <= to - 4; j += 4)
        {
            TKernel.Run<Vec128Ops, Vector128<float>>(ref row, parameters, j);
        }

        return j;
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void RunScalar<TKernel>(ref CellRow row, in CellParameters parameters, nint j, int to)
        where TKernel : struct, IUnitKernel
    {
        for (; j < to; j++)
        {
            TKernel.Run<ScalarOps, float>(ref row, parameters, j);
        }
    }
}
