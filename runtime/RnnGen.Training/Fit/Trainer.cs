using System;
using System.Collections.Generic;
using System.IO;
using Spectre.Console;

namespace RnnGen.Training;

/// <summary>
/// Trains any generated model with a loss, in the spirit of Keras's <c>fit</c>/<c>evaluate</c>: batches
/// (shuffled with a seed, the last one partial), an optimizer step per batch with optional gradient clipping
/// and non-finite checks, a schedule stepped per epoch, validation, early stopping, checkpoints that resume
/// exactly, a progress display and callbacks. It hides nothing: the model, optimizer and schedule stay the
/// caller's objects, usable between and after runs.
/// </summary>
/// <example>
/// <code>
/// var trainer = new Trainer(model, new Adam(1e-3f)) { EarlyStopping = new EarlyStopping(patience: 3) };
/// History history = trainer.Fit(train, epochs: 20, validation);
/// Metrics test = trainer.Evaluate(testData);
/// </code>
/// </example>
public sealed class Trainer
{
    private readonly History _history = new();
    private int _batchSize;
    private float? _clipGradientNorm;
    private int _checkpointEvery;

    /// <param name="model">A generated model with a <c>[Loss]</c> (an <see cref="ILossModel{TTarget}"/>).</param>
    /// <param name="optimizer">Steps <paramref name="model"/>'s parameters.</param>
    public Trainer(IRnnModel model, IOptimizer optimizer)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(optimizer);
        Model = model;
        Optimizer = optimizer;
        _batchSize = model.BatchSize;
    }

    /// <summary>The model trained.</summary>
    public IRnnModel Model { get; }

    /// <summary>The optimizer that steps <see cref="Model"/>'s parameters.</summary>
    public IOptimizer Optimizer { get; }

    /// <summary>
    /// Stepped once after each epoch with the validation loss (the training loss without validation data);
    /// epoch-counted schedules ignore the value, <see cref="ReduceLROnPlateau"/> decides by it. Build it on <see cref="Optimizer"/>.
    /// </summary>
    public ILearningRateSchedule? Schedule { get; set; }

    /// <summary>Sequences per step, 1 to the model's <c>BatchSize</c> (the default).</summary>
    public int BatchSize
    {
        get => _batchSize;
        set
        {
            if (value < 1 || value > Model.BatchSize)
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, $"Must be 1 to the model's BatchSize, {Model.BatchSize}.");
            }

            _batchSize = value;
        }
    }

    /// <summary>Whether each epoch visits the training sequences in a fresh order drawn from <see cref="Seed"/> (default true).</summary>
    public bool Shuffle { get; set; } = true;

    /// <summary>Seeds the shuffling; the same seed gives the same orders, run after run.</summary>
    public ulong Seed { get; set; }

    /// <summary>When set, the gradients are scaled so that their global L2 norm is at most this (torch's <c>clip_grad_norm_</c>).</summary>
    public float? ClipGradientNorm
    {
        get => _clipGradientNorm;
        set => _clipGradientNorm = GradientNormLimit.Checked(value);
    }

    /// <summary>
    /// When true, every step checks the loss and then the gradients, and throws <see cref="NonFiniteException"/>
    /// naming the tensor and index of the first NaN or infinity, before the optimizer could step on it.
    /// </summary>
    public bool CheckFinite { get; set; }

    /// <summary>Stops training when the monitored loss stops improving; null (the default) trains every epoch.</summary>
    public EarlyStopping? EarlyStopping { get; set; }

    /// <summary>Where checkpoints are written every <see cref="CheckpointEvery"/> steps (atomically, replacing the last).</summary>
    public string? CheckpointPath { get; set; }

    /// <summary>Optimizer steps between checkpoints; 0 (the default) writes none.</summary>
    public int CheckpointEvery
    {
        get => _checkpointEvery;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            _checkpointEvery = value;
        }
    }

    /// <summary>What Fit shows while it trains (default <see cref="ProgressDisplay.Auto"/>).</summary>
    public ProgressDisplay Progress { get; set; } = ProgressDisplay.Auto;

    /// <summary>
    /// The class id the model's cross-entropy loss ignores (its <c>[Loss(IgnoreIndex = …)]</c>): such positions count
    /// toward no metric either. Only class (<c>int</c>) targets use it.
    /// </summary>
    internal int IgnoreIndex => Model is ILossModel<int> classes ? classes.IgnoreIndex : -100;

    /// <summary>Called after every step and every epoch, in order.</summary>
    public IList<ITrainingCallback> Callbacks { get; } = new List<ITrainingCallback>();

    /// <summary>The epochs of the current or last Fit (a resumed Fit includes the epochs before the checkpoint).</summary>
    public History History => _history;

    /// <summary>Optimizer steps taken in the current or last Fit (counting those before a checkpoint it resumed from).</summary>
    public long GlobalStep { get; internal set; }

    /// <summary>The console the bar draws on (tests); null is the process's console.</summary>
    internal IAnsiConsole? Console { get; set; }

    /// <summary>Where epoch lines go (tests); null is the standard output.</summary>
    internal TextWriter? Lines { get; set; }

    internal bool StopRequested { get; private set; }

    /// <summary>
    /// Asks Fit to stop after the current step: it finishes that epoch's bookkeeping (validation, history, callbacks)
    /// and returns. Callbacks call it; so can other threads.
    /// </summary>
    public void StopTraining() => StopRequested = true;

    /// <summary>
    /// Trains for <paramref name="epochs"/> epochs (fewer if stopped), measuring <paramref name="validation"/> after
    /// each, and returns the <see cref="History"/>. The data's element types must be the model's input and target
    /// types (<c>float</c> features or <c>int</c> token ids; <c>int</c> classes or <c>float</c> values).
    /// </summary>
    /// <param name="resumeFrom">
    /// A checkpoint written by a Fit with the same model, optimizer, schedule, data sizes, batch size, shuffling and
    /// early stopping: training continues from it exactly as if never interrupted (same losses, same weights).
    /// Null starts afresh. A bad file throws <see cref="InvalidDataException"/> and changes nothing.
    /// </param>
    public History Fit<TInput, TTarget>(SequenceDataset<TInput, TTarget> train, int epochs, SequenceDataset<TInput, TTarget>? validation = null, string? resumeFrom = null)
        where TInput : unmanaged
        where TTarget : unmanaged
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(epochs);
        if (CheckpointEvery > 0 && string.IsNullOrEmpty(CheckpointPath))
        {
            throw new InvalidOperationException("CheckpointEvery is set but CheckpointPath is not: say where the checkpoints go.");
        }

        var loop = new FitLoop<TInput, TTarget>(this);
        loop.Check(train, nameof(train));
        if (validation is not null)
        {
            loop.Check(validation, nameof(validation));
        }

        StopRequested = false;
        FitLoop<TInput, TTarget>.Run run = loop.Prepare(train, epochs, validation, resumeFrom);
        ProgressDisplay display = Progress;
        if (display == ProgressDisplay.Auto)
        {
            display = System.Console.IsOutputRedirected ? ProgressDisplay.EpochLines : ProgressDisplay.Bar;
        }

        switch (display)
        {
            case ProgressDisplay.Bar:
                BarProgress.Run(Console ?? AnsiConsole.Console, run.Execute);
                break;
            case ProgressDisplay.EpochLines:
                run.Execute(new EpochLineProgress(Lines ?? System.Console.Out));
                break;
            default:
                run.Execute(new NoProgress());
                break;
        }

        return _history;
    }

    /// <summary>
    /// Measures the model on <paramref name="data"/> in inference mode (no dropout), in order, without changing
    /// its parameters; its <c>Training</c> flag is restored afterwards.
    /// </summary>
    public Metrics Evaluate<TInput, TTarget>(SequenceDataset<TInput, TTarget> data)
        where TInput : unmanaged
        where TTarget : unmanaged
    {
        ArgumentNullException.ThrowIfNull(data);
        var loop = new FitLoop<TInput, TTarget>(this);
        loop.Check(data, nameof(data));
        return loop.Evaluate(data);
    }
}
