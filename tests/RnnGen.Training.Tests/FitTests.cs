using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Spectre.Console.Testing;
using Xunit;

namespace RnnGen.Training.Tests;

public sealed class FitTests
{
    [Fact]
    public void FitIsExactlyTheHandWrittenLoop()
    {
        SequenceDataset<float, float> data = TestData.Sums(10, 1);
        var model = new SumRegressor(seed: 4);
        var trainer = new Trainer(model, new Adam(0.01f)) { Seed = 9, Progress = ProgressDisplay.None };
        var losses = new List<float>();
        trainer.Callbacks.Add(TrainingCallback.OnBatchEnd((_, b) => losses.Add(b.Loss)));
        History history = trainer.Fit(data, epochs: 2);

        var manual = new SumRegressor(seed: 4) { Training = true };
        var optimizer = new Adam(0.01f);
        var shuffler = new DeterministicRandom(9);
        var manualLosses = new List<float>();
        for (int epoch = 0; epoch < 2; epoch++)
        {
            foreach (SequenceBatch<float, float> batch in data.Batches(4, shuffler))
            {
                manual.Forward(batch.Inputs, new float[batch.Rows]);
                manualLosses.Add(manual.Loss(batch.Targets));
                manual.ZeroGradients();
                manual.Backward();
                optimizer.Step(manual.Parameters, manual.Gradients);
            }
        }

        Assert.Equal(manualLosses.Select(BitConverter.SingleToInt32Bits), losses.Select(BitConverter.SingleToInt32Bits));
        Assert.Equal(TestData.Bits(manual.Parameters.ReadOnlyData), TestData.Bits(model.Parameters.ReadOnlyData));
        Assert.Equal(6, trainer.GlobalStep);
        Assert.Equal(2, history.Count);
        Assert.False(model.Training);   // restored

        // The epoch's loss is the mean over its sequences: batches weighted by their rows (4, 4, 2).
        double expected = (manualLosses[3] * 4.0 + manualLosses[4] * 4.0 + manualLosses[5] * 2.0) / 10;
        Assert.Equal(expected, history[1].Train.Loss, 12);
        Assert.Null(history[1].Train.Accuracy);
        Assert.Equal(6, history[1].Steps);
    }

    [Fact]
    public void AResumedFitContinuesExactlyLikeAnUninterruptedOne()
    {
        using var folder = new TemporaryDirectory();
        SequenceDataset<float, float> train = TestData.Sums(10, 1), validation = TestData.Sums(5, 2);
        (Trainer Trainer, List<float> Losses) Create(int seed, string path)
        {
            var model = new SumRegressor(seed);
            var optimizer = new Adam(0.02f);
            var trainer = new Trainer(model, optimizer)
            {
                Schedule = new StepLR(optimizer, stepSize: 1, gamma: 0.7),
                EarlyStopping = new EarlyStopping(patience: 2),
                ClipGradientNorm = 1f,
                Seed = 5,
                CheckpointPath = path,
                CheckpointEvery = 5,
                Progress = ProgressDisplay.None,
            };
            var losses = new List<float>();
            trainer.Callbacks.Add(TrainingCallback.OnBatchEnd((_, b) => losses.Add(b.Loss)));
            return (trainer, losses);
        }

        (Trainer straight, List<float> straightLosses) = Create(seed: 3, folder.File("straight.safetensors"));
        History straightHistory = straight.Fit(train, epochs: 4, validation);

        // A run that dies after step 7: its last checkpoint is from step 5, in the middle of epoch 2.
        string path = folder.File("crashed.safetensors");
        (Trainer crashed, _) = Create(seed: 3, path);
        crashed.Callbacks.Add(TrainingCallback.OnBatchEnd((t, b) =>
        {
            if (b.Step == 7)
            {
                t.StopTraining();
            }
        }));
        crashed.Fit(train, epochs: 4, validation);
        Assert.Equal(5, TrainingCheckpoint.ReadInfo(path).Step);

        (Trainer resumed, List<float> resumedLosses) = Create(seed: 77, folder.File("resumed.safetensors"));
        History resumedHistory = resumed.Fit(train, epochs: 4, validation, resumeFrom: path);

        Assert.Equal(straightLosses.Skip(5).Select(BitConverter.SingleToInt32Bits), resumedLosses.Select(BitConverter.SingleToInt32Bits));
        Assert.Equal(TestData.Bits(straight.Model.Parameters.ReadOnlyData), TestData.Bits(resumed.Model.Parameters.ReadOnlyData));
        Assert.Equal(straight.GlobalStep, resumed.GlobalStep);
        Assert.Equal(straightHistory.Count, resumedHistory.Count);
        for (int i = 0; i < straightHistory.Count; i++)
        {
            Assert.Equal(straightHistory[i] with { Duration = TimeSpan.Zero }, resumedHistory[i] with { Duration = TimeSpan.Zero });
        }
    }

    [Fact]
    public void AResumeWithAnotherSetupIsRefusedAndChangesNothing()
    {
        using var folder = new TemporaryDirectory();
        SequenceDataset<float, float> train = TestData.Sums(10, 1);
        string path = folder.File("run.safetensors");
        var first = new Trainer(new SumRegressor(1), new Adam()) { CheckpointPath = path, CheckpointEvery = 2, Progress = ProgressDisplay.None };
        first.Fit(train, epochs: 1);

        var model = new SumRegressor(2);
        float[] before = model.Parameters.ReadOnlyData.ToArray();
        var other = new Trainer(model, new Adam()) { BatchSize = 3, Progress = ProgressDisplay.None };
        var e = Assert.Throws<InvalidDataException>(() => other.Fit(train, epochs: 2, resumeFrom: path));
        Assert.Contains("batch size 4", e.Message, StringComparison.Ordinal);
        Assert.Equal(before, model.Parameters.ReadOnlyData.ToArray());

        var withSchedule = new Trainer(model, new Adam()) { Progress = ProgressDisplay.None };
        withSchedule.Schedule = new StepLR(withSchedule.Optimizer, 1);
        e = Assert.Throws<InvalidDataException>(() => withSchedule.Fit(train, epochs: 2, resumeFrom: path));
        Assert.Contains("schedule", e.Message, StringComparison.Ordinal);
        Assert.Equal(before, model.Parameters.ReadOnlyData.ToArray());
    }

    [Fact]
    public void EarlyStoppingStopsAndRestoresTheBestWeights()
    {
        // Validation wants the opposite of training, so its loss rises once training takes hold.
        SequenceDataset<float, float> train = TestData.Sums(16, 1);
        float[] inputs = Enumerable.Range(0, 16).SelectMany(i => train.GetInput(i).ToArray()).ToArray();
        float[] opposite = Enumerable.Range(0, 16).Select(i => -train.GetTarget(i)[0]).ToArray();
        var validation = new SequenceDataset<float, float>(inputs, opposite, 16);

        var model = new SumRegressor(seed: 2);
        var trainer = new Trainer(model, new Adam(0.02f)) { EarlyStopping = new EarlyStopping(patience: 2), Progress = ProgressDisplay.None };
        var weights = new List<float[]>();
        trainer.Callbacks.Add(TrainingCallback.OnEpochEnd((t, _) => weights.Add(t.Model.Parameters.ReadOnlyData.ToArray())));
        History history = trainer.Fit(train, epochs: 40, validation);

        int best = history.Select((e, i) => (e.Validation!.Loss, i)).Min().i;
        Assert.Equal(best + 1 + 2, history.Count);   // two epochs without improvement, then stop
        Assert.True(history.Count < 40);
        Assert.Equal(weights[best], model.Parameters.ReadOnlyData.ToArray());
        Assert.NotEqual(weights[^1], model.Parameters.ReadOnlyData.ToArray());
    }

    [Fact]
    public void ReduceLROnPlateauFollowsTheValidationLoss()
    {
        SequenceDataset<float, float> train = TestData.Sums(16, 1);
        float[] inputs = Enumerable.Range(0, 16).SelectMany(i => train.GetInput(i).ToArray()).ToArray();
        float[] opposite = Enumerable.Range(0, 16).Select(i => -train.GetTarget(i)[0]).ToArray();
        var validation = new SequenceDataset<float, float>(inputs, opposite, 16);
        var optimizer = new Adam(0.02f);
        var trainer = new Trainer(new SumRegressor(seed: 2), optimizer)
        {
            Schedule = new ReduceLROnPlateau(optimizer, factor: 0.5, patience: 0),
            Progress = ProgressDisplay.None,
        };
        History history = trainer.Fit(train, epochs: 6, validation);
        for (int i = 1; i < history.Count; i++)
        {
            bool improved = history[i - 1].Validation!.Loss < history.Take(i - 1).Select(e => e.Validation!.Loss).DefaultIfEmpty(double.PositiveInfinity).Min() * (1 - 1e-4);
            Assert.Equal(improved ? history[i - 1].LearningRate : history[i - 1].LearningRate * 0.5, history[i].LearningRate, 6);
        }

        Assert.True(history[^1].LearningRate < 0.02 * 0.25);
    }

    [Fact]
    public void ClassifierLearnsRaggedSequencesAndEvaluateMatchesAHandCount()
    {
        SequenceDataset<float, int> all = TestData.MaxFeature(96, 3);
        (var train, var validation) = all.Split(0.25, shuffleSeed: 1);
        var model = new MaxFeatureClassifier(seed: 1);
        var trainer = new Trainer(model, new Adam(0.02f)) { Progress = ProgressDisplay.None };
        History history = trainer.Fit(train, epochs: 25, validation);
        Assert.True(history[^1].Train.Accuracy > 0.8, $"training accuracy {history[^1].Train.Accuracy}");
        Assert.True(history[^1].Validation!.Accuracy > 0.7, $"validation accuracy {history[^1].Validation!.Accuracy}");
        Assert.Null(history[^1].Train.Perplexity);

        Metrics measured = trainer.Evaluate(validation);
        Assert.Equal(history[^1].Validation, measured);
        double loss = 0;
        int correct = 0;
        foreach (SequenceBatch<float, int> batch in validation.Batches(8))
        {
            var output = new float[batch.Rows * 3];
            model.Forward(batch.Inputs, output, batch.Lengths);
            loss += (double)model.Loss(batch.Targets) * batch.Rows;
            for (int r = 0; r < batch.Rows; r++)
            {
                correct += Logits.ArgMax(output.AsSpan(r * 3, 3)) == batch.Targets[r] ? 1 : 0;
            }
        }

        Assert.Equal(loss / validation.Count, measured.Loss, 12);
        Assert.Equal((double)correct / validation.Count, measured.Accuracy);
    }

    [Fact]
    public void LanguageModelReportsPerplexityAndSkipsIgnoredTargets()
    {
        SequenceDataset<int, int> windows = TestData.Pattern(200);
        // Blank every target "1" with the ignore index 0: the model's loss skips them, so must the metrics.
        int n = windows.Count;
        int[] inputs = Enumerable.Range(0, n).SelectMany(i => windows.GetInput(i).ToArray()).ToArray();
        int[] targets = Enumerable.Range(0, n).SelectMany(i => windows.GetTarget(i).ToArray()).Select(t => t == 1 ? 0 : t).ToArray();
        var data = new SequenceDataset<int, int>(inputs, targets, n);
        var model = new TinyLanguageModel(seed: 1);
        var trainer = new Trainer(model, new Adam(0.05f)) { Progress = ProgressDisplay.None };
        History history = trainer.Fit(data, epochs: 6);
        Assert.True(history[^1].Train.Loss < history[0].Train.Loss / 4, $"{history[0].Train.Loss} -> {history[^1].Train.Loss}");

        Metrics metrics = trainer.Evaluate(data);
        Assert.Equal(Math.Exp(metrics.Loss), metrics.Perplexity!.Value, 12);
        int counted = 0, correct = 0;
        foreach (SequenceBatch<int, int> batch in data.Batches(4))
        {
            var output = new float[batch.Rows * 8 * 5];
            model.Forward(batch.Inputs, output);
            for (int p = 0; p < batch.Rows * 8; p++)
            {
                if (batch.Targets[p] != 0)
                {
                    counted++;
                    correct += Logits.ArgMax(output.AsSpan(p * 5, 5)) == batch.Targets[p] ? 1 : 0;
                }
            }
        }

        Assert.Equal(3 * n * 8 / 4, counted, tolerance: n);   // about a quarter of the targets are ignored
        Assert.Equal((double)correct / counted, metrics.Accuracy);
        Assert.True(metrics.Accuracy > 0.9);
    }

    [Fact]
    public void CheckFiniteStopsOnANaNLossBeforeTheOptimizerSteps()
    {
        float[] targets = new float[8];
        targets[1] = float.NaN;
        var data = new SequenceDataset<float, float>(TestData.Uniform(8 * 10, 1), targets, 8);
        var model = new SumRegressor(seed: 1);
        float[] before = model.Parameters.ReadOnlyData.ToArray();
        var trainer = new Trainer(model, new Adam()) { CheckFinite = true, Shuffle = false, Progress = ProgressDisplay.None };
        var e = Assert.Throws<NonFiniteException>(() => trainer.Fit(data, epochs: 1));
        Assert.Equal("Loss", e.SetName);
        Assert.Equal(before, model.Parameters.ReadOnlyData.ToArray());
        Assert.Equal(0, trainer.GlobalStep);
    }

    [Fact]
    public void CheckFiniteNamesTheGradientTensor()
    {
        // A NaN gradient with a finite loss: Backward adds FinalStateGradient (a decoder's, say) into the recurrence.
        float[] inputs = TestData.Uniform(8 * 10, 1);
        var data = new SequenceDataset<float, float>(inputs, new float[8], 8);
        var model = new SumRegressor(seed: 1);
        model.FinalStateGradient.Data[0] = float.NaN;
        float[] before = model.Parameters.ReadOnlyData.ToArray();
        var trainer = new Trainer(model, new Adam()) { CheckFinite = true, Shuffle = false, Progress = ProgressDisplay.None };
        var e = Assert.Throws<NonFiniteException>(() => trainer.Fit(data, epochs: 1));
        Assert.Equal("Gradients", e.SetName);
        Assert.Equal("rnn.weight_ih_l0", e.TensorName);
        Assert.Contains("'rnn.weight_ih_l0'", e.Message, StringComparison.Ordinal);
        Assert.Equal(before, model.Parameters.ReadOnlyData.ToArray());

        // Without the check the optimizer steps on it and the weights are NaN.
        new Trainer(model, new Adam()) { Shuffle = false, Progress = ProgressDisplay.None }.Fit(data, epochs: 1);
        Assert.True(NonFinite.TryFind(model.Parameters, out _, out _));
    }

    [Fact]
    public void ACallbackCanStopTraining()
    {
        var trainer = new Trainer(new SumRegressor(1), new Adam()) { Progress = ProgressDisplay.None };
        trainer.Callbacks.Add(TrainingCallback.OnBatchEnd((t, b) =>
        {
            if (b.Step == 2)
            {
                t.StopTraining();
            }
        }));
        History history = trainer.Fit(TestData.Sums(10, 1), epochs: 5);
        Assert.Equal(2, trainer.GlobalStep);
        Assert.Single(history);

        // A new Fit starts afresh.
        trainer.Callbacks.Clear();
        Assert.Equal(2, trainer.Fit(TestData.Sums(10, 1), epochs: 2).Count);
        Assert.Equal(6, trainer.GlobalStep);
    }

    [Fact]
    public void ProgressShowsABarOrOneLinePerEpoch()
    {
        var console = new TestConsole().Interactive().Width(160);
        var trainer = new Trainer(new SumRegressor(1), new Adam()) { Progress = ProgressDisplay.Bar, Console = console };
        trainer.Fit(TestData.Sums(10, 1), epochs: 2, TestData.Sums(4, 2));
        Assert.Contains("Epoch 2/2: loss ", console.Output, StringComparison.Ordinal);
        Assert.Contains("val_loss", console.Output, StringComparison.Ordinal);
        Assert.Contains("100%", console.Output, StringComparison.Ordinal);

        var lines = new StringWriter();
        trainer = new Trainer(new TinyLanguageModel(1), new Adam()) { Progress = ProgressDisplay.EpochLines, Lines = lines };
        trainer.Fit(TestData.Pattern(60), epochs: 2);
        string[] written = lines.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, written.Length);
        Assert.StartsWith("Epoch 1/2: loss ", written[0], StringComparison.Ordinal);
        Assert.Contains(", accuracy ", written[1], StringComparison.Ordinal);
        Assert.Contains(", perplexity ", written[1], StringComparison.Ordinal);
    }

    [Fact]
    public void DataThatDoesNotFitTheModelIsRefusedWithTheExpectedShape()
    {
        var trainer = new Trainer(new SumRegressor(1), new Adam()) { Progress = ProgressDisplay.None };
        var e = Assert.Throws<ArgumentException>(() => trainer.Fit(new SequenceDataset<float, float>(new float[12], new float[2], 2), 1));
        Assert.Contains("[T, I] = [5, 2] = 10", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => trainer.Fit(new SequenceDataset<float, float>(new float[20], new float[4], 2), 1));
        Assert.Contains("[O] = [1]", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => trainer.Fit(new SequenceDataset<float, int>(new float[20], new int[2], 2), 1));
        Assert.Contains("no loss over Int32 targets", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => trainer.Fit(TestData.Pattern(40), 1));
        Assert.Contains("float features", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => new Trainer(new MaxFeatureClassifier(1), new Adam()).Fit(
            new SequenceDataset<float, int>(new float[36], new int[2], 2, [6, 7]), 1));
        Assert.Contains("length 7", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => trainer.BatchSize = 5);
        Assert.Throws<InvalidOperationException>(() => new Trainer(new SumRegressor(1), new Adam()) { CheckpointEvery = 3 }.Fit(TestData.Sums(4, 1), 1));
    }
}
