using System.Runtime.CompilerServices;

namespace RnnGen.Kernels;

/// <summary>
/// The layer-normalised LSTM (Ba, Kiros &amp; Hinton 2016), without b_ih and b_hh:
/// <code>
/// a = LN_ih(x·W_ihᵀ) + LN_hh(h·W_hhᵀ),  i, f, g, o and c' as <see cref="LstmCell{TPeephole}"/>,  h = o⊙tanh(LN_c(c'))
/// </code>
/// Each LN normalises a whole row (all 4H gates, or all H cells), so a row finishes as a unit. LN_ih is applied by
/// generated code to the input projection of every step at once; this cell applies LN_hh and LN_c per step.
/// </summary>
internal readonly unsafe struct LayerNormLstmCell<TPeephole> : IRecurrentCell
    where TPeephole : struct, IFlag
{
    public static int GateCount => 4;

    public static bool SeparateHiddenGates => true;

    public static bool HasCellState => true;

    public static bool UnitLocal => false;

    public static void Forward(ref CellRow row, in CellParameters parameters, int from, int to)
    {
        int h = row.Hidden;
        LayerNormOps.Statistics(row.HiddenGates, 4 * h, row.Statistics);
        UnitLoop.Run<GateUnits>(ref row, parameters, 0, h);
        LayerNormOps.Statistics(row.CellNext, h, row.Statistics + 2);
        UnitLoop.Run<OutputUnits>(ref row, parameters, 0, h);
    }

    public static void Backward(ref CellRow row, in CellParameters parameters)
    {
        int h = row.Hidden;
        UnitLoop.Run<OutputBackwardUnits>(ref row, parameters, 0, h);

        // LN_c's backward needs two row means of g = dĉ⊙γ_c (parked in the candidate gate's gradient).
        float mean = row.Statistics[2], inverse = row.Statistics[3];
        double sum = 0, dot = 0;
        for (int j = 0; j < h; j++)
        {
            float g = row.GatesGradient[(2 * h) + j];
            sum += g;
            dot += (double)g * ((row.CellNext[j] - mean) * inverse);
        }

        row.NormMean = (float)(sum / h);
        row.NormMeanTimesNormalized = (float)(dot / h);
        UnitLoop.Run<CellBackwardUnits>(ref row, parameters, 0, h);

        // The gates' gradient is also the gradient of LN_hh's output.
        LayerNormOps.Backward(row.GatesGradient, row.HiddenGates, 4 * h, row.Statistics[0], row.Statistics[1],
            parameters.NormHiddenWeight, row.HiddenGatesGradient, parameters.NormHiddenWeightGradient, parameters.NormHiddenBiasGradient);
    }

    public static void Validate(in RecurrentSpans spans, int hidden)
    {
        RecurrentChecks.RequireExact(spans.NormHiddenWeight, 4 * hidden, nameof(spans.NormHiddenWeight));
        RecurrentChecks.RequireExact(spans.NormHiddenBias, 4 * hidden, nameof(spans.NormHiddenBias));
        RecurrentChecks.RequireExact(spans.NormCellWeight, hidden, nameof(spans.NormCellWeight));
        RecurrentChecks.RequireExact(spans.NormCellBias, hidden, nameof(spans.NormCellBias));
        if (TPeephole.Value)
        {
            LstmMath.ValidatePeephole(spans, hidden);
        }
    }

    /// <summary>a += LN_hh(h·W_hhᵀ) for each gate, then the LSTM gates and c'.</summary>
    internal readonly struct GateUnits : IUnitKernel
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Run<TOps, TV>(ref CellRow row, in CellParameters parameters, nint j)
            where TOps : struct, IVecOps<TV>
            where TV : struct
        {
            nint h = row.Hidden;
            TV mean = TOps.Broadcast(row.Statistics[0]), inverse = TOps.Broadcast(row.Statistics[1]);
            for (nint k = j; k < 4 * h; k += h)
            {
                TV normalized = TOps.Multiply(TOps.Multiply(TOps.Subtract(TOps.Load(row.HiddenGates + k), mean), inverse), TOps.Load(parameters.NormHiddenWeight + k));
                TOps.Store(row.Gates + k, TOps.Add(TOps.Load(row.Gates + k), TOps.Add(normalized, TOps.Load(parameters.NormHiddenBias + k))));
            }

            TOps.Store(row.CellNext + j, LstmMath.Forward<TOps, TV, TPeephole>(row.Gates + j, h, TOps.Load(row.CellPrev + j), parameters, j));
        }
    }

    /// <summary>h = o⊙tanh(LN_c(c')).</summary>
    internal readonly struct OutputUnits : IUnitKernel
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Run<TOps, TV>(ref CellRow row, in CellParameters parameters, nint j)
            where TOps : struct, IVecOps<TV>
            where TV : struct
        {
            TV normalized = Normalized<TOps, TV>(ref row, parameters, j, out _);
            TOps.Store(row.Output + j, TOps.Multiply(TOps.Load(row.Gates + (3 * row.Hidden) + j), VecMath.Tanh<TOps, TV>(normalized)));
        }
    }

    /// <summary>Through h = o⊙tanh(ĉ): o's pre-activation gradient, and g = dĉ⊙γ_c parked for LN_c's backward.</summary>
    internal readonly struct OutputBackwardUnits : IUnitKernel
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Run<TOps, TV>(ref CellRow row, in CellParameters parameters, nint j)
            where TOps : struct, IVecOps<TV>
            where TV : struct
        {
            nint h = row.Hidden;
            TV one = TOps.Broadcast(1f);
            TV normalizedCell = Normalized<TOps, TV>(ref row, parameters, j, out TV standardized);
            TV t = VecMath.Tanh<TOps, TV>(normalizedCell);
            TV o = TOps.Load(row.Gates + (3 * h) + j);
            TV dh = TOps.Load(row.OutputGradient + j);
            TV dNormalized = TOps.Multiply(TOps.Multiply(dh, o), TOps.Subtract(one, TOps.Multiply(t, t)));
            LstmMath.Accumulate<TOps, TV>(parameters.NormCellWeightGradient + j, TOps.Multiply(dNormalized, standardized));
            LstmMath.Accumulate<TOps, TV>(parameters.NormCellBiasGradient + j, dNormalized);
            TOps.Store(row.GatesGradient + (2 * h) + j, TOps.Multiply(dNormalized, TOps.Load(parameters.NormCellWeight + j)));
            TOps.Store(row.GatesGradient + (3 * h) + j, TOps.Multiply(TOps.Multiply(TOps.Multiply(dh, t), o), TOps.Subtract(one, o)));
        }
    }

    /// <summary>dL/dc' = DC + LN_c's backward, then the LSTM gate gradients.</summary>
    internal readonly struct CellBackwardUnits : IUnitKernel
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Run<TOps, TV>(ref CellRow row, in CellParameters parameters, nint j)
            where TOps : struct, IVecOps<TV>
            where TV : struct
        {
            nint h = row.Hidden;
            TV inverse = TOps.Broadcast(row.Statistics[3]);
            TV standardized = TOps.Multiply(TOps.Subtract(TOps.Load(row.CellNext + j), TOps.Broadcast(row.Statistics[2])), inverse);
            TV g = TOps.Load(row.GatesGradient + (2 * h) + j);
            TV dNorm = TOps.Multiply(inverse, TOps.Subtract(TOps.Subtract(g, TOps.Broadcast(row.NormMean)), TOps.Multiply(standardized, TOps.Broadcast(row.NormMeanTimesNormalized))));
            TV dc = TOps.Add(TOps.Load(row.CellGradient + j), dNorm);
            LstmMath.Backward<TOps, TV, TPeephole>(ref row, parameters, j, dc, TOps.Load(row.GatesGradient + (3 * h) + j));
            TOps.Store(row.OutputGradient + j, TOps.Zero);
        }
    }

    /// <summary>LN_c(c') at units [j, j + W), and the standardised (c' − μ)/σ.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV Normalized<TOps, TV>(ref CellRow row, in CellParameters parameters, nint j, out TV standardized)
        where TOps : struct, IVecOps<TV>
        where TV : struct
    {
        standardized = TOps.Multiply(TOps.Subtract(TOps.Load(row.CellNext + j), TOps.Broadcast(row.Statistics[2])), TOps.Broadcast(row.Statistics[3]));
        return TOps.Add(TOps.Multiply(standardized, TOps.Load(parameters.NormCellWeight + j)), TOps.Load(parameters.NormCellBias + j));
    }
}
