using System;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;
using System.Threading;
using RnnGen.Distributed.Native;

namespace RnnGen.Distributed;

/// <summary>
/// This process's place in an MPI job (Open MPI 4.x) started by <c>mpirun</c>: its rank, the number of
/// processes, and the collectives data-parallel training needs (all-reduce, broadcast, barrier) over
/// <c>MPI_COMM_WORLD</c>. Every collective waits at most <see cref="Timeout"/> for the other ranks; past it,
/// the rank prints which collective timed out and aborts the whole job (<c>MPI_Abort</c>), so a rank that
/// died or stalled never leaves the others hanging. Dispose it at the end of the program (<c>MPI_Finalize</c>).
/// </summary>
/// <remarks>
/// One per process: MPI can be initialised once, and not again after it was finalised. Collectives are
/// used by one thread at a time (concurrent calls throw); every rank must call the same collectives in the
/// same order with the same sizes.
/// </remarks>
public sealed unsafe class DistributedContext : IDisposable
{
    /// <summary>The exit code of a job aborted because a collective timed out.</summary>
    public const int TimeoutExitCode = 124;

    // Below this the wait spins and yields (a peer usually arrives within the skew of a training step);
    // above it, it sleeps 1 ms between polls so a long wait (rank 0 writing a checkpoint) leaves the CPU free.
    private static readonly TimeSpan s_busyWait = TimeSpan.FromMilliseconds(100);

    private static readonly Lock s_lock = new();
    private static DistributedContext? s_current;
    private static bool s_finalized;

    private readonly MpiLibrary _mpi;
    private readonly bool _ownsMpi;
    private int _busy;
    private bool _disposed;

    private DistributedContext(MpiLibrary mpi, bool ownsMpi, TimeSpan timeout)
    {
        _mpi = mpi;
        _ownsMpi = ownsMpi;
        Timeout = timeout;
        int rank, size;
        MpiLibrary.Check(mpi.CommRank(mpi.CommWorld, &rank), "MPI_Comm_rank");
        MpiLibrary.Check(mpi.CommSize(mpi.CommWorld, &size), "MPI_Comm_size");
        Rank = rank;
        Size = size;
    }

    /// <summary>Whether an MPI launcher (<c>mpirun</c>, <c>srun</c>) started this process; checks the environment only.</summary>
    public static bool IsLaunchedByMpi => MpiLaunch.IsLaunched(Environment.GetEnvironmentVariable);

    /// <summary>This process's rank, 0 to <see cref="Size"/> − 1.</summary>
    public int Rank { get; }

    /// <summary>The number of processes in the job.</summary>
    public int Size { get; }

    /// <summary>Rank 0: the process that prints, writes checkpoints and whose parameters the others copy.</summary>
    public bool IsRoot => Rank == 0;

    /// <summary>The MPI library in use, as <c>MPI_Get_library_version</c> reports it.</summary>
    public string LibraryVersion
    {
        get
        {
            // MPI_MAX_LIBRARY_VERSION_STRING is 256 in Open MPI.
            byte* text = stackalloc byte[256];
            int length;
            MpiLibrary.Check(_mpi.GetLibraryVersion(text, &length), "MPI_Get_library_version");
            return Marshal.PtrToStringUTF8((nint)text, Math.Clamp(length, 0, 256)).TrimEnd('\0', '\n', ' ');
        }
    }

    /// <summary>
    /// How long a collective waits for the other ranks before the job is aborted; initially
    /// <c>RNNGEN_MPI_TIMEOUT</c> (seconds) or 5 minutes. Set it alike on every rank.
    /// </summary>
    public TimeSpan Timeout
    {
        get;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(value, TimeSpan.Zero);
            field = value;
        }
    }

    /// <summary>
    /// Initialises MPI from the <c>mpirun</c> environment. Throws <see cref="DistributedException"/> when the process
    /// was not started by an MPI launcher, or when Open MPI's libmpi is not installed (naming the packages).
    /// </summary>
    /// <param name="timeout">How long collectives wait; default <c>RNNGEN_MPI_TIMEOUT</c> or 5 minutes.</param>
    public static DistributedContext Initialize(TimeSpan? timeout = null)
    {
        if (timeout is { } t && t <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "Must be positive.");
        }

        lock (s_lock)
        {
            if (s_current is not null)
            {
                throw new InvalidOperationException("MPI is already initialised in this process; use the existing DistributedContext.");
            }

            if (s_finalized)
            {
                throw new InvalidOperationException("MPI was finalised in this process (the DistributedContext was disposed); MPI cannot be initialised twice.");
            }

            if (!IsLaunchedByMpi)
            {
                throw new DistributedException(MpiLaunch.NotLaunchedMessage);
            }

            TimeSpan resolved = timeout ?? CollectiveTimeout.FromEnvironment();
            MpiLibrary mpi = MpiLibrary.Instance;
            int initialized;
            MpiLibrary.Check(mpi.Initialized(&initialized), "MPI_Initialized");
            if (initialized == 0)
            {
                int provided;
                MpiLibrary.Check(mpi.InitThread(null, null, MpiLibrary.ThreadSerialized, &provided), "MPI_Init_thread");

                // Collectives may come from any thread (one at a time); an MPI built for one thread cannot allow that.
                if (provided < MpiLibrary.ThreadSerialized)
                {
                    throw new DistributedException(
                        $"This MPI provides thread level {provided}; RnnGen.Distributed needs MPI_THREAD_SERIALIZED ({MpiLibrary.ThreadSerialized}). Use Debian's Open MPI 4.x (openmpi-bin libopenmpi-dev).");
                }
            }

            s_current = new DistributedContext(mpi, ownsMpi: initialized == 0, resolved);
            return s_current;
        }
    }

    /// <summary>Waits until every rank reached this point.</summary>
    public void Barrier()
    {
        Enter();
        try
        {
            nint request;
            MpiLibrary.Check(_mpi.Ibarrier(_mpi.CommWorld, &request), "MPI_Ibarrier");
            WaitAll(new Span<nint>(&request, 1), "barrier", 0, 0);
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>
    /// Copies <paramref name="root"/>'s buffer into every other rank's (as bytes: every rank must hold the same
    /// type and length). Use it for parameters, optimizer state, step counters.
    /// </summary>
    public void Broadcast<T>(Span<T> buffer, int root = 0)
        where T : unmanaged => Broadcast(buffer, root, "broadcast");

    /// <summary>
    /// Returns <paramref name="root"/>'s bytes on every rank, for data whose size only the root knows: a serialized
    /// optimizer state, a checkpoint file that only the root can read. The root passes its bytes; the other ranks'
    /// argument is ignored (pass null).
    /// </summary>
    public byte[] BroadcastBytes(byte[]? data, int root = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(root);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(root, Size);
        if (Rank == root)
        {
            ArgumentNullException.ThrowIfNull(data);
        }

        Span<long> length = [Rank == root ? data!.Length : 0];
        Broadcast(length, root, "broadcast of a byte array's length");
        byte[] result = Rank == root ? data! : new byte[length[0]];
        Broadcast(result.AsSpan(), root, "broadcast of a byte array");
        return result;
    }

    /// <summary>Replaces each element by its sum over all ranks.</summary>
    public void AllReduceSum(Span<float> buffer) => AllReduce(buffer, _mpi.Float, _mpi.Sum, "all-reduce (sum) of floats");

    /// <summary>Replaces each element by its sum over all ranks.</summary>
    public void AllReduceSum(Span<double> buffer) => AllReduce(buffer, _mpi.Double, _mpi.Sum, "all-reduce (sum) of doubles");

    /// <summary>Replaces each element by its sum over all ranks.</summary>
    public void AllReduceSum(Span<int> buffer) => AllReduce(buffer, _mpi.Int, _mpi.Sum, "all-reduce (sum) of ints");

    /// <summary>Replaces each element by its sum over all ranks.</summary>
    public void AllReduceSum(Span<long> buffer) => AllReduce(buffer, _mpi.Int64, _mpi.Sum, "all-reduce (sum) of longs");

    /// <summary>Replaces each element by its maximum over all ranks.</summary>
    public void AllReduceMax(Span<long> buffer) => AllReduce(buffer, _mpi.Int64, _mpi.Max, "all-reduce (max) of longs");

    /// <summary>
    /// Prints <paramref name="message"/> with this rank's identity to standard error and ends every process of the
    /// job (<c>MPI_Abort</c>). For failures the other ranks cannot learn of through a collective.
    /// </summary>
    [DoesNotReturn]
    public void Abort(string message, int errorCode = 1)
    {
        Console.Out.Flush();
        Console.Error.WriteLine($"RnnGen.Distributed: rank {Rank} of {Size} ({Environment.MachineName}, pid {Environment.ProcessId}): {message}");
        Console.Error.Flush();
        _mpi.Abort(_mpi.CommWorld, errorCode);

        // MPI_Abort does not return; if an MPI ever did, the process must still end.
        Environment.Exit(errorCode);
        throw new UnreachableException();
    }

    /// <summary>Finalises MPI (collective: every rank should reach it). The process cannot use MPI afterwards.</summary>
    public void Dispose()
    {
        lock (s_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            if (_ownsMpi)
            {
                MpiLibrary.Check(_mpi.Finalize(), "MPI_Finalize");
                s_finalized = true;
            }

            s_current = null;
        }
    }

    /// <summary>
    /// Starts an in-place all-reduce of <paramref name="count"/> elements as requests of at most
    /// <paramref name="chunk"/> elements each, into <paramref name="requests"/>; returns how many were started.
    /// </summary>
    internal int StartAllReduce(void* data, long count, int elementSize, nint type, nint op, long chunk, Span<nint> requests)
    {
        int started = 0;
        for (long offset = 0; offset < count; offset += chunk)
        {
            int length = (int)Math.Min(chunk, count - offset);
            nint request;
            MpiLibrary.Check(_mpi.Iallreduce((void*)MpiLibrary.InPlace, (byte*)data + offset * elementSize, length, type, op, _mpi.CommWorld, &request),
                "MPI_Iallreduce");
            requests[started++] = request;
        }

        return started;
    }

    /// <summary>The number of requests an operation over <paramref name="count"/> elements in chunks of <paramref name="chunk"/> needs.</summary>
    internal static int ChunkCount(long count, long chunk) => (int)((count + chunk - 1) / chunk);

    internal nint FloatType => _mpi.Float;

    internal nint SumOp => _mpi.Sum;

    /// <summary>
    /// Polls <paramref name="requests"/> until all completed. Past <see cref="Timeout"/> it aborts the job with a
    /// message naming the collective (<paramref name="what"/>, over <paramref name="elements"/> elements of
    /// <paramref name="elementSize"/> bytes).
    /// </summary>
    internal void WaitAll(Span<nint> requests, string what, long elements, int elementSize)
    {
        if (requests.IsEmpty)
        {
            return;
        }

        long start = Stopwatch.GetTimestamp();
        fixed (nint* handles = requests)
        {
            while (true)
            {
                int done;
                MpiLibrary.Check(_mpi.Testall(requests.Length, handles, &done, null), "MPI_Testall");
                if (done != 0)
                {
                    return;
                }

                TimeSpan waited = Stopwatch.GetElapsedTime(start);
                if (waited > Timeout)
                {
                    string size = elements > 0 ? $" of {elements:N0} elements ({elements * elementSize:N0} bytes)" : "";
                    Abort(
                        $"the {what}{size} did not complete within {Timeout.TotalSeconds:0.###} s ({CollectiveTimeout.EnvironmentVariable}): "
                        + "another rank has died, stalled, exited early, or is waiting in a different collective. Aborting the job.",
                        TimeoutExitCode);
                }

                if (waited < s_busyWait)
                {
                    Thread.Yield();
                }
                else
                {
                    Thread.Sleep(1);
                }
            }
        }
    }

    /// <summary>Marks the context busy; throws when it is disposed or another thread is inside a collective.</summary>
    internal void Enter()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (Interlocked.CompareExchange(ref _busy, 1, 0) != 0)
        {
            throw new InvalidOperationException("The DistributedContext is in a collective on another thread; collectives must be called by one thread at a time, in the same order on every rank.");
        }
    }

    internal void Exit() => Volatile.Write(ref _busy, 0);

    /// <summary><see cref="Broadcast{T}(Span{T}, int)"/> with a description of the collective for the timeout message.</summary>
    internal void Broadcast<T>(Span<T> buffer, int root, string what)
        where T : unmanaged
    {
        ArgumentOutOfRangeException.ThrowIfNegative(root);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(root, Size);
        Enter();
        try
        {
            fixed (T* data = buffer)
            {
                BroadcastRaw((byte*)data, (long)buffer.Length * sizeof(T), root, what);
            }
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>
    /// Open MPI's blocking <c>MPI_Allreduce</c> (its tuned algorithms, no timeout: a missing rank hangs it), for the
    /// worker's timing mode to compare with the non-blocking request every collective here uses.
    /// </summary>
    internal void AllReduceSumWithoutTimeout(Span<float> buffer)
    {
        Enter();
        try
        {
            fixed (float* data = buffer)
            {
                MpiLibrary.Check(_mpi.Allreduce((void*)MpiLibrary.InPlace, data, buffer.Length, _mpi.Float, _mpi.Sum, _mpi.CommWorld), "MPI_Allreduce");
            }
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>An all-reduce of <paramref name="buffer"/> with a description of the collective for the timeout message.</summary>
    internal void AllReduceSum(Span<double> buffer, string what) => AllReduce(buffer, _mpi.Double, _mpi.Sum, what);

    internal void AllReduceSum(Span<long> buffer, string what) => AllReduce(buffer, _mpi.Int64, _mpi.Sum, what);

    private void BroadcastRaw(byte* data, long length, int root, string what)
    {
        long chunk = int.MaxValue;
        int count = ChunkCount(length, chunk);
        Span<nint> requests = count <= 16 ? stackalloc nint[count] : new nint[count];
        for (int i = 0; i < count; i++)
        {
            long offset = i * chunk;
            nint request;
            MpiLibrary.Check(_mpi.Ibcast(data + offset, (int)Math.Min(chunk, length - offset), _mpi.Byte, root, _mpi.CommWorld, &request), "MPI_Ibcast");
            requests[i] = request;
        }

        WaitAll(requests, what, length, 1);
    }

    private void AllReduce<T>(Span<T> buffer, nint type, nint op, string what)
        where T : unmanaged
    {
        Enter();
        try
        {
            long chunk = int.MaxValue;
            int count = ChunkCount(buffer.Length, chunk);
            Span<nint> requests = stackalloc nint[Math.Max(count, 1)];
            fixed (T* data = buffer)
            {
                int started = StartAllReduce(data, buffer.Length, sizeof(T), type, op, chunk, requests);
                WaitAll(requests[..started], what, buffer.Length, sizeof(T));
            }
        }
        finally
        {
            Exit();
        }
    }
}
