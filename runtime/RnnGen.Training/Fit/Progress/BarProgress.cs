using System;
using System.Globalization;
using Spectre.Console;

namespace RnnGen.Training;

/// <summary>
/// A Spectre.Console progress bar per epoch: description with the running loss and speed, the bar, the
/// percentage and the time left (estimated by Spectre from the batches' pace). Finished epochs stay on
/// screen with their metrics.
/// </summary>
internal sealed class BarProgress(ProgressContext context) : IProgressSink
{
    private ProgressTask? _task;
    private int _epoch;
    private int _epochs;

    /// <summary>Runs <paramref name="body"/> with a live progress display on <paramref name="console"/>.</summary>
    public static void Run(IAnsiConsole console, Action<IProgressSink> body) =>
        console.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(context => body(new BarProgress(context)));

    public void EpochStarted(int epoch, int epochs, int batches, int firstBatch)
    {
        _epoch = epoch;
        _epochs = epochs;
        _task = context.AddTask(Title(), maxValue: batches);
        _task.Value = firstBatch;
    }

    public void BatchEnded(int batchesDone, double loss, double sequencesPerSecond)
    {
        _task!.Value = batchesDone;
        _task.Description = Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"{Title()} loss {loss:F4}, {sequencesPerSecond:F0} seq/s"));
    }

    public void EpochEnded(EpochResult result, int epochs)
    {
        _task!.Description = Markup.Escape(EpochLineProgress.Describe(result, epochs));
        _task.Value = _task.MaxValue;
        _task.StopTask();
    }

    private string Title() => string.Create(CultureInfo.InvariantCulture, $"Epoch {_epoch}/{_epochs}");
}
