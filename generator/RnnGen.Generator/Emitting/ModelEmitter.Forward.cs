using System.Collections.Generic;
using System.Linq;

namespace RnnGen.Generator;

/// <summary>The forward pass: <c>Forward</c> over whole sequences, <c>Step</c> one step at a time, and each stage's forward method.</summary>
internal sealed partial class ModelEmitter
{
    private string InputShape => _plan.Embedding is not null ? $"[B, T] = [B, {T}]" : $"[B, T, I] = [B, {T}, {_plan.InputFeatures}]";

    private string OutputShape => _plan.SequenceOutput ? $"[B, T, O] = [B, {T}, {_plan.OutputSize}]" : $"[B, O] = [B, {_plan.OutputSize}]";

    /// <summary>Output floats per row of a call.</summary>
    private string OutputPerRow => _plan.SequenceOutput ? "SequenceLength * OutputSize" : "OutputSize";

    private void WriteForward()
    {
        _w.Line("/// <summary>");
        _w.Line($"/// Runs the model on <paramref name=\"input\"/> {InputShape} into <paramref name=\"output\"/> {OutputShape}, for 1 ≤ B ≤ {B} rows.");
        _w.Line("/// <paramref name=\"lengths\"/>[b] in 1..T marks right padding (empty: every row is full length);");
        _w.Line("/// padded steps output 0 and leave the state untouched. Throws before changing anything when an argument is wrong.");
        _w.Line("/// </summary>");
        _w.Open($"public void Forward(global::System.ReadOnlySpan<{InputType}> input, {Span} output, global::System.ReadOnlySpan<int> lengths = default)");
        Guarded("Forward", () =>
        {
            _w.Line("// Every argument is checked before anything changes, so a call that throws leaves the model as it was.");
            _w.Line($"int rows = {Kernels}ModelGuard.Rows(input.Length, SequenceLength * InputSize, BatchSize, nameof(input), \"{InputShape}\");");
            _w.Line($"{Kernels}ModelGuard.RequireLength(output, rows * {OutputPerRow}, nameof(output), \"{OutputShape}\");");
            _w.Line($"{Kernels}ModelGuard.RequireLengths(lengths, rows, SequenceLength);");
            if (_plan.Embedding is not null)
            {
                _w.Line($"{Kernels}ModelGuard.RequireTokens(input, rows, SequenceLength, VocabSize, lengths);");
            }

            _w.Line($"{Kernels}ModelGuard.CopyLengths(lengths, rows, SequenceLength, _lengths);");
            _w.Line("_rows = rows;");
            if (AnyLearnedState)
            {
                _w.Line("_startLearned = !(CarryState && _carried);");
            }

            _w.Line("int steps = SequenceLength, rowsT = steps * rows;");
            _w.Line($"{Span} a = _activations.Span;");
            WriteInput("input");
            foreach (Stage stage in _plan.Stages)
            {
                _w.Line($"Forward{stage.Id}(rows, steps); // {stage.Description}");
            }

            Slot last = _plan.Last.Output;
            _w.Line(_plan.SequenceOutput
                ? $"{Kernels}SequenceOps.TimeToBatchMajor({A(last)}, output, steps, rows, OutputSize);"
                : $"{A(last)}.CopyTo(output);");
            _w.Open("if (CarryState)");
            _w.Line("FinalState.ReadOnlyData.CopyTo(InitialState.Data);");
            if (AnyLearnedState)
            {
                _w.Line("_carried = true;");
            }

            _w.Close();
            _w.Line("_forwardDone = true;");
            if (Loss is not null)
            {
                _w.Line("_lossDone = false;");
            }

        });
        _w.Close();
        _w.Line();
    }

    /// <summary>The public input, time-major, into the Input slot (for token ids: embedded).</summary>
    private void WriteInput(string input)
    {
        Slot slot = _plan.Input;
        if (_plan.EmbeddingTable is Parameter table)
        {
            _w.Line($"{input}.CopyTo(_tokens);");
            _w.Line($"// {_plan.Embedding!.Name}: Input[T,B,{_plan.InputFeatures}] = {table.TensorName}[input[b,t]]");
            _w.Line($"{Kernels}EmbeddingOps.Gather({input}, Parameters.ReadOnlyData.Slice(P{table.Slot.Name}, {N(table.Slot.Length)}), VocabSize, {_plan.InputFeatures}, rows, steps, _lengths, {A(slot)});");
        }
        else
        {
            _w.Line("// Input[T,B,I] = input[B,T,I], time-major so that each step's rows are contiguous");
            _w.Line($"{Kernels}SequenceOps.BatchToTimeMajor({input}, {A(slot)}, rows, steps, InputSize);");
        }
    }

    private void WriteStep()
    {
        string inputShape = _plan.Embedding is not null ? "[B] token ids" : $"[B, I] = [B, {_plan.InputFeatures}]";
        string outputShape = $"[B, O] = [B, {_plan.OutputSize}]";
        string signature = $"public void Step(global::System.ReadOnlySpan<{InputType}> input, {Span} output)";
        if (!_plan.CanStep)
        {
            _w.Line("/// <summary>Not available: a bidirectional layer needs the whole sequence before its first output.</summary>");
            _w.Line("[global::System.Obsolete(StepUnsupported, error: true)]");
            _w.Line(signature + " => throw new global::System.NotSupportedException(StepUnsupported);");
            _w.Line();
            return;
        }

        _w.Line("/// <summary>");
        _w.Line($"/// Advances every row of a stream one step: <paramref name=\"input\"/> {inputShape} into <paramref name=\"output\"/> {outputShape},");
        _w.Line("/// exactly the numbers <see cref=\"Forward\"/> gives at the same position (with Training off). The stream starts at");
        _w.Line("/// InitialState (or the learned initial state) and continues until <see cref=\"ResetState\"/>; FinalState shows its state.");
        _w.Line("/// </summary>");
        _w.Open(signature);
        Guarded("Step", () =>
        {
            _w.Line($"int rows = {Kernels}ModelGuard.Rows(input.Length, InputSize, BatchSize, nameof(input), \"{inputShape}\");");
            _w.Line($"{Kernels}ModelGuard.RequireLength(output, rows * OutputSize, nameof(output), \"{outputShape}\");");
            if (_plan.Embedding is not null)
            {
                _w.Line($"{Kernels}ModelGuard.RequireTokens(input, rows, 1, VocabSize, default);");
            }

            _w.Line("global::System.MemoryExtensions.AsSpan(_lengths, 0, rows).Fill(1);");
            _w.Open("if (_streamFresh)");
            _w.Line("InitialState.ReadOnlyData.CopyTo(_stream.Span);");
            WriteLearnedStreamStart();
            _w.Close();
            if (AnyLearnedState)
            {
                _w.Line("_startLearned = false; // the stream holds the learned states from its start");
            }

            _w.Line("_streamFresh = false;");
            _w.Line("_streaming = true; // Step's rows are its own: _rows (the last Forward's) and InputGradient stay as they were");
            _w.Line("int steps = 1, rowsT = rows;");
            _w.Line($"{Span} a = _activations.Span;");
            WriteInput("input");
            foreach (Stage stage in _plan.Stages)
            {
                _w.Line($"Forward{stage.Id}(rows, steps); // {stage.Description}");
            }

            _w.Line($"{A(_plan.Last.Output)}.CopyTo(output);");
            _w.Line("_stream.Span.CopyTo(FinalState.Data);");
            _w.Line("_forwardDone = false; // the activations are one step's: Loss and Backward need a Forward");
            if (Loss is not null)
            {
                _w.Line("_lossDone = false;");
            }

        }, cleanup: () =>
        {
            _w.Line("_streaming = false;");
        });
        _w.Close();
        _w.Line();
    }

    private void WriteStageForward(Stage stage)
    {
        switch (stage)
        {
            case RecurrentStage recurrent:
                WriteRecurrentForward(recurrent);
                break;
            case DenseStage dense:
                WriteDenseForward(dense);
                break;
            case DropoutStage dropout:
                WriteDropoutForward(dropout);
                break;
        }
    }

    private void WriteRecurrentForward(RecurrentStage s)
    {
        int gates = s.Cell.GateCount * s.Layer.HiddenSize;
        _w.Line($"/// <summary>{s.Description}: the input projection of every step at once, then the recurrence.</summary>");
        _w.Open($"private void Forward{s.Id}(int rows, int steps)");
        Locals(backward: false);
        foreach (Direction d in s.Directions)
        {
            _w.Line($"// {(d.Reverse ? "reverse" : "forward")} direction");
            WriteStartState(s, d);
            WriteInputProjection(s, d, gates);
            _w.Line($"// the recurrence, t = {(d.Reverse ? "T-1 .. 0" : "0 .. T-1")}: {s.Cell.StepComment(s.Layer)}");
            _w.Line($"{d.Field}.Forward(rows, steps, _lengths, new {Kernels}RecurrentSpans");
            _w.Line("{");
            _w.Indent();
            WriteRecurrenceArguments(s, d, backward: false);
            _w.Unindent();
            _w.Line("});");
            WriteEndState(s, d);
            if (!s.SequenceOut)
            {
                int k = s.Layer.StateSize, offset = d.Index * k;
                _w.Line($"// Output[:, {offset}..{offset + k}) = the state after the {(d.Reverse ? "first" : "last valid")} step");
                _w.Line($"{Kernels}SequenceOps.CopyColumns(rows, {k}, {StateRow(d.Slots["States"], d, initial: false)}, {k}, a.Slice({Offset("A" + s.Output.Name, offset)}, {Minus(Length(s.Output), offset)}), {s.OutFeatures});");
            }
        }

        _w.Close();
        _w.Line();
    }

    /// <summary>Gates = Input·W_ihᵀ (+ biases, or a layer norm) over every step at once.</summary>
    private void WriteInputProjection(RecurrentStage s, Direction d, int gates)
    {
        Parameter weight = d.Parameters[ParameterRole.WeightIh];
        Slot target = d.InputProjection ?? d.Slots["Gates"];
        bool folded = d.Uses.Contains((ParameterRole.BiasHh, ParameterUse.InputProjection));
        string what = d.InputProjection is not null ? "LN_ih(Input·W_ihᵀ)" : "Input·W_ihᵀ + b_ih" + (folded ? " + b_hh" : "");
        _w.Line($"// Gates[T·B, {gates}] = {what}: one product over every step");
        _w.Line($"{d.Field}WeightIh.Pack({P(weight)}, transposed: true, Parameters.Version);");
        _w.Line($"{Kernels}Gemm.AxPacked(rowsT, {A(s.Input)}, {s.InFeatures}, {d.Field}WeightIh, {A(target)}, {gates}, accumulate: false);");
        if (d.InputProjection is not null)
        {
            _w.Line($"{Kernels}LayerNormOps.Forward(rowsT, {gates}, {A(d.InputProjection)}, {A(d.Slots["Gates"])}, {A(d.InputStatistics!)}, {P(d.Parameters[ParameterRole.NormInputWeight])}, {P(d.Parameters[ParameterRole.NormInputBias])});");
        }
        else if (d.Parameters.TryGetValue(ParameterRole.BiasIh, out Parameter? biasIh))
        {
            string hidden = folded ? P(d.Parameters[ParameterRole.BiasHh]) : "default";
            _w.Line($"{Kernels}SequenceOps.AddBiasRows(rowsT, {gates}, {P(biasIh)}, {hidden}, {A(d.Slots["Gates"])}, {gates});");
        }
    }

    /// <summary>The <c>RecurrentSpans</c> initialiser: every bound parameter and slot, one per line with its shape.</summary>
    private void WriteRecurrenceArguments(RecurrentStage s, Direction d, bool backward)
    {
        _w.Line("ParameterVersion = Parameters.Version,");
        foreach ((ParameterRole role, ParameterUse use) in d.Uses.Where(u => u.Use != ParameterUse.InputProjection))
        {
            Parameter parameter = d.Parameters[role];
            _w.Line($"{role} = {P(parameter)}, // {parameter.TensorName} {parameter.Slot.Shape}");
        }

        foreach (KeyValuePair<string, Slot> slot in d.Slots.Where(x => backward || !IsGradientSlot(x.Key)))
        {
            string arena = IsGradientSlot(slot.Key) ? G(slot.Value) : A(slot.Value);
            _w.Line($"{slot.Key} = {arena}, // {slot.Value.Shape}");
        }

        if (s.SequenceOut)
        {
            int offset = d.Index * s.Layer.StateSize;
            Slot output = backward ? s.OutputGradient : s.Output;
            string arena = backward ? "g" : "a";
            string prefix = backward ? "G" : "A";
            _w.Line($"{(backward ? "OutputGradient" : "Output")} = {arena}.Slice({Offset(prefix + output.Name, offset)}, {Minus(Length(output), offset)}), // {output.Shape}, columns {offset}..{offset + s.Layer.StateSize}");
            _w.Line($"OutputStride = {s.OutFeatures},");
        }

        if (backward)
        {
            foreach ((ParameterRole role, ParameterUse _) in d.Uses.Where(u => u.Use == ParameterUse.Cell))
            {
                _w.Line($"{role}Gradient = {DP(d.Parameters[role])},");
            }
        }
    }

    private static bool IsGradientSlot(string field) => field.EndsWith("Gradient", System.StringComparison.Ordinal) || field == "StateGradients";

    private void WriteDenseForward(DenseStage s)
    {
        string rows = ProductRows(s);
        _w.Line($"/// <summary>{s.Description}: Output = act(Input·Wᵀ + b) over {(s.SequenceIn ? "every step's rows" : "one row per sequence")}.</summary>");
        _w.Open($"private void Forward{s.Id}(int rows, int steps)");
        Locals(backward: false);
        string weight = DenseWeightField(s);
        _w.Line($"{weight}.Pack({P(s.Weight)}, transposed: true, Parameters.Version);");
        _w.Line($"{Kernels}Gemm.AxPacked({rows}, {A(s.Input)}, {s.InFeatures}, {weight}, {A(s.Output)}, {s.OutFeatures}, accumulate: false);");
        _w.Line($"{Kernels}SequenceOps.AddBiasRows({rows}, {s.OutFeatures}, {P(s.Bias)}, default, {A(s.Output)}, {s.OutFeatures});");
        if (s.Layer.Activation != Activation.None)
        {
            _w.Line($"{Kernels}DenseOps.Activate({Runtime}Activation.{s.Layer.Activation}, {A(s.Output)});");
        }

        if (s.SequenceOut)
        {
            _w.Line($"{Kernels}SequenceOps.ZeroPaddedRows({A(s.Output)}, steps, rows, {s.OutFeatures}, _lengths); // padded steps output 0");
        }

        _w.Close();
        _w.Line();
    }

    private void WriteDropoutForward(DropoutStage s)
    {
        string p = ModelPlanner.Float(s.Probability) + "f";
        _w.Line($"/// <summary>{s.Description}: inverted dropout from DropoutRandom when Training, else the identity.</summary>");
        _w.Open($"private void Forward{s.Id}(int rows, int steps)");
        _w.Line($"{Span} a = _activations.Span;");
        _w.Line("int rowsT = steps * rows;");
        _w.Open("if (Training)");
        _w.Line($"{Kernels}DropoutOps.Forward({A(s.Input)}, {A(s.Output)}, {A(s.Mask)}, {p}, _dropoutRandom);");
        _w.Close();
        _w.Open("else");
        _w.Line($"{A(s.Input)}.CopyTo({A(s.Output)});");
        _w.Line($"{A(s.Mask)}.Fill(1f);");
        _w.Close();
        _w.Close();
        _w.Line();
    }
}
