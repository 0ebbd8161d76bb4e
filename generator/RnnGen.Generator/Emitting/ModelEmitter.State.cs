using System.Linq;

namespace RnnGen.Generator;

/// <summary>
/// The state API: where a recurrence starts (InitialState, the carried state, a learned state, or the stream)
/// and ends (FinalState, or the stream), and the gradients that flow back to the start.
/// </summary>
internal sealed partial class ModelEmitter
{
    private void WriteStateMembers()
    {
        _w.Line("/// <summary>Zeroes the initial state and restarts a stream: the next Forward (with CarryState) and the next Step start afresh.</summary>");
        _w.Open("public void ResetState()");
        Guarded("ResetState", () =>
        {
            _w.Line("InitialState.Clear();");
            if (AnyLearnedState)
            {
                _w.Line("_carried = false;");
            }

            if (_plan.CanStep)
            {
                _w.Line("_streamFresh = true;");
            }

        });
        _w.Close();
        _w.Line();
        if (_plan.CanStep)
        {
            _w.Line("/// <summary>The states a recurrence starts from: InitialState for Forward, the stream for Step.</summary>");
            _w.Line($"private {ReadOnlySpan} StartStates => _streaming ? _stream.Span : InitialState.ReadOnlyData;");
            _w.Line();
            _w.Line("/// <summary>Where a recurrence leaves its final states: FinalState for Forward, the stream for Step.</summary>");
            _w.Line($"private {Span} EndStates => _streaming ? _stream.Span : FinalState.Data;");
        }
        else
        {
            _w.Line("/// <summary>The states a recurrence starts from.</summary>");
            _w.Line($"private {ReadOnlySpan} StartStates => InitialState.ReadOnlyData;");
            _w.Line();
            _w.Line("/// <summary>Where a recurrence leaves its final states.</summary>");
            _w.Line($"private {Span} EndStates => FinalState.Data;");
            _w.Line();
            _w.Line("private const string StepUnsupported = \"Step advances every row one step forward in time; a bidirectional layer's reverse direction needs the whole sequence first. Run Forward over whole sequences instead.\";");
        }

        _w.Line();
    }

    private StateTensor StateOf(RecurrentStage s, bool cell) => _plan.StateTensors.First(x => ReferenceEquals(x.Layer, s.Layer) && x.IsCell == cell);

    /// <summary>Index of a direction's slice in its layer's state tensors: sub-layer · directions + direction.</summary>
    private static int StateIndex(RecurrentStage s, Direction d) => (s.SubLayer * s.Layer.Directions) + d.Index;

    /// <summary>The rows of a direction's state in a state set (InitialState layout: [L·D, B, W]).</summary>
    private string StateSlice(StateTensor state, RecurrentStage s, Direction d)
    {
        long offset = (long)StateIndex(s, d) * B * state.Width;
        return (offset == 0 ? $"S{state.Slot.Name}" : $"S{state.Slot.Name} + {N(offset)}") + $", rows * {state.Width}";
    }

    /// <summary>A state slot's h0 (<paramref name="initial"/>) or final state: index 0 or T forward, T or 0 reverse (whose h(t) sits at t).</summary>
    private static string StateRow(Slot slot, Direction d, bool initial) => (initial == d.Reverse)
        ? $"a.Slice(A{slot.Name} + steps * rows * {slot.Width}, rows * {slot.Width})"
        : $"a.Slice(A{slot.Name}, rows * {slot.Width})";

    /// <summary>h0 (and c0) into the direction's state slots: learned, or from <c>StartStates</c>.</summary>
    private void WriteStartState(RecurrentStage s, Direction d)
    {
        foreach (bool cell in s.Cell.HasCellState ? new[] { false, true } : new[] { false })
        {
            StateTensor state = StateOf(s, cell);
            Slot target = d.Slots[cell ? "Cells" : "States"];
            string destination = StateRow(target, d, initial: true);
            string copy = $"StartStates.Slice({StateSlice(state, s, d)}).CopyTo({destination});";
            if (state.Learned is Parameter learned)
            {
                string row = $"p.Slice({Offset("P" + learned.Slot.Name, (long)StateIndex(s, d) * state.Width)}, {state.Width})";
                _w.Open("if (_startLearned)");
                _w.Line($"{Kernels}SequenceOps.BroadcastRows(rows, {state.Width}, {row}, {destination}, {state.Width}); // {state.InitialName}[{StateIndex(s, d)}], learned, every row");
                _w.Close();
                _w.Open("else");
                _w.Line(copy);
                _w.Close();
            }
            else
            {
                _w.Line(copy + $" // {state.InitialName}[{StateIndex(s, d)}]");
            }
        }
    }

    /// <summary>
    /// A new stream starts every row, of every batch row, at the learned states: a row that joins the stream at a
    /// later Step starts there too, like the rows of the first Step.
    /// </summary>
    private void WriteLearnedStreamStart()
    {
        foreach (StateTensor state in _plan.StateTensors.Where(s => s.Learned is not null))
        {
            Parameter learned = state.Learned!;
            for (int i = 0; i < state.Count; i++)
            {
                string row = $"Parameters.ReadOnlyData.Slice({Offset("P" + learned.Slot.Name, (long)i * state.Width)}, {state.Width})";
                string rows = $"_stream.Span.Slice({Offset("S" + state.Slot.Name, (long)i * B * state.Width)}, BatchSize * {state.Width})";
                _w.Line($"{Kernels}SequenceOps.BroadcastRows(BatchSize, {state.Width}, {row}, {rows}, {state.Width}); // {state.InitialName}[{i}], learned, every row");
            }
        }
    }

    /// <summary>The state after each row's last valid step into <c>EndStates</c>.</summary>
    private void WriteEndState(RecurrentStage s, Direction d)
    {
        foreach (bool cell in s.Cell.HasCellState ? new[] { false, true } : new[] { false })
        {
            StateTensor state = StateOf(s, cell);
            Slot source = d.Slots[cell ? "Cells" : "States"];
            _w.Line($"{StateRow(source, d, initial: false)}.CopyTo(EndStates.Slice({StateSlice(state, s, d)})); // {state.FinalName}[{StateIndex(s, d)}]");
        }
    }

    /// <summary>dL/dh_n (and dL/dc_n) from FinalStateGradient into the running gradients.</summary>
    private void WriteEndStateGradient(RecurrentStage s, Direction d)
    {
        foreach (bool cell in s.Cell.HasCellState ? new[] { false, true } : new[] { false })
        {
            StateTensor state = StateOf(s, cell);
            Slot running = d.Slots[cell ? "CellGradient" : "HiddenGradient"];
            _w.Line($"FinalStateGradient.ReadOnlyData.Slice({StateSlice(state, s, d)}).CopyTo({G(running)}); // d{state.FinalName}[{StateIndex(s, d)}]");
        }
    }

    /// <summary>dL/dh0 (and dL/dc0): into the learned state's gradient (summed over rows) or InitialStateGradient.</summary>
    private void WriteStartStateGradient(RecurrentStage s, Direction d)
    {
        foreach (bool cell in s.Cell.HasCellState ? new[] { false, true } : new[] { false })
        {
            StateTensor state = StateOf(s, cell);
            Slot running = d.Slots[cell ? "CellGradient" : "HiddenGradient"];
            string add = $"{Kernels}SequenceOps.Add({G(running)}, InitialStateGradient.Data.Slice({StateSlice(state, s, d)}));";
            if (state.Learned is Parameter learned)
            {
                _w.Open("if (_startLearned)");
                _w.Line($"{Kernels}SequenceOps.AddColumnSums(rows, {state.Width}, {G(running)}, {state.Width}, dp.Slice({Offset("P" + learned.Slot.Name, (long)StateIndex(s, d) * state.Width)}, {state.Width})); // d{state.InitialName}[{StateIndex(s, d)}], summed over rows");
                _w.Close();
                _w.Open("else");
                _w.Line(add);
                _w.Close();
            }
            else
            {
                _w.Line(add + $" // d{state.InitialName}[{StateIndex(s, d)}]");
            }
        }
    }
}
