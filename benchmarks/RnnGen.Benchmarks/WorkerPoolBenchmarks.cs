using System.Diagnostics;
using System.Threading;
using BenchmarkDotNet.Attributes;
using RnnGen.Kernels;

namespace RnnGen.Benchmarks;

/// <summary>
/// Dispatch cost of the kernels' worker pool at <see cref="RnnThreads.Count"/> = 2. One operation = one
/// <c>WorkerPool.Run</c> with two parts. <see cref="EmptyRun"/>: empty parts (the caller may take both when the
/// worker is slower to claim one). <see cref="RoundTrip"/>: part 0 waits until part 1 has started on the worker,
/// so each operation is a full fork-join with both threads (it gives up after 1 ms, when no second core is free).
/// </summary>
public class WorkerPoolBenchmarks
{
    private const int Dispatches = 1000;

    private readonly EmptyWork _empty = new();
    private readonly HandshakeWork _handshake = new();
    private int _previousThreads;

    [GlobalSetup]
    public void Setup()
    {
        _previousThreads = RnnThreads.Count;
        RnnThreads.Count = 2;
    }

    [GlobalCleanup]
    public void Cleanup() => RnnThreads.Count = _previousThreads;

    [Benchmark(OperationsPerInvoke = Dispatches)]
    public void EmptyRun()
    {
        for (int i = 0; i < Dispatches; i++)
        {
            WorkerPool.Run(_empty, 2);
        }
    }

    [Benchmark(OperationsPerInvoke = Dispatches)]
    public void RoundTrip()
    {
        for (int i = 0; i < Dispatches; i++)
        {
            _handshake.Started = 0;
            WorkerPool.Run(_handshake, 2);
        }
    }

    private sealed class EmptyWork : IParallelWork
    {
        public void Execute(int part, int parts)
        {
        }
    }

    private sealed class HandshakeWork : IParallelWork
    {
        public int Started;

        public void Execute(int part, int parts)
        {
            if (part != 0)
            {
                Volatile.Write(ref Started, 1);
                return;
            }

            long giveUp = Stopwatch.GetTimestamp() + (Stopwatch.Frequency / 1000);
            while (Volatile.Read(ref Started) == 0 && Stopwatch.GetTimestamp() < giveUp)
            {
                Thread.SpinWait(1);
            }
        }
    }
}
