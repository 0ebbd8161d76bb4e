using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using RnnGen.Kernels;
using Xunit;

namespace RnnGen.Tests.Threading;

[Collection(ThreadCountCollection.Name)]
public sealed class WorkerPoolTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void EveryPartRunsExactlyOnceAndPartZeroOnTheCaller(int threads)
    {
        using var scope = new ThreadCountScope(threads);
        foreach (int parts in new[] { 0, 1, 2, 3, 5, 8, 64, 1000 })
        {
            for (int repeat = 0; repeat < 20; repeat++)
            {
                var work = new RecordingWork(parts);
                WorkerPool.Run(work, parts);
                work.AssertEachPartRanOnce();
                if (parts > 0)
                {
                    Assert.Equal(Environment.CurrentManagedThreadId, work.ThreadOf[0]);
                }
            }
        }
    }

    [Fact]
    public void CountOfOneRunsEverythingOnTheCaller()
    {
        using var scope = new ThreadCountScope(1);
        Assert.Equal(1, WorkerPool.Available);
        var work = new RecordingWork(16);
        WorkerPool.Run(work, 16);
        work.AssertEachPartRanOnce();
        Assert.All(work.ThreadOf, id => Assert.Equal(Environment.CurrentManagedThreadId, id));
    }

    [Fact]
    public void UsesNoMoreThreadsThanTheCount()
    {
        // Grow the pool to 4 threads first, then shrink the count: the extra workers must stay out.
        using var scope = new ThreadCountScope(4);
        RunSlowParts(8);
        RnnThreads.Count = 2;
        for (int repeat = 0; repeat < 5; repeat++)
        {
            RecordingWork work = RunSlowParts(8);
            Assert.True(work.DistinctThreads() <= 2, $"{work.DistinctThreads()} threads ran parts with Count = 2");
        }
    }

    [Fact]
    public void SingleExceptionIsRethrownUnchangedAfterAllPartsRan()
    {
        using var scope = new ThreadCountScope(2);
        foreach (int failing in new[] { 0, 1, 6 })
        {
            var work = new RecordingWork(7) { Failing = [failing] };
            var e = Assert.Throws<InvalidOperationException>(() => WorkerPool.Run(work, 7));
            Assert.Equal($"part {failing}", e.Message);
            work.AssertEachPartRanOnce();
        }

        // The pool is still usable afterwards.
        var ok = new RecordingWork(4);
        WorkerPool.Run(ok, 4);
        ok.AssertEachPartRanOnce();
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void SeveralExceptionsAreAggregatedInPartOrder(int threads)
    {
        using var scope = new ThreadCountScope(threads);
        var work = new RecordingWork(9) { Failing = [7, 2, 4] };
        var e = Assert.Throws<AggregateException>(() => WorkerPool.Run(work, 9));
        Assert.Equal(["part 2", "part 4", "part 7"], e.InnerExceptions.Select(x => x.Message));
        work.AssertEachPartRanOnce();
    }

    [Fact]
    public void NestedRunsRunSeriallyOnThePartsThread()
    {
        using var scope = new ThreadCountScope(3);
        var outer = new NestingWork();
        WorkerPool.Run(outer, 6);
        Assert.All(outer.InnerAvailable, available => Assert.Equal(1, available));
        for (int p = 0; p < 6; p++)
        {
            outer.Inner[p].AssertEachPartRanOnce();
            Assert.All(outer.Inner[p].ThreadOf, id => Assert.Equal(outer.OuterThread[p], id));
        }

        Assert.True(WorkerPool.Available == 3, "Available is restored after the dispatch");
    }

    [Fact]
    public void ConcurrentCallersAllFinish()
    {
        using var scope = new ThreadCountScope(2);
        const int Callers = 4, Dispatches = 300;
        var threads = new Thread[Callers];
        var failures = new Exception?[Callers];
        for (int t = 0; t < Callers; t++)
        {
            int caller = t;
            threads[t] = new Thread(() =>
            {
                try
                {
                    for (int i = 0; i < Dispatches; i++)
                    {
                        int parts = 1 + ((i + caller) % 5);
                        var work = new RecordingWork(parts);
                        WorkerPool.Run(work, parts);
                        work.AssertEachPartRanOnce();
                        Assert.Equal(Environment.CurrentManagedThreadId, work.ThreadOf[0]);
                    }
                }
                catch (Exception e)
                {
                    failures[caller] = e;
                }
            });
            threads[t].Start();
        }

        foreach (Thread thread in threads)
        {
            Assert.True(thread.Join(Deadline), "concurrent dispatches did not finish (deadlock?)");
        }

        Assert.All(failures, Assert.Null);
    }

    [Fact]
    public void BackToBackDispatchesAllocateNothing()
    {
        using var scope = new ThreadCountScope(2);
        var work = new CountingWork();
        for (int i = 0; i < 1000; i++)
        {
            WorkerPool.Run(work, 2); // warm up: starts the worker and tiers up
        }

        // One-time allocations (the JIT tiering up, a wait handle made the first time the caller blocks on a
        // loaded machine) can land in any one window; an allocation per dispatch shows up in every window.
        long allocated = long.MaxValue;
        int rounds = 0;
        for (; rounds < 3 && allocated != 0; rounds++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 10_000; i++)
            {
                WorkerPool.Run(work, 2);
                WorkerPool.Run(work, 3);
            }

            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        }

        Assert.Equal(0, allocated);
        Assert.Equal((1000 * 2) + (rounds * 10_000 * 5), work.Count);
    }

    [Fact]
    public void WorkersWakeUpAfterSleeping()
    {
        using var scope = new ThreadCountScope(2);
        WorkerPool.Run(new RecordingWork(2), 2);

        // Long enough for an idle worker to stop spinning and block; the next parts must still run.
        Thread.Sleep(20);
        RecordingWork work = RunSlowParts(2);
        work.AssertEachPartRanOnce();
    }

    private static RecordingWork RunSlowParts(int parts)
    {
        var work = new RecordingWork(parts) { SpinMicroseconds = 300 };
        WorkerPool.Run(work, parts);
        work.AssertEachPartRanOnce();
        return work;
    }

    private sealed class RecordingWork(int parts) : IParallelWork
    {
        private readonly int[] _runs = new int[parts];

        public int[] ThreadOf { get; } = new int[parts];

        public int[] Failing { get; init; } = [];

        public int SpinMicroseconds { get; init; }

        public void Execute(int part, int parts)
        {
            Assert.Equal(_runs.Length, parts);
            Interlocked.Increment(ref _runs[part]);
            ThreadOf[part] = Environment.CurrentManagedThreadId;
            if (SpinMicroseconds > 0)
            {
                long end = Stopwatch.GetTimestamp() + (Stopwatch.Frequency * SpinMicroseconds / 1_000_000);
                while (Stopwatch.GetTimestamp() < end)
                {
                    Thread.SpinWait(10);
                }
            }

            if (Array.IndexOf(Failing, part) >= 0)
            {
                throw new InvalidOperationException($"part {part}");
            }
        }

        public void AssertEachPartRanOnce()
        {
            for (int p = 0; p < _runs.Length; p++)
            {
                Assert.True(_runs[p] == 1, $"part {p} of {_runs.Length} ran {_runs[p]} times");
            }
        }

        public int DistinctThreads() => new HashSet<int>(ThreadOf).Count;
    }

    private sealed class NestingWork : IParallelWork
    {
        public RecordingWork[] Inner { get; } = new RecordingWork[6];

        public int[] InnerAvailable { get; } = new int[6];

        public int[] OuterThread { get; } = new int[6];

        public void Execute(int part, int parts)
        {
            OuterThread[part] = Environment.CurrentManagedThreadId;
            InnerAvailable[part] = WorkerPool.Available;
            Inner[part] = new RecordingWork(5);
            WorkerPool.Run(Inner[part], 5);
        }
    }

    private sealed class CountingWork : IParallelWork
    {
        private int _count;

        public int Count => _count;

        public void Execute(int part, int parts) => Interlocked.Increment(ref _count);
    }
}
