using System.Runtime.CompilerServices;

namespace RnnGen.Kernels;

/// <summary>
/// The Elman RNN cell: h' = act(x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh), act = tanh, or relu when <typeparamref name="TRelu"/>
/// is <see cref="On"/>. The gates keep h' for the backward pass (both derivatives need only the output).
/// </summary>
internal readonly struct SimpleRnnCell<TRelu> : IRecurrentCell
    where TRelu : struct, IFlag
{
    public static int GateCount => 1;

    public static bool SeparateHiddenGates => false;

    public static bool HasCellState => false;

    public static bool UnitLocal => true;

    public static void Forward(ref CellRow row, in CellParameters parameters, int from, int to) =>
        UnitLoop.Run<ForwardUnits>(ref row, parameters, from, to);

    public static void Backward(ref CellRow row, in CellParameters parameters) =>
        UnitLoop.Run<BackwardUnits>(ref row, parameters, 0, row.Hidden);

    public static void Validate(in RecurrentSpans spans, int hidden)
    {
    }

    internal readonly unsafe struct ForwardUnits : IUnitKernel
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Run<TOps, TV>(ref CellRow row, in CellParameters parameters, nint j)
            where TOps : struct, IVecOps<TV>
            where TV : struct
        {
            TV a = TOps.Load(row.Gates + j);
            TV next = TRelu.Value ? TOps.Relu(a) : VecMath.Tanh<TOps, TV>(a);
            TOps.Store(row.Gates + j, next);
            TOps.Store(row.Output + j, next);
        }
    }

    internal readonly unsafe struct BackwardUnits : IUnitKernel
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Run<TOps, TV>(ref CellRow row, in CellParameters parameters, nint j)
            where TOps : struct, IVecOps<TV>
            where TV : struct
        {
            TV next = TOps.Load(row.Gates + j);
            TV dh = TOps.Load(row.OutputGradient + j);

            // relu' = 1 where h' > 0 (so 0 at 0, like PyTorch); tanh' = 1 − h'².
            TV da = TRelu.Value
                ? TOps.SelectNegative(TOps.Subtract(TOps.Zero, next), dh, TOps.Zero)
                : TOps.Multiply(dh, TOps.Subtract(TOps.Broadcast(1f), TOps.Multiply(next, next)));
            TOps.Store(row.GatesGradient + j, da);
            TOps.Store(row.OutputGradient + j, TOps.Zero);
        }
    }
}
