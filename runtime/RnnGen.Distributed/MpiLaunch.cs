using System;

namespace RnnGen.Distributed;

/// <summary>
/// Whether this process was started by an MPI launcher. Checked before <c>MPI_Init</c>: Open MPI would
/// otherwise start a "singleton" world of one process, and a replica started by hand would silently train alone.
/// </summary>
internal static class MpiLaunch
{
    /// <summary>
    /// Set by Open MPI's <c>mpirun</c>/<c>mpiexec</c> (OMPI_COMM_WORLD_SIZE), by PMIx launchers such as
    /// <c>srun --mpi=pmix</c> (PMIX_RANK) and by PMI-1/2 launchers (PMI_RANK).
    /// </summary>
    internal static readonly string[] Variables = ["OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK"];

    public static bool IsLaunched(Func<string, string?> environment)
    {
        foreach (string name in Variables)
        {
            if (!string.IsNullOrEmpty(environment(name)))
            {
                return true;
            }
        }

        return false;
    }

    public static string NotLaunchedMessage =>
        $"This process was not started by mpirun (none of {string.Join(", ", Variables)} is set), so it has no "
        + "other replicas to train with. Start every replica with `mpirun -np <N> <program>` (on one machine add "
        + "`--oversubscribe` when N exceeds its cores; as root also set OMPI_ALLOW_RUN_AS_ROOT=1 "
        + "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1), or train in one process without a DistributedContext "
        + "(check DistributedContext.IsLaunchedByMpi to choose).";
}
