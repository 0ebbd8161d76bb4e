// Forecasting with sliding windows: an hourly series (trend, daily and weekly cycles, noise) is cut into windows of its
// last 48 changes with SequenceDataset.Windows; an LSTM learns the next change with Fit (a validation split, early
// stopping, a plateau schedule). On the held-out tail it is compared with the naive last-value and seasonal-naive
// forecasts, and a plot shows the series, the forecasts and the baselines over the test range.
using System;
using System.Globalization;
using System.IO;
using System.Linq;
using Forecasting;
using RnnGen;
using RnnGen.Training;

bool quick = args.Contains("--quick");
int plotIndex = Array.IndexOf(args, "--plot");
string plotPath = Path.GetFullPath(plotIndex >= 0 && plotIndex + 1 < args.Length ? args[plotIndex + 1] : Path.Combine("artifacts", "forecasting", "forecasting.png"));
Directory.CreateDirectory(Path.GetDirectoryName(plotPath)!);
if (args.Where(a => a.StartsWith("--", StringComparison.Ordinal) && a is not "--quick" and not "--plot").Any())
{
    Console.Error.WriteLine("usage: Forecasting [--quick] [--plot artifacts/forecasting/forecasting.png]");
    return 2;
}

const int Length = 4000, TestLength = 800;
int testStart = Length - TestLength;
float[] series = SyntheticSeries.Generate(Length, seed: 11);

// The model works on changes, standardised with statistics of the part before the test range only.
float[] changes = new float[Length - 1];   // changes[i] = series[i + 1] - series[i]
for (int i = 0; i < changes.Length; i++)
{
    changes[i] = series[i + 1] - series[i];
}

double mean = changes[..(testStart - 1)].Average(c => (double)c);
double std = Math.Sqrt(changes[..(testStart - 1)].Average(c => (c - mean) * (c - mean)));
float[] standardised = changes.Select(c => (float)((c - mean) / std)).ToArray();

// Windows before the test range (the last 20 % of them for validation), and the windows whose targets are the
// changes into each test step: the one into series[t] is changes[t - 1], read after changes[t - 49 .. t - 2].
SequenceDataset<float, float> windows = SequenceDataset.Windows<float>(standardised.AsSpan(0, testStart - 1), features: 1, window: Forecast.Window);
(SequenceDataset<float, float> train, SequenceDataset<float, float> validation) = windows.Split(validationFraction: 0.2);
SequenceDataset<float, float> testWindows = SequenceDataset.Windows<float>(standardised.AsSpan(testStart - Forecast.Window - 1), features: 1, window: Forecast.Window);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"Series: {Length} hourly values, y = 10 + 0.002 t + 2 sin(2πt/24) + sin(2πt/168) + noise (σ = {SyntheticSeries.NoiseStd}); " +
    $"test range: the last {TestLength} steps (t = {testStart}..{Length - 1})."));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"Windows of {Forecast.Window} changes -> the next change: {train.Count} for training, {validation.Count} for validation (the latest), {testWindows.Count} in the test range. Model: LSTM(32) -> Dense(1)."));

var model = new ChangeForecaster(seed: 3);
var optimizer = new Adam(learningRate: 3e-3f);
var trainer = new Trainer(model, optimizer)
{
    Schedule = new ReduceLROnPlateau(optimizer, factor: 0.5, patience: 2),
    EarlyStopping = new EarlyStopping(patience: 5),   // restores the best epoch's weights
    ClipGradientNorm = 1f,
    Seed = 5,
};
History history = trainer.Fit(train, epochs: quick ? 2 : 40, validation);
EpochResult best = history.MinBy(e => e.Validation!.Loss)!;
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"Trained {history.Count} epochs{(quick ? " (--quick: a smoke run)" : "")}; best validation MSE {best.Validation!.Loss:F4} (standardised changes) at epoch {best.Epoch}."));

float[] actual = series[testStart..];
float[] forecast = Forecast.Model(model, testWindows, series, testStart, mean, std);
float[] lastValue = Forecast.LastValue(series, testStart);
float[] seasonal = Forecast.SeasonalNaive(series, testStart, SyntheticSeries.Season);
Console.WriteLine();
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"One-step-ahead forecasts over the {TestLength} test steps:"));
Console.WriteLine("forecast                          MSE      MAE");
foreach ((string name, float[] values) in new[] { ("LSTM", forecast), ("naive (last value)", lastValue), ("seasonal naive (24 h before)", seasonal) })
{
    (double mse, double mae) = Forecast.Errors(values, actual);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-30} {mse,7:F4}  {mae,7:F4}"));
}

Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"(the noise alone costs σ² = {SyntheticSeries.NoiseStd * SyntheticSeries.NoiseStd:F4} MSE, {SyntheticSeries.NoiseStd * Math.Sqrt(2 / Math.PI):F4} MAE: no forecast can do better on average)"));

ForecastPlot.Save(plotPath, series, validationStart: testStart - validation.Count, testStart, forecast, lastValue, seasonal, shownSteps: 7 * SyntheticSeries.Season);
Console.WriteLine();
Console.WriteLine($"Plot: {plotPath}");
return 0;
