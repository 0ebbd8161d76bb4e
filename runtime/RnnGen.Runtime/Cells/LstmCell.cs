using System.Runtime.CompilerServices;

namespace RnnGen.Kernels;

/// <summary>
/// PyTorch's LSTM cell (gate order i, f, g, o), optionally with peephole connections (Gers &amp; Schmidhuber 2000):
/// <code>
/// i = σ(a_i + w_ci⊙c),  f = σ(a_f + w_cf⊙c),  g = tanh(a_g),  c' = f⊙c + i⊙g,  o = σ(a_o + w_co⊙c'),  h = o⊙tanh(c')
/// </code>
/// where a = x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh. The gates keep their activations for the backward pass.
/// </summary>
internal readonly struct LstmCell<TPeephole> : IRecurrentCell
    where TPeephole : struct, IFlag
{
    public static int GateCount => 4;

    public static bool SeparateHiddenGates => false;

    public static bool HasCellState => true;

    public static bool UnitLocal => true;

    /// <remarks>
    /// Two passes over the units, i, f, g and c' then o and h: one pass holding all five exps runs out of the JIT's
    /// inlining budget and leaves some as calls (every vector register spilled around each). Same arithmetic.
    /// </remarks>
    public static void Forward(ref CellRow row, in CellParameters parameters, int from, int to)
    {
        UnitLoop.Run<GateUnits>(ref row, parameters, from, to);
        UnitLoop.Run<OutputUnits>(ref row, parameters, from, to);
    }

    public static void Backward(ref CellRow row, in CellParameters parameters) =>
        UnitLoop.Run<BackwardUnits>(ref row, parameters, 0, row.Hidden);

    public static void Validate(in RecurrentSpans spans, int hidden)
    {
        if (TPeephole.Value)
        {
            LstmMath.ValidatePeephole(spans, hidden);
        }
    }

    /// <summary>i, f, g activations (in place) and c'.</summary>
    internal readonly unsafe struct GateUnits : IUnitKernel
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Run<TOps, TV>(ref CellRow row, in CellParameters parameters, nint j)
            where TOps : struct, IVecOps<TV>
            where TV : struct
        {
            TOps.Store(row.CellNext + j, LstmMath.ForwardCell<TOps, TV, TPeephole>(row.Gates + j, row.Hidden, TOps.Load(row.CellPrev + j), parameters, j));
        }
    }

    /// <summary>o (in place) and h = o⊙tanh(c').</summary>
    internal readonly unsafe struct OutputUnits : IUnitKernel
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Run<TOps, TV>(ref CellRow row, in CellParameters parameters, nint j)
            where TOps : struct, IVecOps<TV>
            where TV : struct
        {
            TV next = TOps.Load(row.CellNext + j);
            TV o = LstmMath.ForwardOutputGate<TOps, TV, TPeephole>(row.Gates + j, row.Hidden, next, parameters, j);
            TOps.Store(row.Output + j, TOps.Multiply(o, VecMath.Tanh<TOps, TV>(next)));
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
            TV c = TOps.Load(row.CellNext + j);
            TV o = TOps.Load(row.Gates + (3 * h) + j);
            TV dh = TOps.Load(row.OutputGradient + j);
            TV tc = VecMath.Tanh<TOps, TV>(c);
            TV one = TOps.Broadcast(1f);

            // Through h = o⊙tanh(c'): dL/dc' gains dh·o·(1 − tanh²c'), and o's pre-activation gets dh·tanh(c')·o(1 − o).
            TV dc = TOps.Add(TOps.Load(row.CellGradient + j), TOps.Multiply(TOps.Multiply(dh, o), TOps.Subtract(one, TOps.Multiply(tc, tc))));
            TV dOutput = TOps.Multiply(TOps.Multiply(TOps.Multiply(dh, tc), o), TOps.Subtract(one, o));
            LstmMath.Backward<TOps, TV, TPeephole>(ref row, parameters, j, dc, dOutput);
            TOps.Store(row.OutputGradient + j, TOps.Zero);
        }
    }
}

/// <summary>The LSTM arithmetic the plain and the layer-normalised cells share, so each formula is written once.</summary>
internal static unsafe class LstmMath
{
    public static void ValidatePeephole(in RecurrentSpans spans, int hidden)
    {
        RecurrentChecks.RequireExact(spans.PeepholeInput, hidden, nameof(spans.PeepholeInput));
        RecurrentChecks.RequireExact(spans.PeepholeForget, hidden, nameof(spans.PeepholeForget));
        RecurrentChecks.RequireExact(spans.PeepholeOutput, hidden, nameof(spans.PeepholeOutput));
    }

    /// <summary>
    /// From the pre-activations at <paramref name="gates"/> (gate stride <paramref name="h"/>) and c(t−1): writes the
    /// activations i, f, g, o in place and returns c'.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Forward<TOps, TV, TPeephole>(float* gates, nint h, TV c, in CellParameters parameters, nint j)
        where TOps : struct, IVecOps<TV>
        where TV : struct
        where TPeephole : struct, IFlag
    {
        TV next = ForwardCell<TOps, TV, TPeephole>(gates, h, c, parameters, j);
        ForwardOutputGate<TOps, TV, TPeephole>(gates, h, next, parameters, j);
        return next;
    }

    /// <summary>The first part of <see cref="Forward"/>: writes i, f, g in place and returns c' (o's pre-activation stays).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV ForwardCell<TOps, TV, TPeephole>(float* gates, nint h, TV c, in CellParameters parameters, nint j)
        where TOps : struct, IVecOps<TV>
        where TV : struct
        where TPeephole : struct, IFlag
    {
        TV ai = TOps.Load(gates), af = TOps.Load(gates + h), ag = TOps.Load(gates + (2 * h));
        if (TPeephole.Value)
        {
            ai = TOps.Add(ai, TOps.Multiply(TOps.Load(parameters.PeepholeInput + j), c));
            af = TOps.Add(af, TOps.Multiply(TOps.Load(parameters.PeepholeForget + j), c));
        }

        TV i = VecMath.Sigmoid<TOps, TV>(ai);
        TV f = VecMath.Sigmoid<TOps, TV>(af);
        TV g = VecMath.Tanh<TOps, TV>(ag);
        TOps.Store(gates, i);
        TOps.Store(gates + h, f);
        TOps.Store(gates + (2 * h), g);
        return TOps.Add(TOps.Multiply(f, c), TOps.Multiply(i, g));
    }

    /// <summary>The second part of <see cref="Forward"/>: o = σ(a_o + w_co⊙c'), written in place and returned.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV ForwardOutputGate<TOps, TV, TPeephole>(float* gates, nint h, TV next, in CellParameters parameters, nint j)
        where TOps : struct, IVecOps<TV>
        where TV : struct
        where TPeephole : struct, IFlag
    {
        TV ao = TOps.Load(gates + (3 * h));
        if (TPeephole.Value)
        {
            ao = TOps.Add(ao, TOps.Multiply(TOps.Load(parameters.PeepholeOutput + j), next));
        }

        TV o = VecMath.Sigmoid<TOps, TV>(ao);
        TOps.Store(gates + (3 * h), o);
        return o;
    }

    /// <summary>
    /// Given dL/dc' (<paramref name="dc"/>, everything that reaches c' from h and from later steps) and the output
    /// gate's pre-activation gradient: writes the four pre-activation gradients, dL/dc(t−1), and the peephole gradients.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Backward<TOps, TV, TPeephole>(ref CellRow row, in CellParameters parameters, nint j, TV dc, TV dOutput)
        where TOps : struct, IVecOps<TV>
        where TV : struct
        where TPeephole : struct, IFlag
    {
        nint h = row.Hidden;
        float* gates = row.Gates + j;
        float* dGates = row.GatesGradient + j;
        TV one = TOps.Broadcast(1f);
        TV i = TOps.Load(gates), f = TOps.Load(gates + h), g = TOps.Load(gates + (2 * h));
        TV previous = TOps.Load(row.CellPrev + j);
        if (TPeephole.Value)
        {
            // o saw c' through w_co.
            dc = TOps.Add(dc, TOps.Multiply(dOutput, TOps.Load(parameters.PeepholeOutput + j)));
            Accumulate<TOps, TV>(parameters.PeepholeOutputGradient + j, TOps.Multiply(dOutput, TOps.Load(row.CellNext + j)));
        }

        TV dInput = TOps.Multiply(TOps.Multiply(TOps.Multiply(dc, g), i), TOps.Subtract(one, i));
        TV dForget = TOps.Multiply(TOps.Multiply(TOps.Multiply(dc, previous), f), TOps.Subtract(one, f));
        TV dCandidate = TOps.Multiply(TOps.Multiply(dc, i), TOps.Subtract(one, TOps.Multiply(g, g)));
        TV dPrevious = TOps.Multiply(dc, f);
        if (TPeephole.Value)
        {
            // i and f saw c(t−1) through w_ci and w_cf.
            dPrevious = TOps.Add(dPrevious, TOps.Add(TOps.Multiply(dInput, TOps.Load(parameters.PeepholeInput + j)),
                TOps.Multiply(dForget, TOps.Load(parameters.PeepholeForget + j))));
            Accumulate<TOps, TV>(parameters.PeepholeInputGradient + j, TOps.Multiply(dInput, previous));
            Accumulate<TOps, TV>(parameters.PeepholeForgetGradient + j, TOps.Multiply(dForget, previous));
        }

        TOps.Store(dGates, dInput);
        TOps.Store(dGates + h, dForget);
        TOps.Store(dGates + (2 * h), dCandidate);
        TOps.Store(dGates + (3 * h), dOutput);
        TOps.Store(row.CellGradient + j, dPrevious);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Accumulate<TOps, TV>(float* target, TV value)
        where TOps : struct, IVecOps<TV>
        where TV : struct => TOps.Store(target, TOps.Add(TOps.Load(target), value));
}
