using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;

namespace RnnGen.Distributed.Native;

/// <summary>
/// The entry points and predefined handles of Open MPI's <c>libmpi</c>, resolved by symbol once per process.
/// Open MPI's predefined handles (<c>MPI_COMM_WORLD</c>, <c>MPI_FLOAT</c>, <c>MPI_SUM</c>, …) are the addresses
/// of global objects (<c>&amp;ompi_mpi_comm_world</c>, …), so the address of the exported symbol IS the handle.
/// Function pointers instead of <c>DllImport</c>: the library is located explicitly (with a message naming the
/// packages when it is absent) and nothing is generated at run time, so the assembly stays AOT-compatible.
/// </summary>
internal sealed unsafe class MpiLibrary
{
    /// <summary>Overrides the library searched for (a file name or full path).</summary>
    public const string LibraryVariable = "RNNGEN_MPI_LIBRARY";

    public const int Success = 0;

    /// <summary><c>MPI_THREAD_SERIALIZED</c>: any thread may call, one at a time (a .NET program may move between threads).</summary>
    public const int ThreadSerialized = 2;

    /// <summary><c>MPI_IN_PLACE</c> in Open MPI's mpi.h.</summary>
    public static readonly nint InPlace = 1;

    private static readonly Lazy<MpiLibrary> s_instance = new(() => Load(Candidates(Environment.GetEnvironmentVariable(LibraryVariable))));

    private MpiLibrary(nint library, string path)
    {
        Path = path;
        InitThread = (delegate* unmanaged<int*, nint*, int, int*, int>)Export(library, path, "MPI_Init_thread");
        Initialized = (delegate* unmanaged<int*, int>)Export(library, path, "MPI_Initialized");
        Finalized = (delegate* unmanaged<int*, int>)Export(library, path, "MPI_Finalized");
        Finalize = (delegate* unmanaged<int>)Export(library, path, "MPI_Finalize");
        CommRank = (delegate* unmanaged<nint, int*, int>)Export(library, path, "MPI_Comm_rank");
        CommSize = (delegate* unmanaged<nint, int*, int>)Export(library, path, "MPI_Comm_size");
        Allreduce = (delegate* unmanaged<void*, void*, int, nint, nint, nint, int>)Export(library, path, "MPI_Allreduce");
        Iallreduce = (delegate* unmanaged<void*, void*, int, nint, nint, nint, nint*, int>)Export(library, path, "MPI_Iallreduce");
        Ibcast = (delegate* unmanaged<void*, int, nint, int, nint, nint*, int>)Export(library, path, "MPI_Ibcast");
        Ibarrier = (delegate* unmanaged<nint, nint*, int>)Export(library, path, "MPI_Ibarrier");
        Testall = (delegate* unmanaged<int, nint*, int*, void*, int>)Export(library, path, "MPI_Testall");
        Abort = (delegate* unmanaged<nint, int, int>)Export(library, path, "MPI_Abort");
        GetLibraryVersion = (delegate* unmanaged<byte*, int*, int>)Export(library, path, "MPI_Get_library_version");
        CommWorld = Export(library, path, "ompi_mpi_comm_world");
        Float = Export(library, path, "ompi_mpi_float");
        Double = Export(library, path, "ompi_mpi_double");
        Int = Export(library, path, "ompi_mpi_int");
        Int64 = Export(library, path, "ompi_mpi_int64_t");
        Byte = Export(library, path, "ompi_mpi_byte");
        Sum = Export(library, path, "ompi_mpi_op_sum");
        Max = Export(library, path, "ompi_mpi_op_max");
    }

    /// <summary>The library that was loaded.</summary>
    public string Path { get; }

    // int MPI_Init_thread(int *argc, char ***argv, int required, int *provided)
    public delegate* unmanaged<int*, nint*, int, int*, int> InitThread { get; }

    public delegate* unmanaged<int*, int> Initialized { get; }

    public delegate* unmanaged<int*, int> Finalized { get; }

    public delegate* unmanaged<int> Finalize { get; }

    public delegate* unmanaged<nint, int*, int> CommRank { get; }

    public delegate* unmanaged<nint, int*, int> CommSize { get; }

    // int MPI_Allreduce(const void *sendbuf, void *recvbuf, int count, MPI_Datatype, MPI_Op, MPI_Comm): waits without a
    // timeout, so only the timing comparison uses it.
    public delegate* unmanaged<void*, void*, int, nint, nint, nint, int> Allreduce { get; }

    // int MPI_Iallreduce(const void *sendbuf, void *recvbuf, int count, MPI_Datatype, MPI_Op, MPI_Comm, MPI_Request *)
    public delegate* unmanaged<void*, void*, int, nint, nint, nint, nint*, int> Iallreduce { get; }

    // int MPI_Ibcast(void *buffer, int count, MPI_Datatype, int root, MPI_Comm, MPI_Request *)
    public delegate* unmanaged<void*, int, nint, int, nint, nint*, int> Ibcast { get; }

    public delegate* unmanaged<nint, nint*, int> Ibarrier { get; }

    // int MPI_Testall(int count, MPI_Request requests[], int *flag, MPI_Status statuses[]); statuses = MPI_STATUSES_IGNORE (NULL)
    public delegate* unmanaged<int, nint*, int*, void*, int> Testall { get; }

    public delegate* unmanaged<nint, int, int> Abort { get; }

    public delegate* unmanaged<byte*, int*, int> GetLibraryVersion { get; }

    public nint CommWorld { get; }

    public nint Float { get; }

    public nint Double { get; }

    public nint Int { get; }

    public nint Int64 { get; }

    public nint Byte { get; }

    public nint Sum { get; }

    public nint Max { get; }

    /// <summary>The process's libmpi; throws <see cref="DistributedException"/> naming the packages to install when it is absent.</summary>
    public static MpiLibrary Instance => s_instance.Value;

    /// <summary>Throws a <see cref="DistributedException"/> naming the call when an MPI function did not return MPI_SUCCESS.</summary>
    public static void Check(int code, string call)
    {
        if (code != Success)
        {
            throw new DistributedException($"{call} failed with MPI error code {code}.");
        }
    }

    /// <summary>Loads the first of <paramref name="candidates"/> that loads; throws naming the packages when none does.</summary>
    internal static MpiLibrary Load(IEnumerable<string> candidates)
    {
        var tried = new List<string>();
        foreach (string candidate in candidates)
        {
            tried.Add(candidate);
            if (NativeLibrary.TryLoad(candidate, out nint handle))
            {
                return new MpiLibrary(handle, candidate);
            }
        }

        throw new DistributedException(
            $"Open MPI's libmpi could not be loaded (tried {string.Join(", ", tried)}). RnnGen.Distributed needs Open MPI 4.x: "
            + "on Debian or Ubuntu install it with `apt-get install openmpi-bin libopenmpi-dev` (openmpi-bin provides mpirun, "
            + $"libopenmpi-dev the libmpi.so link); elsewhere set {LibraryVariable} to the full path of libmpi.so.40.");
    }

    /// <summary>The libraries to try: <paramref name="configured"/> (RNNGEN_MPI_LIBRARY) alone when set, else Open MPI 4's names.</summary>
    internal static IEnumerable<string> Candidates(string? configured)
    {
        if (!string.IsNullOrWhiteSpace(configured))
        {
            yield return configured.Trim();
            yield break;
        }

        // libmpi.so.40 is Open MPI 3.x–4.x's ABI; the unversioned link exists only with the -dev package.
        yield return "libmpi.so.40";
        yield return "libmpi.so";
        yield return "libmpi.40.dylib";
    }

    private static nint Export(nint library, string path, string name)
    {
        if (!NativeLibrary.TryGetExport(library, name, out nint address))
        {
            throw new DistributedException(
                $"'{path}' has no symbol '{name}': RnnGen.Distributed binds Open MPI 4.x (libmpi.so.40); another MPI "
                + "(MPICH, Intel MPI, MS-MPI) has other handles. Install `openmpi-bin libopenmpi-dev`.");
        }

        return address;
    }
}
