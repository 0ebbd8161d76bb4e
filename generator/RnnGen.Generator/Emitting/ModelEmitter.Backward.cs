namespace RnnGen.Generator;

/// <summary>The loss and the backward pass: each stage's backward mirrors its forward in reverse and accumulates with +=.</summary>
internal sealed partial class ModelEmitter
{
    private void WriteLoss()
    {
        if (Loss is null)
        {
            return;
        }

        LossDescriptor loss = Loss.Descriptor;
        Slot output = _plan.Last.Output, gradient = _plan.Last.OutputGradient;
        string targetType = loss.ClassTargets ? "int" : "float";
        string targetShape = loss.ClassTargets
            ? (_plan.SequenceOutput ? $"[B, T] = [B, {T}]" : "[B]")
            : OutputShape;
        string perRow = loss.ClassTargets ? (_plan.SequenceOutput ? "SequenceLength" : "") : OutputPerRow;
        string steps = _plan.SequenceOutput ? "SequenceLength" : "1";
        string lengths = _plan.SequenceOutput ? "global::System.MemoryExtensions.AsSpan(_lengths, 0, rows)" : "default";
        _w.Line("/// <summary>");
        _w.Line($"/// The {loss.Summary(Loss)} of the last Forward's output against <paramref name=\"target\"/> {targetShape} (the Forward's rows),");
        _w.Line("/// the mean over valid positions; prepares <see cref=\"Backward()\"/>. The kernel checks the whole target before it writes, so a");
        _w.Line("/// call that throws leaves the model as it was.");
        _w.Line("/// </summary>");
        _w.Open($"public float Loss(global::System.ReadOnlySpan<{targetType}> target)");
        Guarded("Loss", () =>
        {
            _w.Line($"{Kernels}ModelGuard.RequireForward(_forwardDone, nameof(Loss));");
            _w.Line("int rows = _rows, rowsT = rows * SequenceLength;");
            _w.Line($"{Kernels}ModelGuard.RequireLength(target, {(perRow.Length == 0 ? "rows" : "rows * " + perRow)}, nameof(target), \"{targetShape}\");");

            _w.Line($"float loss = {Kernels}LossOps.{loss.Kernel}(_activations.Slice(A{output.Name}, {Length(output)}), target, {steps}, rows, OutputSize, {lengths}, _gradients.Slice(G{gradient.Name}, {Length(gradient)}){loss.Options(Loss)});");
            _w.Line("_lossDone = true;");
            _w.Line("return loss;");
        });
        _w.Close();
        _w.Line();
    }

    private void WriteBackward()
    {
        Slot gradient = _plan.Last.OutputGradient;
        if (Loss is not null)
        {
            _w.Line("/// <summary>Back-propagates the last <see cref=\"Loss\"/> through time, adding to <see cref=\"Gradients\"/>; once per Loss.</summary>");
            _w.Open("public void Backward()");
            Guarded("Backward", () =>
            {
                _w.Line($"{Kernels}ModelGuard.RequireLoss(_lossDone);");
                _w.Line("BackwardAll();");
            });
            _w.Close();
            _w.Line();
        }

        _w.Line($"/// <summary>Back-propagates dLoss/dOutput {OutputShape} (the Forward's rows; ignored at padded steps), adding to <see cref=\"Gradients\"/>.</summary>");
        _w.Open($"public void Backward(global::System.ReadOnlySpan<float> outputGradient)");
        Guarded("Backward", () =>
        {
            _w.Line($"{Kernels}ModelGuard.RequireForward(_forwardDone, nameof(Backward));");
            _w.Line("int rows = _rows, steps = SequenceLength, rowsT = steps * rows;");
            _w.Line($"{Kernels}ModelGuard.RequireLength(outputGradient, rows * {OutputPerRow}, nameof(outputGradient), \"{OutputShape}\");");
            _w.Line($"{Span} g = _gradients.Span;");
            if (_plan.SequenceOutput)
            {
                _w.Line($"{Kernels}SequenceOps.BatchToTimeMajor(outputGradient, {G(gradient)}, rows, steps, OutputSize);");
                _w.Line($"{Kernels}SequenceOps.ZeroPaddedRows({G(gradient)}, steps, rows, OutputSize, _lengths);");
            }
            else
            {
                _w.Line($"outputGradient.CopyTo({G(gradient)});");
            }

            _w.Line("BackwardAll();");
        });
        _w.Close();
        _w.Line();

        _w.Line("/// <summary>Every stage's backward, last to first, then the gradient of the model's input.</summary>");
        _w.Open("private void BackwardAll()");
        _w.Line("int rows = _rows, steps = SequenceLength, rowsT = steps * rows;");
        for (int i = _plan.Stages.Count - 1; i >= 0; i--)
        {
            _w.Line($"Backward{_plan.Stages[i].Id}(rows, steps); // {_plan.Stages[i].Description}");
        }

        Slot dInput = _plan.InputGradient;
        string dInputSlice = $"_gradients.Slice(G{dInput.Name}, {Length(dInput)})";
        if (_plan.EmbeddingTable is Parameter table)
        {
            _w.Line($"// {table.TensorName} gradient: scatter-add of dInput rows by token id");
            _w.Line($"{Kernels}EmbeddingOps.ScatterAdd(_tokens, {dInputSlice}, {_plan.InputFeatures}, rows, steps, _lengths, Gradients.Data.Slice(P{table.Slot.Name}, {N(table.Slot.Length)}));");
        }
        else
        {
            _w.Line($"{Kernels}SequenceOps.TimeToBatchMajor({dInputSlice}, _inputGradient, steps, rows, InputSize);");
            _w.Line("_gradientRows = rows;");
        }

        if (Loss is not null)
        {
            _w.Line("_lossDone = false;");
        }

        _w.Close();
        _w.Line();
    }

    private void WriteStageBackward(Stage stage)
    {
        switch (stage)
        {
            case RecurrentStage recurrent:
                WriteRecurrentBackward(recurrent);
                break;
            case DenseStage dense:
                WriteDenseBackward(dense);
                break;
            case DropoutStage dropout:
                WriteDropoutBackward(dropout);
                break;
        }
    }

    private void WriteRecurrentBackward(RecurrentStage s)
    {
        int gates = s.Cell.GateCount * s.Layer.HiddenSize, k = s.Layer.StateSize, h = s.Layer.HiddenSize;
        bool separate = s.Cell.SeparateHiddenGates(s.Layer);
        _w.Line($"/// <summary>{s.Description}, backward through time, then the weight and input gradients over every step at once.</summary>");
        _w.Open($"private void Backward{s.Id}(int rows, int steps)");
        Locals(backward: true);
        foreach (Direction d in s.Directions)
        {
            _w.Line($"// {(d.Reverse ? "reverse" : "forward")} direction: the running gradients start from FinalStateGradient");
            WriteEndStateGradient(s, d);
            if (!s.SequenceOut)
            {
                int offset = d.Index * k;
                _w.Line($"{Kernels}SequenceOps.AddColumns(rows, {k}, g.Slice({Offset("G" + s.OutputGradient.Name, offset)}, {Minus(Length(s.OutputGradient), offset)}), {s.OutFeatures}, {G(d.Slots["HiddenGradient"])}, {k}); // and the output's");
            }

            _w.Line($"// back through time, t = {(d.Reverse ? "0 .. T-1" : "T-1 .. 0")}: dGates[t], dc(t-1), dh(t-1) += dGates[t]·W_hh");
            _w.Line($"{d.Field}.Backward(rows, steps, _lengths, new {Kernels}RecurrentSpans");
            _w.Line("{");
            _w.Indent();
            WriteRecurrenceArguments(s, d, backward: true);
            _w.Unindent();
            _w.Line("});");
            WriteStartStateGradient(s, d);

            Slot dGates = d.Slots["GatesGradient"];
            Slot dRecurrent = separate ? d.Slots["HiddenGatesGradient"] : dGates;
            string previous = d.Reverse ? $"a.Slice(A{d.Slots["States"].Name} + rows * {k}, rowsT * {k})" : $"a.Slice(A{d.Slots["States"].Name}, rowsT * {k})";
            _w.Line($"// dW_hh += dRecurrentᵀ·h(t-1), biases += Σ dGates: one product each over every step");
            _w.Line($"{Kernels}Gemm.AtxB({gates}, {k}, rowsT, {G(dRecurrent)}, {gates}, {previous}, {k}, {DP(d.Parameters[ParameterRole.WeightHh])}, {k}, accumulate: true);");
            if (d.Parameters.TryGetValue(ParameterRole.WeightHr, out Parameter? weightHr))
            {
                _w.Line($"{Kernels}Gemm.AtxB({k}, {h}, rowsT, {G(d.Slots["StateGradients"])}, {k}, {A(d.Slots["Unprojected"])}, {h}, {DP(weightHr)}, {h}, accumulate: true); // dW_hr += dhᵀ·m");
            }

            if (d.Parameters.TryGetValue(ParameterRole.BiasIh, out Parameter? biasIh))
            {
                _w.Line($"{Kernels}SequenceOps.AddColumnSums(rowsT, {gates}, {G(dGates)}, {gates}, {DP(biasIh)});");
            }

            if (d.Parameters.TryGetValue(ParameterRole.BiasHh, out Parameter? biasHh))
            {
                _w.Line($"{Kernels}SequenceOps.AddColumnSums(rowsT, {gates}, {G(dRecurrent)}, {gates}, {DP(biasHh)});");
            }

            Slot dProjection = dGates;
            if (d.InputProjectionGradient is Slot raw)
            {
                _w.Line($"// through LN_ih: dGates -> d(Input·W_ihᵀ)");
                _w.Line($"{Kernels}LayerNormOps.Backward(rowsT, {gates}, {G(dGates)}, {A(d.InputProjection!)}, {A(d.InputStatistics!)}, {P(d.Parameters[ParameterRole.NormInputWeight])}, {G(raw)}, {DP(d.Parameters[ParameterRole.NormInputWeight])}, {DP(d.Parameters[ParameterRole.NormInputBias])});");
                dProjection = raw;
            }

            Parameter weightIh = d.Parameters[ParameterRole.WeightIh];
            _w.Line($"{Kernels}Gemm.AtxB({gates}, {s.InFeatures}, rowsT, {G(dProjection)}, {gates}, {A(s.Input)}, {s.InFeatures}, {DP(weightIh)}, {s.InFeatures}, accumulate: true); // dW_ih += dᵀ·Input");
            _w.Line($"// dInput {(d.Index == 0 ? "=" : "+=")} d·W_ih");
            _w.Line($"{Kernels}Gemm.AxB(rowsT, {s.InFeatures}, {gates}, {G(dProjection)}, {gates}, {P(weightIh)}, {s.InFeatures}, {G(s.InputGradient)}, {s.InFeatures}, accumulate: {(d.Index == 0 ? "false" : "true")});");
        }

        _w.Close();
        _w.Line();
    }

    private void WriteDenseBackward(DenseStage s)
    {
        string rows = ProductRows(s);
        _w.Line($"/// <summary>{s.Description}, backward: dW += dZᵀ·Input, db += Σ dZ, dInput = dZ·W.</summary>");
        _w.Open($"private void Backward{s.Id}(int rows, int steps)");
        Locals(backward: true);
        if (s.Layer.Activation != Activation.None)
        {
            _w.Line($"{Kernels}DenseOps.ActivationBackward({Runtime}Activation.{s.Layer.Activation}, {A(s.Output)}, {G(s.OutputGradient)});");
        }

        _w.Line($"{Kernels}Gemm.AtxB({s.OutFeatures}, {s.InFeatures}, {rows}, {G(s.OutputGradient)}, {s.OutFeatures}, {A(s.Input)}, {s.InFeatures}, {DP(s.Weight)}, {s.InFeatures}, accumulate: true);");
        _w.Line($"{Kernels}SequenceOps.AddColumnSums({rows}, {s.OutFeatures}, {G(s.OutputGradient)}, {s.OutFeatures}, {DP(s.Bias)});");
        _w.Line($"{Kernels}Gemm.AxB({rows}, {s.InFeatures}, {s.OutFeatures}, {G(s.OutputGradient)}, {s.OutFeatures}, {P(s.Weight)}, {s.InFeatures}, {G(s.InputGradient)}, {s.InFeatures}, accumulate: false);");
        _w.Close();
        _w.Line();
    }

    private void WriteDropoutBackward(DropoutStage s)
    {
        _w.Line($"/// <summary>{s.Description}, backward: dInput = dOutput·mask.</summary>");
        _w.Open($"private void Backward{s.Id}(int rows, int steps)");
        _w.Line($"{Span} a = _activations.Span;");
        _w.Line($"{Span} g = _gradients.Span;");
        _w.Line("int rowsT = steps * rows;");
        _w.Line($"{G(s.OutputGradient)}.CopyTo({G(s.InputGradient)});");
        _w.Line($"{Kernels}SequenceOps.Multiply({G(s.InputGradient)}, {A(s.Mask)});");
        _w.Close();
        _w.Line();
    }
}
