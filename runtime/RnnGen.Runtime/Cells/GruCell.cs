using System.Runtime.CompilerServices;

namespace RnnGen.Kernels;

/// <summary>
/// PyTorch's GRU cell (gate order r, z, n; the reset gate scales W_hn·h + b_hn):
/// <code>
/// r = σ(x_r + h_r),  z = σ(x_z + h_z),  n = tanh(x_n + r⊙h_n),  h' = (1 − z)⊙n + z⊙h
/// </code>
/// where x = x·W_ihᵀ + b_ih (the gates) and h = h·W_hhᵀ + b_hh (the hidden gates, kept for the backward pass).
/// </summary>
internal readonly struct GruCell : IRecurrentCell
{
    public static int GateCount => 3;

    public static bool SeparateHiddenGates => true;

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
            nint h = row.Hidden;
            float* x = row.Gates + j;
            float* hidden = row.HiddenGates + j;
            TV r = VecMath.Sigmoid<TOps, TV>(TOps.Add(TOps.Load(x), TOps.Load(hidden)));
            TV z = VecMath.Sigmoid<TOps, TV>(TOps.Add(TOps.Load(x + h), TOps.Load(hidden + h)));
            TV n = VecMath.Tanh<TOps, TV>(TOps.Add(TOps.Load(x + (2 * h)), TOps.Multiply(r, TOps.Load(hidden + (2 * h)))));
            TOps.Store(x, r);
            TOps.Store(x + h, z);
            TOps.Store(x + (2 * h), n);
            TV next = TOps.Add(TOps.Multiply(TOps.Subtract(TOps.Broadcast(1f), z), n), TOps.Multiply(z, TOps.Load(row.StatePrev + j)));
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
            nint h = row.Hidden;
            float* gates = row.Gates + j;
            TV one = TOps.Broadcast(1f);
            TV r = TOps.Load(gates), z = TOps.Load(gates + h), n = TOps.Load(gates + (2 * h));
            TV dh = TOps.Load(row.OutputGradient + j);
            TV dn = TOps.Multiply(TOps.Multiply(dh, TOps.Subtract(one, z)), TOps.Subtract(one, TOps.Multiply(n, n)));
            TV dz = TOps.Multiply(TOps.Multiply(TOps.Multiply(dh, TOps.Subtract(TOps.Load(row.StatePrev + j), n)), z), TOps.Subtract(one, z));
            TV dr = TOps.Multiply(TOps.Multiply(TOps.Multiply(dn, TOps.Load(row.HiddenGates + (2 * h) + j)), r), TOps.Subtract(one, r));
            float* dx = row.GatesGradient + j;
            float* dHidden = row.HiddenGatesGradient + j;
            TOps.Store(dx, dr);
            TOps.Store(dx + h, dz);
            TOps.Store(dx + (2 * h), dn);
            TOps.Store(dHidden, dr);
            TOps.Store(dHidden + h, dz);
            TOps.Store(dHidden + (2 * h), TOps.Multiply(dn, r));

            // h' = ... + z⊙h reaches h(t−1) directly, besides through W_hh.
            TOps.Store(row.OutputGradient + j, TOps.Multiply(dh, z));
        }
    }
}
