using System;
using System.Collections.Generic;
using System.Diagnostics;
using RnnGen;
using RnnGen.Training;

namespace AddingProblem;

/// <summary>One row of the comparison: a cell at a length, built by <see cref="Create"/>.</summary>
/// <param name="Cell">How the table names the model.</param>
/// <param name="Length">Its sequence length T.</param>
/// <param name="Create">A fresh model from a seed.</param>
public sealed record Experiment(string Cell, int Length, Func<int, IRnnModel> Create)
{
    /// <summary>Trains a fresh model with <see cref="Trainer.Fit"/> on fresh data and measures it on a fresh test set.</summary>
    public ExperimentResult Run(Settings settings, ulong dataSeed, int modelSeed)
    {
        // The same sequences for every cell at a length: train, validation and test drawn from separate seeds.
        SequenceDataset<float, float> train = AddingData.Generate(settings.TrainCount, Length, dataSeed);
        SequenceDataset<float, float> validation = AddingData.Generate(settings.ValidationCount, Length, dataSeed + 1);
        SequenceDataset<float, float> test = AddingData.Generate(settings.TestCount, Length, dataSeed + 2);

        IRnnModel model = Create(modelSeed);
        var trainer = new Trainer(model, new Adam(settings.LearningRate))
        {
            ClipGradientNorm = settings.ClipNorm,
            Seed = dataSeed,
            Progress = ProgressDisplay.None,   // Program prints one summary line per experiment instead
        };

        int batchesPerEpoch = train.BatchCount(trainer.BatchSize);
        var curve = new List<(double, double)>();
        double smoothed = double.NaN;
        trainer.Callbacks.Add(TrainingCallback.OnBatchEnd((_, batch) =>
        {
            smoothed = double.IsNaN(smoothed) ? batch.Loss : (0.95 * smoothed) + (0.05 * batch.Loss);
            curve.Add((batch.Epoch - 1 + ((batch.Batch + 1.0) / batchesPerEpoch), smoothed));
        }));

        var clock = Stopwatch.StartNew();
        History history = trainer.Fit(train, settings.Epochs, validation);
        Metrics metrics = trainer.Evaluate(test);
        clock.Stop();

        var validationByEpoch = new List<double>();
        int? solvedAt = null;
        foreach (EpochResult epoch in history)
        {
            double loss = epoch.Validation!.Loss;
            validationByEpoch.Add(loss);
            if (solvedAt is null && loss < 0.1 * AddingData.BaselineMse)
            {
                solvedAt = epoch.Epoch;
            }
        }

        return new ExperimentResult(this, metrics.Loss, AddingData.ConstantPredictorMse(test), curve, validationByEpoch, solvedAt, clock.Elapsed);
    }
}
