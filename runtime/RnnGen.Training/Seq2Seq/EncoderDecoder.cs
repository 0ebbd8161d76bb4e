using System;
using System.Collections.Generic;

namespace RnnGen.Training;

/// <summary>
/// Two generated models as one sequence-to-sequence model: the encoder's final state (its <c>FinalState</c>, e.g.
/// <c>enc.h_n</c>, <c>enc.c_n</c>) becomes the decoder's initial state (<c>InitialState</c>, e.g. <c>dec.h0</c>,
/// <c>dec.c0</c>). <see cref="TrainStep"/> runs teacher-forced training (the decoder reads the target shifted right)
/// and routes the decoder's initial-state gradient back through the encoder; <see cref="Encode{TSource}"/> prepares
/// the decoder for <see cref="Decoding"/>. The models stay usable on their own.
/// </summary>
public sealed class EncoderDecoder
{
    private readonly (string Encoder, string Decoder)[] _links;
    private readonly float[] _encoderOutput;
    private readonly float[] _zeroGradient;
    private readonly float[] _decoderOutput;
    private readonly ParameterSet _savedState;
    private float? _clipGradientNorm;

    /// <param name="links">
    /// Which encoder final-state tensor feeds which decoder initial-state tensor. By default they pair up in order
    /// (h with h, c with c), which needs the same recurrent layers on both sides. Shapes must be equal:
    /// [layers·directions, BatchSize, hidden].
    /// </param>
    /// <param name="encoderOptimizer">Steps the encoder in <see cref="TrainStep"/>; not needed for inference.</param>
    /// <param name="decoderOptimizer">Steps the decoder in <see cref="TrainStep"/>; not needed for inference.</param>
    public EncoderDecoder(IRnnModel encoder, IRnnModel decoder, IOptimizer? encoderOptimizer = null, IOptimizer? decoderOptimizer = null,
        IReadOnlyList<(string EncoderState, string DecoderState)>? links = null)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        ArgumentNullException.ThrowIfNull(decoder);
        if (ReferenceEquals(encoder, decoder))
        {
            throw new ArgumentException("The encoder and the decoder are the same model object.", nameof(decoder));
        }

        _links = Connect(encoder, decoder, links);
        Encoder = encoder;
        Decoder = decoder;
        EncoderOptimizer = encoderOptimizer;
        DecoderOptimizer = decoderOptimizer;
        _encoderOutput = new float[encoder.BatchSize * PerRow(encoder)];
        _zeroGradient = new float[_encoderOutput.Length];
        _decoderOutput = new float[decoder.BatchSize * PerRow(decoder)];
        _savedState = DecoderStream.Clone(decoder.InitialState);
    }

    /// <summary>The model that reads the source.</summary>
    public IRnnModel Encoder { get; }

    /// <summary>The model that writes the target, starting from the encoder's final state.</summary>
    public IRnnModel Decoder { get; }

    /// <summary>Steps the encoder's parameters in <see cref="TrainStep"/>.</summary>
    public IOptimizer? EncoderOptimizer { get; }

    /// <summary>Steps the decoder's parameters in <see cref="TrainStep"/>.</summary>
    public IOptimizer? DecoderOptimizer { get; }

    /// <summary>Encoder final-state name → decoder initial-state name, as connected.</summary>
    public IReadOnlyList<(string EncoderState, string DecoderState)> Links => _links;

    /// <summary>When set, both models' gradients are scaled together so that their joint L2 norm is at most this.</summary>
    public float? ClipGradientNorm
    {
        get => _clipGradientNorm;
        set => _clipGradientNorm = GradientNormLimit.Checked(value);
    }

    /// <summary>When true, <see cref="TrainStep"/> checks the loss and both gradient sets and throws <see cref="NonFiniteException"/> before any optimizer steps.</summary>
    public bool CheckFinite { get; set; }

    /// <summary>
    /// One teacher-forced training step on a batch: encoder Forward, state hand-over, decoder Forward and Loss, decoder
    /// Backward, the initial-state gradient into the encoder's Backward, optional joint clipping, then both optimizers
    /// step. Both models are in training mode for the step (their flags are restored). Returns the decoder's loss.
    /// </summary>
    /// <param name="source">Encoder input [rows, T_enc, I_enc] (or token ids).</param>
    /// <param name="decoderInput">Decoder input [rows, T_dec, I_dec], usually the target shifted right behind a start token.</param>
    /// <param name="target">The decoder loss's target for the same rows.</param>
    /// <param name="sourceLengths">Valid source lengths per row, or empty for full length.</param>
    /// <param name="targetLengths">Valid decoder lengths per row, or empty for full length.</param>
    public float TrainStep<TSource, TDecoderInput, TTarget>(ReadOnlySpan<TSource> source, ReadOnlySpan<TDecoderInput> decoderInput, ReadOnlySpan<TTarget> target,
        ReadOnlySpan<int> sourceLengths = default, ReadOnlySpan<int> targetLengths = default)
        where TSource : unmanaged
        where TDecoderInput : unmanaged
        where TTarget : unmanaged
    {
        if (EncoderOptimizer is null || DecoderOptimizer is null)
        {
            throw new InvalidOperationException("TrainStep needs both optimizers: pass encoderOptimizer and decoderOptimizer to the constructor.");
        }

        (int rows, IRnnModel<TSource> encoder, IRnnModel<TDecoderInput> decoder, ILossModel<TTarget> loss) =
            Check(source, decoderInput, target, sourceLengths, targetLengths);
        bool encoderTraining = Encoder.Training, decoderTraining = Decoder.Training;
        try
        {
            Encoder.Training = true;
            Decoder.Training = true;
            float value = Run(rows, encoder, decoder, loss, source, decoderInput, target, sourceLengths, targetLengths);
            if (CheckFinite)
            {
                NonFinite.ThrowIfNotFinite(value, "Loss");
            }

            Encoder.ZeroGradients();
            Decoder.ZeroGradients();
            loss.Backward();

            // The decoder's dLoss/dInitialState is the encoder's dLoss/dFinalState; the encoder's outputs feed nothing.
            Encoder.FinalStateGradient.Clear();
            foreach ((string from, string to) in _links)
            {
                Encoder.FinalStateGradient.CopyFrom(from, Decoder.InitialStateGradient.GetReadOnly(to));
            }

            Encoder.Backward(_zeroGradient.AsSpan(0, rows * PerRow(Encoder)));
            Encoder.FinalStateGradient.Clear();   // Backward adds it and never clears it: a later Backward must not add it again
            if (CheckFinite)
            {
                NonFinite.ThrowIfAny(Encoder.Gradients, "Encoder gradients");
                NonFinite.ThrowIfAny(Decoder.Gradients, "Decoder gradients");
            }

            if (ClipGradientNorm is float maxNorm)
            {
                GradientClipping.ClipByGlobalNorm([Encoder.Gradients, Decoder.Gradients], maxNorm);
            }

            EncoderOptimizer.Step(Encoder.Parameters, Encoder.Gradients);
            DecoderOptimizer.Step(Decoder.Parameters, Decoder.Gradients);
            return value;
        }
        finally
        {
            Encoder.Training = encoderTraining;
            Decoder.Training = decoderTraining;
        }
    }

    /// <summary>The decoder's loss on a batch in inference mode (no dropout), without gradients or steps.</summary>
    public float Loss<TSource, TDecoderInput, TTarget>(ReadOnlySpan<TSource> source, ReadOnlySpan<TDecoderInput> decoderInput, ReadOnlySpan<TTarget> target,
        ReadOnlySpan<int> sourceLengths = default, ReadOnlySpan<int> targetLengths = default)
        where TSource : unmanaged
        where TDecoderInput : unmanaged
        where TTarget : unmanaged
    {
        (int rows, IRnnModel<TSource> encoder, IRnnModel<TDecoderInput> decoder, ILossModel<TTarget> loss) =
            Check(source, decoderInput, target, sourceLengths, targetLengths);
        bool encoderTraining = Encoder.Training, decoderTraining = Decoder.Training;
        try
        {
            Encoder.Training = false;
            Decoder.Training = false;
            return Run(rows, encoder, decoder, loss, source, decoderInput, target, sourceLengths, targetLengths);
        }
        finally
        {
            Encoder.Training = encoderTraining;
            Decoder.Training = decoderTraining;
        }
    }

    /// <summary>
    /// Runs the encoder on a batch of sources (inference mode) and sets the decoder up to decode them: its stream is
    /// reset and its initial state is the encoder's final state, row for row. Then use <see cref="Decoding"/> (or the
    /// decoder's <c>Step</c>) with one start token per source row.
    /// </summary>
    public void Encode<TSource>(ReadOnlySpan<TSource> source, ReadOnlySpan<int> sourceLengths = default)
        where TSource : unmanaged
    {
        IRnnModel<TSource> encoder = View<TSource>(Encoder, "encoder", "source");
        int rows = Rows(source.Length, Encoder, "source");
        RequireLengths(sourceLengths, rows, Encoder.SequenceLength, nameof(sourceLengths));
        bool training = Encoder.Training;
        try
        {
            Encoder.Training = false;
            encoder.Forward(source, _encoderOutput.AsSpan(0, rows * PerRow(Encoder)), sourceLengths);
        }
        finally
        {
            Encoder.Training = training;
        }

        Decoder.ResetState();
        HandOver();
    }

    /// <summary>
    /// A checkpoint of both models (named <c>"encoder"</c> and <c>"decoder"</c>) with their optimizers and, optionally,
    /// schedules; add a shuffler with <see cref="TrainingCheckpoint.AddRandom"/>.
    /// </summary>
    public TrainingCheckpoint CreateCheckpoint(ILearningRateSchedule? encoderSchedule = null, ILearningRateSchedule? decoderSchedule = null)
    {
        if (EncoderOptimizer is null || DecoderOptimizer is null)
        {
            throw new InvalidOperationException("A training checkpoint needs both optimizers: pass encoderOptimizer and decoderOptimizer to the constructor.");
        }

        return new TrainingCheckpoint()
            .AddModel("encoder", Encoder, EncoderOptimizer, encoderSchedule)
            .AddModel("decoder", Decoder, DecoderOptimizer, decoderSchedule);
    }

    private float Run<TSource, TDecoderInput, TTarget>(int rows, IRnnModel<TSource> encoder, IRnnModel<TDecoderInput> decoder, ILossModel<TTarget> loss,
        ReadOnlySpan<TSource> source, ReadOnlySpan<TDecoderInput> decoderInput, ReadOnlySpan<TTarget> target, ReadOnlySpan<int> sourceLengths, ReadOnlySpan<int> targetLengths)
        where TSource : unmanaged
        where TDecoderInput : unmanaged
        where TTarget : unmanaged
    {
        _savedState.CopyFrom(Decoder.InitialState);
        encoder.Forward(source, _encoderOutput.AsSpan(0, rows * PerRow(Encoder)), sourceLengths);
        HandOver();
        decoder.Forward(decoderInput, _decoderOutput.AsSpan(0, rows * PerRow(Decoder)), targetLengths);
        try
        {
            return loss.Loss(target);
        }
        catch
        {
            Decoder.InitialState.CopyFrom(_savedState);   // e.g. a class id out of range: leave the decoder's initial state as it was
            throw;
        }
    }

    private void HandOver()
    {
        foreach ((string from, string to) in _links)
        {
            Decoder.InitialState.CopyFrom(to, Encoder.FinalState.GetReadOnly(from));
        }
    }

    /// <summary>Checks every argument against both models before anything runs.</summary>
    private (int Rows, IRnnModel<TSource> Encoder, IRnnModel<TDecoderInput> Decoder, ILossModel<TTarget> Loss) Check<TSource, TDecoderInput, TTarget>(
        ReadOnlySpan<TSource> source, ReadOnlySpan<TDecoderInput> decoderInput, ReadOnlySpan<TTarget> target, ReadOnlySpan<int> sourceLengths, ReadOnlySpan<int> targetLengths)
        where TSource : unmanaged
        where TDecoderInput : unmanaged
        where TTarget : unmanaged
    {
        IRnnModel<TSource> encoder = View<TSource>(Encoder, "encoder", "source");
        IRnnModel<TDecoderInput> decoder = View<TDecoderInput>(Decoder, "decoder", "decoderInput");
        ILossModel<TTarget> loss = Decoder as ILossModel<TTarget> ?? throw new ArgumentException(
            $"The decoder has no loss over {typeof(TTarget).Name} targets: declare a [Loss] on it (SoftmaxCrossEntropy takes int classes, the others float values).",
            nameof(target));
        int rows = Rows(source.Length, Encoder, nameof(source));
        int decoderRows = Rows(decoderInput.Length, Decoder, nameof(decoderInput));
        if (decoderRows != rows)
        {
            throw new ArgumentException($"decoderInput has {decoderRows} rows but source has {rows}; each source row pairs with one decoder row.", nameof(decoderInput));
        }

        int perStep = Decoder.SequenceOutput ? Decoder.SequenceLength : 1;
        int perRow = typeof(TTarget) == typeof(int) ? perStep : perStep * Decoder.OutputSize;
        if (target.Length != rows * perRow)
        {
            throw new ArgumentException($"target has {target.Length} values; {rows} rows of the decoder's loss need {rows * perRow}.", nameof(target));
        }

        RequireLengths(sourceLengths, rows, Encoder.SequenceLength, nameof(sourceLengths));
        RequireLengths(targetLengths, rows, Decoder.SequenceLength, nameof(targetLengths));
        return (rows, encoder, decoder, loss);
    }

    private static IRnnModel<T> View<T>(IRnnModel model, string role, string argument)
        where T : unmanaged =>
        model as IRnnModel<T> ?? throw new ArgumentException(
            $"The {role} takes {(model.TokenInput ? "int token ids" : "float features")} as input; {argument} holds {typeof(T).Name}.", argument);

    private static int Rows(int length, IRnnModel model, string argument)
    {
        int perRow = model.SequenceLength * model.InputSize;
        if (length == 0 || length % perRow != 0 || length / perRow > model.BatchSize)
        {
            throw new ArgumentException(
                $"{argument} has {length} values; it must be 1 to {model.BatchSize} rows of [T, I] = [{model.SequenceLength}, {model.InputSize}] ({perRow} values each).", argument);
        }

        return length / perRow;
    }

    private static void RequireLengths(ReadOnlySpan<int> lengths, int rows, int steps, string argument)
    {
        if (lengths.IsEmpty)
        {
            return;
        }

        if (lengths.Length != rows)
        {
            throw new ArgumentException($"{argument} has {lengths.Length} entries; there are {rows} rows.", argument);
        }

        for (int i = 0; i < rows; i++)
        {
            if (lengths[i] < 1 || lengths[i] > steps)
            {
                throw new ArgumentException($"{argument}[{i}] is {lengths[i]}; it must be 1 to {steps}.", argument);
            }
        }
    }

    private static int PerRow(IRnnModel model) => (model.SequenceOutput ? model.SequenceLength : 1) * model.OutputSize;

    private static (string, string)[] Connect(IRnnModel encoder, IRnnModel decoder, IReadOnlyList<(string EncoderState, string DecoderState)>? links)
    {
        IReadOnlyList<string> from = encoder.FinalState.Names, to = decoder.InitialState.Names;
        var pairs = new List<(string, string)>();
        if (links is null)
        {
            if (from.Count != to.Count)
            {
                throw new ArgumentException(
                    $"The encoder's final state has [{string.Join(", ", from)}] and the decoder's initial state has [{string.Join(", ", to)}], which do not pair up " +
                    "one to one (an LSTM has h and c, a GRU only h): use the same recurrent layers on both sides, or pass links.", nameof(links));
            }

            for (int i = 0; i < from.Count; i++)
            {
                if (Role(from[i], "h_n", "c_n") != Role(to[i], "h0", "c0"))
                {
                    throw new ArgumentException($"Paired in order, encoder state '{from[i]}' would feed decoder state '{to[i]}', a different kind of state (h and c): pass links.", nameof(links));
                }

                pairs.Add((from[i], to[i]));
            }
        }
        else
        {
            foreach ((string e, string d) in links)
            {
                pairs.Add((e, d));
            }

            if (pairs.Count == 0)
            {
                throw new ArgumentException("links is empty: the decoder would not see the encoder at all.", nameof(links));
            }
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach ((string e, string d) in pairs)
        {
            if (e is null || !encoder.FinalState.Contains(e))
            {
                throw new ArgumentException($"The encoder has no final state '{e}'; it has [{string.Join(", ", from)}].", nameof(links));
            }

            if (d is null || !decoder.InitialState.Contains(d))
            {
                throw new ArgumentException($"The decoder has no initial state '{d}'; it has [{string.Join(", ", to)}].", nameof(links));
            }

            if (!seen.Add(d))
            {
                throw new ArgumentException($"Decoder state '{d}' is fed twice.", nameof(links));
            }

            int[] a = encoder.FinalState.GetShape(e), b = decoder.InitialState.GetShape(d);
            if (!a.AsSpan().SequenceEqual(b))
            {
                throw new ArgumentException(
                    $"Encoder state '{e}' has shape {ParameterSet.ShapeText(a)} but decoder state '{d}' has {ParameterSet.ShapeText(b)}: both are [layers·directions, BatchSize, hidden], " +
                    "so the layer count, directions, BatchSize and hidden size must match.", nameof(links));
            }
        }

        DecoderStream.RequireStateNotLearned(decoder, "the encoder's state would be ignored");
        return pairs.ToArray();
    }

    private static int Role(string name, string hidden, string cell) =>
        name.EndsWith(hidden, StringComparison.Ordinal) ? 0 : name.EndsWith(cell, StringComparison.Ordinal) ? 1 : 2;
}
