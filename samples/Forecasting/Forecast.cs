using System;
using RnnGen.Training;

namespace Forecasting;

/// <summary>One-step-ahead forecasts from a series' changes, and the errors that compare them.</summary>
public static class Forecast
{
    /// <summary>Past changes the model reads: two days of hours.</summary>
    public const int Window = 48;

    /// <summary>
    /// The model's forecast of <c>series[t]</c> for every t in [<paramref name="from"/>, series.Length), each from the
    /// true values before t: the last value plus the predicted change (standardised changes come back through
    /// <paramref name="mean"/> and <paramref name="std"/>).
    /// </summary>
    /// <param name="windows">The windows of standardised changes whose targets are the changes into each t, in order.</param>
    public static float[] Model(ChangeForecaster model, SequenceDataset<float, float> windows, ReadOnlySpan<float> series, int from, double mean, double std)
    {
        if (windows.Count != series.Length - from)
        {
            throw new ArgumentException($"windows has {windows.Count} windows; forecasting steps {from} to {series.Length - 1} needs {series.Length - from}.", nameof(windows));
        }

        bool training = model.Training;
        model.Training = false;
        var output = new float[ChangeForecaster.BatchSize];
        var forecasts = new float[windows.Count];
        int t = 0;
        foreach (SequenceBatch<float, float> batch in windows.Batches(ChangeForecaster.BatchSize))
        {
            model.Forward(batch.Inputs, output.AsSpan(0, batch.Rows));
            for (int r = 0; r < batch.Rows; r++, t++)
            {
                forecasts[t] = (float)(series[from + t - 1] + mean + (std * output[r]));
            }
        }

        model.Training = training;
        return forecasts;
    }

    /// <summary>The naive forecast: each value is the one before it.</summary>
    public static float[] LastValue(ReadOnlySpan<float> series, int from) => series[(from - 1)..^1].ToArray();

    /// <summary>The seasonal-naive forecast: each value is the one a season before it.</summary>
    public static float[] SeasonalNaive(ReadOnlySpan<float> series, int from, int season) => series[(from - season)..^season].ToArray();

    /// <summary>Mean squared and mean absolute error of <paramref name="forecast"/> against <paramref name="actual"/>.</summary>
    public static (double Mse, double Mae) Errors(ReadOnlySpan<float> forecast, ReadOnlySpan<float> actual)
    {
        double squared = 0, absolute = 0;
        for (int i = 0; i < actual.Length; i++)
        {
            double error = forecast[i] - actual[i];
            squared += error * error;
            absolute += Math.Abs(error);
        }

        return (squared / actual.Length, absolute / actual.Length);
    }
}
