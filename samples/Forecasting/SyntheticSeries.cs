using System;
using RnnGen;

namespace Forecasting;

/// <summary>
/// An hourly series with a slow upward trend, a daily and a weekly cycle and Gaussian noise:
/// <c>y(t) = 10 + 0.002 t + 2 sin(2πt/24) + sin(2πt/168) + 0.3 ε</c>.
/// </summary>
public static class SyntheticSeries
{
    /// <summary>The daily period in steps (hours); the seasonal-naive forecast repeats the value one period back.</summary>
    public const int Season = 24;

    /// <summary>The noise's standard deviation: no forecast can do better than its square, 0.09, in MSE.</summary>
    public const double NoiseStd = 0.3;

    public static float[] Generate(int length, ulong seed)
    {
        var random = new DeterministicRandom(seed);
        var series = new float[length];
        for (int t = 0; t < length; t++)
        {
            double value = 10 + (0.002 * t) + (2 * Math.Sin(2 * Math.PI * t / Season)) + Math.Sin(2 * Math.PI * t / (7 * Season));
            series[t] = (float)(value + (NoiseStd * random.NextNormal()));
        }

        return series;
    }
}
