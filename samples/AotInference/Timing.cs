using System;
using System.Diagnostics;
using System.Globalization;

namespace AotInference;

/// <summary>
/// Times a call: warm-up, then batches of calls, reporting the median and range of wall time per call,
/// and the process's CPU time per call, which waiting for a busy machine's cores does not inflate.
/// </summary>
internal static class Timing
{
    private const int Batches = 20;

    public static string Measure(Action call, int repeat)
    {
        // At least a second of warm-up, so the JIT build is measured after tiered compilation has
        // recompiled the hot methods (it waits for 100 ms without new methods, then counts 30 calls).
        long warmUp = Stopwatch.GetTimestamp();
        int warmUpCalls = 0;
        while (warmUpCalls < 50 || Stopwatch.GetElapsedTime(warmUp).TotalSeconds < 1)
        {
            call();
            warmUpCalls++;
        }

        int perBatch = Math.Max(1, repeat / Batches);
        var perCall = new double[Batches];
        TimeSpan cpuStart = Environment.CpuUsage.TotalTime;
        for (int b = 0; b < Batches; b++)
        {
            long start = Stopwatch.GetTimestamp();
            for (int i = 0; i < perBatch; i++)
            {
                call();
            }

            perCall[b] = Stopwatch.GetElapsedTime(start).TotalMicroseconds / perBatch;
        }

        double cpuPerCall = (Environment.CpuUsage.TotalTime - cpuStart).TotalMicroseconds / (Batches * perBatch);
        Array.Sort(perCall);
        double median = (perCall[Batches / 2 - 1] + perCall[Batches / 2]) / 2;
        return string.Create(
            CultureInfo.InvariantCulture,
            $"Forward: median {median:F1} us per call (min {perCall[0]:F1}, max {perCall[^1]:F1}; {Batches} batches of {perBatch} calls after {warmUpCalls} warm-up calls); CPU time {cpuPerCall:F1} us per call");
    }
}
