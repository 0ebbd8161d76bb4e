using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using RnnGen.Training;

namespace CharLstm;

/// <summary>
/// Keeps every step's training loss in a CSV file (<c>step,loss</c>) for the loss plot, across interruptions:
/// a resumed run first drops the rows after its checkpoint's step, which it is about to train again.
/// </summary>
public sealed class StepLog : ITrainingCallback, IDisposable
{
    private readonly List<(long Step, double Loss)> _rows = [];
    private readonly StreamWriter _writer;

    /// <param name="resumedStep">The checkpoint's step when resuming; null starts an empty log.</param>
    public StepLog(string path, long? resumedStep)
    {
        if (resumedStep is long kept && File.Exists(path))
        {
            foreach (string line in File.ReadLines(path).Skip(1))
            {
                string[] fields = line.Split(',');
                if (fields.Length == 2
                    && long.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out long step)
                    && double.TryParse(fields[1], NumberStyles.Float, CultureInfo.InvariantCulture, out double loss)
                    && step <= kept)
                {
                    _rows.Add((step, loss));
                }
            }
        }

        _writer = new StreamWriter(path, append: false) { AutoFlush = true };
        _writer.WriteLine("step,loss");
        foreach ((long step, double loss) in _rows)
        {
            Write(step, loss);
        }
    }

    public IReadOnlyList<(long Step, double Loss)> Rows => _rows;

    public void OnBatchEnd(Trainer trainer, BatchResult batch)
    {
        _rows.Add((batch.Step, batch.Loss));
        Write(batch.Step, batch.Loss);
    }

    public void Dispose() => _writer.Dispose();

    private void Write(long step, double loss) => _writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{step},{loss:R}"));
}
