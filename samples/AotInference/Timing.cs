using System;
using System.Diagnostics;
using System.Globalization;

namespace AotInference;

/// <summary>Times a call: warm-up, then batches of calls, reporting the median and range per call.</summary>
internal static class Timing
{
    private const int Batches = 20;

    public static string Measure(Action call, int repeat)
    {
        for (int i = 0; i < 50; i++)
        {
            call();
        }

        int perBatch = Math.Max(1, repeat / Batches);
        var perCall = new double[Batches];
        for (int b = 0; b < Batches; b++)
        {
            long start = Stopwatch.GetTimestamp();
            for (int i = 0; i < perBatch; i++)
            {
                call();
            }

            perCall[b] = Stopwatch.GetElapsedTime(start).TotalMicroseconds / perBatch;
        }

        Array.Sort(perCall);
        double median = (perCall[Batches / 2 - 1] + perCall[Batches / 2]) / 2;
        return string.Create(
            CultureInfo.InvariantCulture,
            $"Forward: median {median:F1} us per call (min {perCall[0]:F1}, max {perCall[^1]:F1}; {Batches} batches of {perBatch} calls after 50 warm-up calls)");
    }
}
