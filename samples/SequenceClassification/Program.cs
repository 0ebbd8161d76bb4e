// Many-to-one classification of ragged sequences: a bidirectional GRU with ReturnSequences = false reads noisy
// signals of 16 to 48 steps and says which of five shapes (or none) each contains, wherever it is. Trained with
// Trainer.Fit on generated data with a validation split and early stopping; prints accuracy per epoch, then the
// test accuracy against chance, a confusion matrix and accuracy by length, and plots both.
//
//   dotnet run -c Release --project samples/SequenceClassification [-- --out DIR]
using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using RnnGen;
using RnnGen.Samples;
using RnnGen.Training;
using SequenceClassification;

string directory = args is ["--out", string chosen] ? chosen : Path.Combine("artifacts", "sequence-classification");
if (args.Length > 0 && args is not ["--out", _])
{
    Console.Error.WriteLine("usage: dotnet run -c Release --project samples/SequenceClassification [-- --out DIR]");
    return 2;
}

var clock = Stopwatch.StartNew();
const int MaxEpochs = 40;
var (train, validation) = Motifs.Generate(10000, seed: 1).Split(validationFraction: 0.2, shuffleSeed: 2);
SequenceDataset<float, int> test = Motifs.Generate(1800, seed: 3);   // drawn separately, never seen in training or early stopping
Console.WriteLine($"Task: which of {Motifs.ClassCount} classes ({string.Join(", ", Motifs.Names)}) a noisy signal of {Motifs.MinLength} to {Motifs.MaxLength} steps "
    + $"contains: an {Motifs.MotifLength}-step shape at a random place under noise of sd {Motifs.Noise.ToString(CultureInfo.InvariantCulture)}, or none.");
Console.WriteLine($"Data: {train.Count} training, {validation.Count} validation (a seeded random split), {test.Count} test sequences; ragged, right-padded with lengths.");

var model = new MotifClassifier(seed: 4);
var optimizer = new Adam(learningRate: 3e-3f);
var trainer = new Trainer(model, optimizer)
{
    Schedule = new ReduceLROnPlateau(optimizer, factor: 0.5, patience: 2),   // halves the rate when the validation loss stalls
    EarlyStopping = new EarlyStopping(patience: 5),   // on the validation loss; the best epoch's weights are restored
    ClipGradientNorm = 1f,
    Seed = 5,
    Progress = Console.IsOutputRedirected ? ProgressDisplay.None : ProgressDisplay.Bar,
};
trainer.Callbacks.Add(new EpochReport(MaxEpochs));
Console.WriteLine($"Model: bidirectional GRU(32), ReturnSequences = false -> Dense({Motifs.ClassCount}); {model.Parameters.TotalLength:N0} parameters; "
    + $"batch {MotifClassifier.BatchSize}, Adam 3e-3 halved on plateaus, up to {MaxEpochs} epochs with early stopping (patience 5).");
History history = trainer.Fit(train, MaxEpochs, validation);

EpochResult best = history.MinBy(e => e.Validation!.Loss)!;
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"Stopped after {history.Count} epochs; kept epoch {best.Epoch} (lowest validation loss {best.Validation!.Loss:F4}, accuracy {best.Validation.Accuracy:P1})."));

// The held-out test set: accuracy against chance, the confusion matrix, accuracy by length.
Metrics metrics = trainer.Evaluate(test);
ConfusionMatrix confusion = ConfusionMatrix.Measure(model, test);
int[] trainCounts = new int[Motifs.ClassCount];
for (int i = 0; i < train.Count; i++)
{
    trainCounts[train.GetTarget(i)[0]]++;
}

int most = Array.IndexOf(trainCounts, trainCounts.Max());
double majority = (double)Enumerable.Range(0, test.Count).Count(i => test.GetTarget(i)[0] == most) / test.Count;
Console.WriteLine();
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"Test: accuracy {confusion.Accuracy:P1} (loss {metrics.Loss:F4}); chance {1.0 / Motifs.ClassCount:P1}, always the most frequent training class {majority:P1}."));
Console.WriteLine(confusion.ToText(Motifs.Names));
Console.WriteLine("Accuracy by length (a shape in a longer sequence hides among more noise):");
foreach ((int from, int to) in new[] { (16, 26), (27, 37), (38, 48) })
{
    int[] rows = Enumerable.Range(0, confusion.Total).Where(i => confusion.Lengths[i] >= from && confusion.Lengths[i] <= to).ToArray();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"  {from}-{to} steps: {rows.Count(i => confusion.Correct[i]) / (double)rows.Length:P1} of {rows.Length}"));
}

Directory.CreateDirectory(directory);
string curves = Path.Combine(directory, "accuracy.png"), heatmap = Path.Combine(directory, "confusion.png"), examples = Path.Combine(directory, "examples.png");
double[] epochs = history.Select(e => (double)e.Epoch).ToArray();
LinePlot.Save(curves, string.Create(CultureInfo.InvariantCulture, $"Bidirectional GRU, motif classification: test accuracy {confusion.Accuracy:P1}"),
    "epoch", "accuracy",
    [
        new Curve("training (during the epoch)", epochs, history.Select(e => e.Train.Accuracy ?? double.NaN).ToArray(), Markers: true),
        new Curve("validation (after the epoch)", epochs, history.Select(e => e.Validation!.Accuracy ?? double.NaN).ToArray(), Markers: true),
    ],
    [
        new ReferenceLine(string.Create(CultureInfo.InvariantCulture, $"chance ({1.0 / Motifs.ClassCount:P1})"), 1.0 / Motifs.ClassCount),
        new ReferenceLine($"kept: epoch {best.Epoch} (lowest validation loss)", best.Epoch, Vertical: true),
    ],
    legend: ScottPlot.Alignment.LowerRight);
ConfusionPlot.Save(heatmap, confusion, Motifs.Names, string.Create(CultureInfo.InvariantCulture, $"Test confusion matrix ({test.Count} sequences, accuracy {confusion.Accuracy:P1})"));
ExamplesPlot.Save(examples, test);
File.WriteAllText(Path.Combine(directory, "history.csv"), history.ToCsv());
Console.WriteLine($"Wrote {examples}, {curves}, {heatmap} and {Path.Combine(directory, "history.csv")}.");

using Process self = Process.GetCurrentProcess();
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"Time: {clock.Elapsed.TotalSeconds:F0} s in all, {self.TotalProcessorTime.TotalSeconds:F0} s of CPU, {Environment.ProcessorCount} cores."));
return 0;
