using System;
using System.Diagnostics;
using System.Globalization;

namespace RnnGen.Distributed.Worker;

/// <summary>
/// Measures the gradient all-reduce of a buffer the size of the main job's model (samples/CharLstm, 315,456
/// floats): split into 1 to 16 buckets, and overlapped with an optimizer step's worth of other work against
/// doing that work after it. Every sample starts after a barrier, so it times the collective, not the ranks'
/// skew. Run: mpirun -np 2 RnnGen.Distributed.Worker timing
/// </summary>
internal static class Timing
{
    private const int Length = 315_456;
    private const int Warmup = 20;
    private const int Samples = 200;

    public static int Run(DistributedContext context)
    {
        var parameters = new ParameterSet([("w", [Length])]);
        var gradients = new ParameterSet([("w", [Length])]);
        var random = new Random(context.Rank);
        foreach (ref float g in gradients.Data)
        {
            g = (float)random.NextDouble();
        }

        Report(context, "all-reduce of 2 doubles (loss and loss terms)", Time(context, () =>
        {
            Span<double> pair = [1, 2];
            context.AllReduceSum(pair);
        }));

        foreach (int buckets in new[] { 1, 2, 4, 8, 16 })
        {
            int bucketLength = ((Length + buckets - 1) / buckets + 15) & ~15;
            var parallel = new DataParallel(context, parameters, gradients, bucketLength: bucketLength);
            Report(context, $"AllReduceGradients, {parallel.BucketCount} bucket(s) of {bucketLength * 4:N0} bytes",
                Time(context, () => parallel.AllReduceGradients(1f, 1)));
        }

        Report(context, "MPI_Allreduce (blocking, no timeout) of the same buffer", Time(context, () => context.AllReduceSumWithoutTimeout(gradients.Data)));

        // Other work of a realistic size: an Adam step over another buffer of the same length.
        var other = new ParameterSet([("w", [Length])]);
        var otherGradients = new ParameterSet([("w", [Length])]);
        otherGradients.Data.Fill(1e-3f);
        var adam = new Adam();
        var dp = new DataParallel(context, parameters, gradients);
        Report(context, "work alone (Adam step over 315,456 floats)", Time(context, () => adam.Step(other, otherGradients)));
        Report(context, "all-reduce, then the work", Time(context, () =>
        {
            dp.AllReduceGradients(1f, 1);
            adam.Step(other, otherGradients);
        }));
        var requests = new nint[dp.BucketCount];
        Report(context, "all-reduce started, the work, then waited for", Time(context, () =>
        {
            dp.WeightGradients(1f, 1);
            int started = dp.StartGradientReduce(requests);
            adam.Step(other, otherGradients);
            dp.WaitGradientReduce(requests.AsSpan(0, started));
        }));
        return 0;
    }

    private static double[] Time(DistributedContext context, Action action)
    {
        var samples = new double[Samples];
        for (int i = -Warmup; i < Samples; i++)
        {
            context.Barrier();
            long start = Stopwatch.GetTimestamp();
            action();
            double microseconds = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
            if (i >= 0)
            {
                samples[i] = microseconds;
            }
        }

        Array.Sort(samples);
        return samples;
    }

    private static void Report(DistributedContext context, string what, double[] sorted)
    {
        if (context.IsRoot)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"[rank 0 of {context.Size}] {what}: median {sorted[Samples / 2],8:F1} µs, p10 {sorted[Samples / 10],8:F1}, p90 {sorted[Samples * 9 / 10],8:F1}"));
        }
    }
}
