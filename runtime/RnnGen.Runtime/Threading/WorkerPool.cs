using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;
using System.Threading;

namespace RnnGen.Kernels;

/// <summary>
/// A persistent fork-join pool for the kernels: background threads, created on first need, that spin
/// briefly for the next dispatch before blocking, so the back-to-back dispatches of a recurrence (one per
/// time step, microseconds apart) do not pay an OS wake-up each.
/// </summary>
/// <remarks>
/// One dispatch runs at a time. Its owner publishes the job and a new generation in one word that idle
/// workers spin on; every participant (the caller first, with part 0) then claims parts by a
/// compare-and-swap on that word, so a part goes to whoever is free: a worker that is descheduled or still
/// waking up never holds the caller back, which simply runs the parts itself. The caller spins on a
/// counter of unfinished parts. The hot words sit on separate cache lines.
/// </remarks>
internal static class WorkerPool
{
    /// <summary>Parts beyond this run serially (the part index and count share the state word).</summary>
    internal const int MaxParts = 0xFFFF;

    private const int CacheLine = 64;

    /// <summary>How long an idle worker spins for the next dispatch before it blocks.</summary>
    private static readonly long s_spinTicks = Stopwatch.Frequency * 50 / 1_000_000;

    /// <summary>How long the caller spins for the last parts before it also yields its core.</summary>
    private static readonly long s_callerSpinTicks = Stopwatch.Frequency * 20 / 1_000_000;

    private static readonly object s_errorLock = new();

    // True on pool workers and on a thread while it runs parts: a Run from there is nested and runs serially.
    [ThreadStatic]
    private static bool t_inJob;

    private static Shared s_shared;

    /// <summary>1 while a dispatch owns the pool.</summary>
    private static int s_busy;

    /// <summary>The last generation published (written only by the dispatch owner).</summary>
    private static uint s_generation;

    private static Worker[] s_workers = [];

    /// <summary>Failed parts of the running dispatch (null while none failed).</summary>
    private static List<(int Part, Exception Error)>? s_errors;

    /// <summary>Threads a dispatch may use now: <see cref="RnnThreads.Count"/>, or 1 when called from inside a running job.</summary>
    public static int Available => t_inJob ? 1 : RnnThreads.Count;

    /// <summary>
    /// Runs <c>work.Execute(p, parts)</c> once for every p in [0, <paramref name="parts"/>), part 0 on the calling
    /// thread, and returns when all are done. Parts may outnumber the threads (then some threads run several);
    /// which thread runs which part varies from call to call, so a part's result must depend only on its index.
    /// </summary>
    /// <remarks>
    /// Runs every part serially on the caller when <see cref="RnnThreads.Count"/> is 1, when called from inside a
    /// part (nested), when another thread's dispatch holds the pool, or for more than <see cref="MaxParts"/>
    /// parts: never a deadlock, and no allocation in any case. Every part runs even if others throw; then, if one
    /// part threw, its exception is rethrown unchanged (original stack trace kept), and if several did, an
    /// <see cref="AggregateException"/> holding theirs in part order.
    /// </remarks>
    public static void Run(IParallelWork work, int parts)
    {
        ArgumentNullException.ThrowIfNull(work);
        ArgumentOutOfRangeException.ThrowIfNegative(parts);
        if (parts <= 1 || parts > MaxParts || t_inJob)
        {
            RunSerial(work, parts);
            return;
        }

        int threads = Math.Min(RnnThreads.Count, parts);
        if (threads <= 1 || Interlocked.CompareExchange(ref s_busy, 1, 0) != 0)
        {
            RunSerial(work, parts);
            return;
        }

        List<(int Part, Exception Error)>? errors;
        try
        {
            RunParallel(work, parts, threads - 1);
        }
        finally
        {
            errors = s_errors;
            s_errors = null;
            Volatile.Write(ref s_busy, 0);
        }

        ThrowIfFailed(errors);
    }

    private static void RunSerial(IParallelWork work, int parts)
    {
        bool outer = t_inJob;
        t_inJob = true;
        List<(int Part, Exception Error)>? errors = null;
        try
        {
            for (int p = 0; p < parts; p++)
            {
                try
                {
                    work.Execute(p, parts);
                }
                catch (Exception e)
                {
                    (errors ??= []).Add((p, e));
                }
            }
        }
        finally
        {
            t_inJob = outer;
        }

        ThrowIfFailed(errors);
    }

    private static void RunParallel(IParallelWork work, int parts, int activeWorkers)
    {
        Worker[] workers = EnsureWorkers(activeWorkers);
        s_shared.Work = work;
        if (s_shared.ActiveWorkers != activeWorkers)
        {
            s_shared.ActiveWorkers = activeWorkers;
        }

        Volatile.Write(ref s_shared.Pending, parts);
        uint generation = unchecked(++s_generation);

        // Part 0 is the caller's: hand out from 1. The exchange is a full fence, so a worker that announced
        // it is going to sleep is seen below (it re-reads the state after announcing).
        Interlocked.Exchange(ref s_shared.State, Pack(generation, parts, 1));
        for (int i = 0; i < activeWorkers; i++)
        {
            Worker w = workers[i];
            if (Volatile.Read(ref w.Sleeping) != 0)
            {
                w.Wake.Set();
            }
        }

        t_inJob = true;
        try
        {
            ExecutePart(work, 0, parts);
            int done = 1;
            while (TryClaim(generation, out int part))
            {
                ExecutePart(work, part, parts);
                done++;
            }

            if (Interlocked.Add(ref s_shared.Pending, -done) != 0)
            {
                WaitForParts();
            }
        }
        finally
        {
            t_inJob = false;
            s_shared.Work = null;
        }
    }

    /// <summary>Claims the next unclaimed part of <paramref name="generation"/>, if any.</summary>
    private static bool TryClaim(uint generation, out int part)
    {
        while (true)
        {
            long state = Volatile.Read(ref s_shared.State);
            int next = (int)(state & 0xFFFF);
            if ((uint)(state >>> 32) != generation || next >= (int)((state >>> 16) & 0xFFFF))
            {
                part = 0;
                return false;
            }

            if (Interlocked.CompareExchange(ref s_shared.State, state + 1, state) == state)
            {
                part = next;
                return true;
            }
        }
    }

    private static void ExecutePart(IParallelWork work, int part, int parts)
    {
        try
        {
            work.Execute(part, parts);
        }
        catch (Exception e)
        {
            lock (s_errorLock)
            {
                (s_errors ??= []).Add((part, e));
            }
        }
    }

    private static void WaitForParts()
    {
        long yieldAfter = Stopwatch.GetTimestamp() + s_callerSpinTicks;
        int spins = 0;
        while (Volatile.Read(ref s_shared.Pending) != 0)
        {
            // Spin while the last parts are likely short; then yield, in case the thread running them
            // shares this core with us.
            if ((++spins & 63) != 0 || Stopwatch.GetTimestamp() < yieldAfter)
            {
                Thread.SpinWait(1);
            }
            else
            {
                Thread.Yield();
            }
        }
    }

    private static void ThrowIfFailed(List<(int Part, Exception Error)>? errors)
    {
        if (errors is null)
        {
            return;
        }

        if (errors.Count == 1)
        {
            ExceptionDispatchInfo.Throw(errors[0].Error);
        }

        errors.Sort((x, y) => x.Part.CompareTo(y.Part));
        var inner = new Exception[errors.Count];
        for (int i = 0; i < inner.Length; i++)
        {
            inner[i] = errors[i].Error;
        }

        throw new AggregateException($"{inner.Length} parts of a parallel kernel failed.", inner);
    }

    /// <summary>Starts workers until there are at least <paramref name="count"/> (called by the dispatch owner only).</summary>
    private static Worker[] EnsureWorkers(int count)
    {
        Worker[] workers = s_workers;
        if (workers.Length >= count)
        {
            return workers;
        }

        var grown = new Worker[count];
        Array.Copy(workers, grown, workers.Length);
        for (int i = workers.Length; i < count; i++)
        {
            // Started before the new generation is published, so it takes part in this dispatch.
            var worker = new Worker(i, s_generation);
            grown[i] = worker;
            new Thread(WorkerLoop) { IsBackground = true, Name = $"RnnGen worker {i + 1}" }.Start(worker);
        }

        s_workers = grown;
        return grown;
    }

    private static void WorkerLoop(object? state)
    {
        var self = (Worker)state!;
        t_inJob = true;
        uint seen = self.StartGeneration;
        bool spin = true;
        while (true)
        {
            long current = WaitForGeneration(self, seen, spin);
            seen = (uint)(current >>> 32);

            // Workers beyond this dispatch's count stay out of it and go straight back to sleep.
            spin = self.Index < Volatile.Read(ref s_shared.ActiveWorkers);
            if (!spin)
            {
                continue;
            }

            int done = 0;
            while (TryClaim(seen, out int part))
            {
                // Read after the claim: the dispatch cannot finish (and the owner cannot start the next one)
                // while this part is unfinished, so this is the work of generation 'seen'.
                ExecutePart(s_shared.Work!, part, (int)((current >>> 16) & 0xFFFF));
                done++;
            }

            if (done != 0)
            {
                Interlocked.Add(ref s_shared.Pending, -done);
            }
        }
    }

    /// <summary>Returns the state word once its generation differs from <paramref name="seen"/>: spinning first, then blocking.</summary>
    private static long WaitForGeneration(Worker self, uint seen, bool spin)
    {
        long deadline = Stopwatch.GetTimestamp() + s_spinTicks;
        int spins = 0;
        while (true)
        {
            long state = Volatile.Read(ref s_shared.State);
            if ((uint)(state >>> 32) != seen)
            {
                return state;
            }

            if (spin && ((++spins & 15) != 0 || Stopwatch.GetTimestamp() < deadline))
            {
                Thread.SpinWait(1);
                continue;
            }

            // Announce, then re-check (Dekker with the owner's publish-then-read): either we see the new
            // generation here or the owner sees Sleeping and sets the event.
            Interlocked.Exchange(ref self.Sleeping, 1);
            state = Volatile.Read(ref s_shared.State);
            if ((uint)(state >>> 32) == seen)
            {
                self.Wake.Wait();
            }

            Volatile.Write(ref self.Sleeping, 0);
            self.Wake.Reset();
            deadline = Stopwatch.GetTimestamp() + s_spinTicks;
            spin = true;
        }
    }

    private static long Pack(uint generation, int parts, int next) => ((long)generation << 32) | ((long)parts << 16) | (uint)next;

    /// <summary>The words workers and callers spin on, each on its own cache line.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 4 * CacheLine)]
    private struct Shared
    {
        /// <summary>The running dispatch's job (written by its owner before it publishes the generation).</summary>
        [FieldOffset(CacheLine)]
        public IParallelWork? Work;

        /// <summary>How many workers (indices 0..ActiveWorkers-1) the running dispatch may use.</summary>
        [FieldOffset(CacheLine + 8)]
        public int ActiveWorkers;

        /// <summary>Generation (bits 32..63), part count (16..31), next part to hand out (0..15).</summary>
        [FieldOffset(2 * CacheLine)]
        public long State;

        /// <summary>Parts of the running dispatch not finished yet.</summary>
        [FieldOffset(3 * CacheLine)]
        public int Pending;
    }

    private sealed class Worker(int index, uint startGeneration)
    {
        public readonly int Index = index;

        public readonly uint StartGeneration = startGeneration;

        public readonly ManualResetEventSlim Wake = new(false, spinCount: 1);

        /// <summary>1 while the worker is blocked, or about to block, on <see cref="Wake"/>.</summary>
        public int Sleeping;
    }
}
