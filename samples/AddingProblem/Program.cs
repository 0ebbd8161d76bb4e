// The vanishing-gradient lesson of the seeds: the adding problem (Hochreiter & Schmidhuber 1997). A plain RNN,
// an LSTM (forget-gate bias 1) and a GRU each train with Fit on the same fresh data at two lengths; the table compares their test MSE with the trivial predictor's, and a plot shows the learning curves.
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using AddingProblem;
using RnnGen;

bool quick = args.Contains("--quick");
int outIndex = Array.IndexOf(args, "--plot");
string plotPath = Path.GetFullPath(outIndex >= 0 && outIndex + 1 < args.Length ? args[outIndex + 1] : Path.Combine("artifacts", "adding-problem", "adding-problem.png"));
Directory.CreateDirectory(Path.GetDirectoryName(plotPath)!);
if (args.Except(["--quick", "--plot"]).Any(a => a.StartsWith("--", StringComparison.Ordinal)))
{
    Console.Error.WriteLine("usage: AddingProblem [--quick] [--plot artifacts/adding-problem/adding-problem.png]");
    return 2;
}

Settings settings = quick ? Settings.Quick : Settings.Full;
Experiment[] experiments =
[
    new("SimpleRnn", 50, seed => new SimpleRnn50(seed)),
    new("LSTM (forget bias 1)", 50, seed => new Lstm50(seed)),
    new("GRU", 50, seed => new Gru50(seed)),
    new("SimpleRnn", 150, seed => new SimpleRnn150(seed)),
    new("LSTM (forget bias 1)", 150, seed => new Lstm150(seed)),
    new("GRU", 150, seed => new Gru150(seed)),
];

Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"Adding problem: {settings.TrainCount:N0} training, {settings.ValidationCount:N0} validation and {settings.TestCount:N0} test sequences per length; " +
    $"hidden size 32, batch 32, Adam {settings.LearningRate:G3}, gradient norm clipped at {settings.ClipNorm:G3}, {settings.Epochs} epochs{(quick ? " (--quick: a smoke run, too short to learn)" : "")}."));
Console.WriteLine($"Predicting 1 scores MSE 1/6 = {AddingData.BaselineMse:F4} in expectation.");
Console.WriteLine();

var results = new List<ExperimentResult>();
var total = Stopwatch.StartNew();
foreach (Experiment experiment in experiments)
{
    ExperimentResult result = experiment.Run(settings, dataSeed: (ulong)experiment.Length * 1000, modelSeed: 1);
    results.Add(result);
    int every = Math.Max(1, settings.Epochs / 5);
    string curve = string.Join(" ", Enumerable.Range(1, result.ValidationByEpoch.Count).Where(e => e % every == 0)
        .Select(e => string.Create(CultureInfo.InvariantCulture, $"{e}:{result.ValidationByEpoch[e - 1]:F4}")));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{experiment.Cell,-20} T = {experiment.Length,3}  validation MSE by epoch  {curve}  ({result.Duration.TotalSeconds:F1} s)"));
}

Console.WriteLine();
Console.WriteLine("  T  model                  test MSE   baseline MSE   fraction of baseline   val MSE < 10 % of baseline from");
foreach (ExperimentResult r in results)
{
    string solved = r.SolvedAtEpoch is int epoch ? $"epoch {epoch}" : "never";
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{r.Experiment.Length,3}  {r.Experiment.Cell,-20} {r.TestMse,9:F4}   {r.TestBaselineMse,12:F4}   {r.FractionOfBaseline,20:P1}   {solved}"));
}

LearningCurvePlot.Save(plotPath, results, settings);
Console.WriteLine();
using Process process = Process.GetCurrentProcess();   // CPU time beside wall time: the machine may be shared
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"Learning curves: {plotPath}  (total {total.Elapsed.TotalSeconds:F0} s wall, {process.TotalProcessorTime.TotalSeconds:F0} s CPU)"));
return 0;
