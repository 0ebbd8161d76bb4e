using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace RnnGen.Training;

/// <summary>The typed engine behind <see cref="Trainer"/>: checks data against the model, runs steps and passes, measures.</summary>
internal sealed class FitLoop<TInput, TTarget>
    where TInput : unmanaged
    where TTarget : unmanaged
{
    private const string Prefix = "fit.";
    private readonly Trainer _trainer;
    private readonly IRnnModel<TInput> _model;
    private readonly ILossModel<TTarget> _loss;
    private readonly float[] _output;
    private readonly int _outputPerRow;
    private readonly bool _classes = typeof(TTarget) == typeof(int);
    private readonly bool _perplexity;

    public FitLoop(Trainer trainer)
    {
        _trainer = trainer;
        IRnnModel model = trainer.Model;
        _model = model as IRnnModel<TInput> ?? throw new ArgumentException(
            $"The model takes {(model.TokenInput ? "int token ids" : "float features")} as input, but the data holds {typeof(TInput).Name} inputs.");
        _loss = model as ILossModel<TTarget> ?? throw new ArgumentException(
            $"The model has no loss over {typeof(TTarget).Name} targets: declare a [Loss] (SoftmaxCrossEntropy takes int classes, the others float values) " +
            "and give the data targets of that type.");
        _outputPerRow = (model.SequenceOutput ? model.SequenceLength : 1) * model.OutputSize;
        _output = new float[model.BatchSize * _outputPerRow];
        _perplexity = _classes && model.SequenceOutput;
    }

    /// <summary>Checks that the data fits the model: input and target sizes per sequence, lengths within T.</summary>
    public void Check(SequenceDataset<TInput, TTarget> data, string argument)
    {
        IRnnModel m = _model;
        int steps = m.SequenceLength;
        if (data.InputLength != steps * m.InputSize)
        {
            throw new ArgumentException(
                $"{argument} has {data.InputLength} input values per sequence; the model takes [T, I] = [{steps}, {m.InputSize}] = {steps * m.InputSize}.", argument);
        }

        int perStep = m.SequenceOutput ? steps : 1;
        int expected = _classes ? perStep : perStep * m.OutputSize;
        if (data.TargetLength != expected)
        {
            string shape = (_classes, m.SequenceOutput) switch
            {
                (true, true) => $"a class per step, [T] = [{steps}]",
                (true, false) => "one class per sequence",
                (false, true) => $"[T, O] = [{steps}, {m.OutputSize}]",
                _ => $"[O] = [{m.OutputSize}]",
            };
            throw new ArgumentException($"{argument} has {data.TargetLength} target values per sequence; the model's loss takes {shape}.", argument);
        }

        if (data.HasLengths)
        {
            for (int i = 0; i < data.Count; i++)
            {
                if (data.GetLength(i) > steps)
                {
                    throw new ArgumentException($"{argument} sequence {i} has length {data.GetLength(i)}; the model's SequenceLength is {steps}.", argument);
                }
            }
        }
    }

    public Metrics Evaluate(SequenceDataset<TInput, TTarget> data)
    {
        bool training = _model.Training;
        var sums = new EpochSums();
        try
        {
            _model.Training = false;
            foreach (SequenceBatch<TInput, TTarget> batch in data.Batches(_trainer.BatchSize))
            {
                Span<float> output = _output.AsSpan(0, batch.Rows * _outputPerRow);
                _model.Forward(batch.Inputs, output, batch.Lengths);
                float loss = _loss.Loss(batch.Targets);
                (long positions, long correct) = Measure(output, batch.Targets, batch.Lengths, batch.Rows);
                sums.Add(loss, positions, correct);
            }
        }
        finally
        {
            _model.Training = training;
        }

        return sums.ToMetrics(_classes, _perplexity);
    }

    /// <summary>Sets a run up, resuming from a checkpoint if given (checked whole before anything changes).</summary>
    public Run Prepare(SequenceDataset<TInput, TTarget> train, int epochs, SequenceDataset<TInput, TTarget>? validation, string? resumeFrom)
    {
        var run = new Run(this, train, epochs, validation);
        if (resumeFrom is not null)
        {
            run.Resume(resumeFrom);
        }
        else
        {
            _trainer.History.Clear();
            _trainer.GlobalStep = 0;
        }

        return run;
    }

    private (float Loss, long Positions, long Correct) TrainBatch(SequenceBatch<TInput, TTarget> batch)
    {
        _model.Training = true;
        Span<float> output = _output.AsSpan(0, batch.Rows * _outputPerRow);
        _model.Forward(batch.Inputs, output, batch.Lengths);
        float loss = _loss.Loss(batch.Targets);
        if (_trainer.CheckFinite)
        {
            NonFinite.ThrowIfNotFinite(loss, "Loss");
        }

        (long positions, long correct) = Measure(output, batch.Targets, batch.Lengths, batch.Rows);
        _model.ZeroGradients();
        _loss.Backward();
        if (_trainer.CheckFinite)
        {
            NonFinite.ThrowIfAny(_model.Gradients, "Gradients");
        }

        if (_trainer.ClipGradientNorm is float maxNorm)
        {
            GradientClipping.ClipByGlobalNorm(_model.Gradients, maxNorm);
        }

        _trainer.Optimizer.Step(_model.Parameters, _model.Gradients);
        return (loss, positions, correct);
    }

    /// <summary>The positions that count toward the loss, and (class targets) those whose largest output is the target.</summary>
    private (long Positions, long Correct) Measure(ReadOnlySpan<float> output, ReadOnlySpan<TTarget> targets, ReadOnlySpan<int> lengths, int rows)
    {
        IRnnModel m = _model;
        int perRow = m.SequenceOutput ? m.SequenceLength : 1;
        long positions = 0, correct = 0;
        for (int b = 0; b < rows; b++)
        {
            int valid = !m.SequenceOutput ? 1 : lengths.IsEmpty ? perRow : lengths[b];
            if (!_classes)
            {
                positions += valid;
                continue;
            }

            ReadOnlySpan<int> classes = MemoryMarshal.Cast<TTarget, int>(targets);
            for (int t = 0; t < valid; t++)
            {
                int position = (b * perRow) + t;
                int target = classes[position];
                if (target == _trainer.IgnoreIndex)
                {
                    continue;
                }

                positions++;
                if (Logits.ArgMaxUnchecked(output.Slice(position * m.OutputSize, m.OutputSize)) == target)
                {
                    correct++;
                }
            }
        }

        return (positions, correct);
    }

    /// <summary>One Fit: its position (epoch, batch, step), running sums, early-stopping state and checkpoint.</summary>
    internal sealed class Run
    {
        private readonly FitLoop<TInput, TTarget> _loop;
        private readonly Trainer _trainer;
        private readonly SequenceDataset<TInput, TTarget> _train;
        private readonly SequenceDataset<TInput, TTarget>? _validation;
        private readonly int _epochs;
        private readonly DeterministicRandom _shuffler;
        private readonly DeterministicRandom _epochStart;
        private readonly ParameterSet? _best;
        private readonly TrainingCheckpoint? _checkpoint;
        private EpochSums _sums = new();
        private int _epoch;
        private int _firstBatch;
        private long _step;
        private double _bestLoss = double.PositiveInfinity;
        private int _wait;
        private int _bestEpoch;
        private TimeSpan _carried;

        public Run(FitLoop<TInput, TTarget> loop, SequenceDataset<TInput, TTarget> train, int epochs, SequenceDataset<TInput, TTarget>? validation)
        {
            _loop = loop;
            _trainer = loop._trainer;
            _train = train;
            _validation = validation;
            _epochs = epochs;
            _shuffler = new DeterministicRandom(_trainer.Seed);
            _epochStart = new DeterministicRandom(_trainer.Seed);
            if (_trainer.EarlyStopping is { RestoreBestWeights: true })
            {
                ParameterSet parameters = _trainer.Model.Parameters;
                var shapes = new List<(string, int[])>();
                foreach (string name in parameters.Names)
                {
                    shapes.Add((name, parameters.GetShape(name)));
                }

                _best = new ParameterSet(shapes);
            }

            // The shuffler is saved as it was when the epoch began: a resumed epoch draws the same order again.
            _checkpoint = new TrainingCheckpoint(_trainer.Model, _trainer.Optimizer, _trainer.Schedule).AddRandom("shuffle", _epochStart);
            if (_best is not null)
            {
                _checkpoint.AddTensors("best", _best);
            }
        }

        public void Execute(IProgressSink sink)
        {
            IRnnModel model = _trainer.Model;
            bool training = model.Training;
            int batchSize = _trainer.BatchSize;
            int batches = _train.BatchCount(batchSize);
            var buffer = new BatchBuffer<TInput, TTarget>(_train, batchSize);
            try
            {
                while (_epoch < _epochs)
                {
                    var watch = Stopwatch.StartNew();
                    if (_firstBatch == 0)
                    {
                        _epochStart.SetState(_shuffler.GetState());
                    }
                    else
                    {
                        _shuffler.SetState(_epochStart.GetState());
                    }

                    int[] order = Shuffling.Order(_train.Count, _trainer.Shuffle ? _shuffler : null);
                    sink.EpochStarted(_epoch + 1, _epochs, batches, _firstBatch);
                    long sequences = 0;
                    for (int b = _firstBatch; b < batches && !_trainer.StopRequested; b++)
                    {
                        int start = b * batchSize, rows = Math.Min(batchSize, _train.Count - start);
                        double rate = _trainer.Optimizer.LearningRate;
                        (float loss, long positions, long correct) = _loop.TrainBatch(buffer.Fill(order, start, rows));
                        _sums.Add(loss, positions, correct);
                        _step++;
                        _trainer.GlobalStep = _step;
                        sequences += rows;
                        if (_trainer.CheckpointEvery > 0 && _step % _trainer.CheckpointEvery == 0)
                        {
                            Save(b + 1, _carried + watch.Elapsed);
                        }

                        foreach (ITrainingCallback callback in _trainer.Callbacks)
                        {
                            callback.OnBatchEnd(_trainer, new BatchResult(_epoch + 1, b, _step, rows, loss, rate));
                        }

                        sink.BatchEnded(b + 1, _sums.MeanLoss, sequences / Math.Max(watch.Elapsed.TotalSeconds, 1e-9));
                    }

                    bool stop = EndEpoch(sink, _carried + watch.Elapsed);
                    _carried = TimeSpan.Zero;
                    _firstBatch = 0;
                    _epoch++;
                    if (stop || _trainer.StopRequested)
                    {
                        break;
                    }
                }

                if (_best is not null && _bestEpoch > 0 && _trainer.History.Count > 0 && _bestEpoch != _trainer.History[^1].Epoch)
                {
                    model.Parameters.CopyFrom(_best);
                }
            }
            finally
            {
                model.Training = training;
            }
        }

        /// <summary>Validation, schedule, early stopping, history and callbacks; true when early stopping ends the run.</summary>
        private bool EndEpoch(IProgressSink sink, TimeSpan elapsed)
        {
            var watch = Stopwatch.StartNew();
            Metrics train = _sums.ToMetrics(_loop._classes, _loop._perplexity);
            Metrics? validation = _validation is null ? null : _loop.Evaluate(_validation);
            double rate = _trainer.Optimizer.LearningRate;
            double monitored = validation?.Loss ?? train.Loss;
            _trainer.Schedule?.Step(monitored);
            bool stop = false;
            if (_trainer.EarlyStopping is EarlyStopping early)
            {
                if (monitored < _bestLoss - early.MinDelta)
                {
                    _bestLoss = monitored;
                    _bestEpoch = _epoch + 1;
                    _wait = 0;
                    _best?.CopyFrom(_trainer.Model.Parameters);
                }
                else
                {
                    stop = ++_wait >= early.Patience;
                }
            }

            var result = new EpochResult(_epoch + 1, train, validation, rate, _step, elapsed + watch.Elapsed);
            _trainer.History.Add(result);
            sink.EpochEnded(result, _epochs);
            foreach (ITrainingCallback callback in _trainer.Callbacks)
            {
                callback.OnEpochEnd(_trainer, result);
            }

            _sums.Reset();
            return stop;
        }

        private void Save(int batchesDone, TimeSpan elapsed)
        {
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach ((string key, string value) in Configuration())
            {
                metadata[Prefix + key] = value;
            }

            metadata[Prefix + "epoch"] = Text(_epoch);
            metadata[Prefix + "batch"] = Text(batchesDone);
            metadata[Prefix + "best_loss"] = _bestLoss.ToString("R", CultureInfo.InvariantCulture);
            metadata[Prefix + "best_epoch"] = Text(_bestEpoch);
            metadata[Prefix + "wait"] = Text(_wait);
            metadata[Prefix + "elapsed"] = elapsed.Ticks.ToString(CultureInfo.InvariantCulture);
            metadata[Prefix + "history"] = WriteHistory(_trainer.History);
            _sums.Write(metadata, Prefix + "sums.");
            _checkpoint!.Save(_trainer.CheckpointPath!, _step, metadata);
        }

        public void Resume(string path)
        {
            // Everything is parsed and checked before the load, and the load checks the rest before it changes anything.
            var meta = new FitMetadata(TrainingCheckpoint.ReadInfo(path).Metadata, path);
            foreach ((string key, string value) in Configuration())
            {
                meta.RequireSame(Prefix + key, value, key.Replace('_', ' '));
            }

            int epoch = meta.Int(Prefix + "epoch");
            int batch = meta.Int(Prefix + "batch");
            if (epoch < 0 || batch < 0 || batch > _train.BatchCount(_trainer.BatchSize))
            {
                throw meta.Bad(Prefix + "epoch", "a position inside the training data");
            }

            double bestLoss = meta.Double(Prefix + "best_loss");
            int bestEpoch = meta.Int(Prefix + "best_epoch");
            int wait = meta.Int(Prefix + "wait");
            var elapsed = TimeSpan.FromTicks(meta.Long(Prefix + "elapsed"));
            List<EpochResult> history = ReadHistory(meta, meta.Text(Prefix + "history"));
            var sums = new EpochSums();
            sums.Read(meta, Prefix + "sums.");

            CheckpointInfo info = _checkpoint!.Load(path);
            _epoch = epoch;
            _firstBatch = batch;
            _step = info.Step;
            _bestLoss = bestLoss;
            _bestEpoch = bestEpoch;
            _wait = wait;
            _carried = elapsed;
            _sums = sums;
            _trainer.History.Clear();
            history.ForEach(_trainer.History.Add);
            _trainer.GlobalStep = _step;
        }

        /// <summary>What must be the same for a resumed run to continue exactly.</summary>
        private IEnumerable<(string Key, string Value)> Configuration()
        {
            yield return ("batch_size", Text(_trainer.BatchSize));
            yield return ("training_sequences", Text(_train.Count));
            yield return ("validation_sequences", _validation is null ? "none" : Text(_validation.Count));
            yield return ("shuffle", _trainer.Shuffle ? "true" : "false");
            yield return ("seed", _trainer.Seed.ToString(CultureInfo.InvariantCulture));
            yield return ("early_stopping", _trainer.EarlyStopping is EarlyStopping e
                ? string.Create(CultureInfo.InvariantCulture, $"patience {e.Patience}, min delta {e.MinDelta:R}, restore {e.RestoreBestWeights}")
                : "none");
        }

        private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);

        // One epoch per entry, ';' between entries: epoch|loss|accuracy|perplexity|val_loss|val_accuracy|val_perplexity|lr|steps|ticks.
        private static string WriteHistory(History history)
        {
            var text = new StringBuilder();
            foreach (EpochResult e in history)
            {
                if (text.Length > 0)
                {
                    text.Append(';');
                }

                text.Append(CultureInfo.InvariantCulture, $"{e.Epoch}|{R(e.Train.Loss)}|{R(e.Train.Accuracy)}|{R(e.Train.Perplexity)}|")
                    .Append(CultureInfo.InvariantCulture, $"{R(e.Validation?.Loss)}|{R(e.Validation?.Accuracy)}|{R(e.Validation?.Perplexity)}|")
                    .Append(CultureInfo.InvariantCulture, $"{R(e.LearningRate)}|{e.Steps}|{e.Duration.Ticks}");
            }

            return text.ToString();
        }

        private static List<EpochResult> ReadHistory(FitMetadata meta, string text)
        {
            var epochs = new List<EpochResult>();
            if (text.Length == 0)
            {
                return epochs;
            }

            foreach (string entry in text.Split(';'))
            {
                string[] f = entry.Split('|');
                if (f.Length != 10
                    || !int.TryParse(f[0], NumberStyles.None, CultureInfo.InvariantCulture, out int epoch)
                    || !long.TryParse(f[8], NumberStyles.None, CultureInfo.InvariantCulture, out long steps)
                    || !long.TryParse(f[9], NumberStyles.None, CultureInfo.InvariantCulture, out long ticks)
                    || meta.OptionalDouble(f[1]) is not double loss
                    || meta.OptionalDouble(f[7]) is not double rate)
                {
                    throw meta.Bad(Prefix + "history", "epochs as epoch|loss|accuracy|perplexity|val_loss|val_accuracy|val_perplexity|lr|steps|ticks");
                }

                var train = new Metrics(loss, meta.OptionalDouble(f[2]), meta.OptionalDouble(f[3]));
                Metrics? validation = meta.OptionalDouble(f[4]) is double validationLoss
                    ? new Metrics(validationLoss, meta.OptionalDouble(f[5]), meta.OptionalDouble(f[6]))
                    : null;
                epochs.Add(new EpochResult(epoch, train, validation, rate, steps, TimeSpan.FromTicks(ticks)));
            }

            return epochs;
        }

        private static string R(double? value) => value is double v ? v.ToString("R", CultureInfo.InvariantCulture) : "";
    }
}
