using System;

namespace RnnGen.Distributed;

/// <summary>
/// A distributed run cannot go on: MPI is missing, the process was not started by <c>mpirun</c>, the replicas
/// differ, or the root rank failed a task the others wait on. Thrown on every rank that detects it.
/// </summary>
public sealed class DistributedException : Exception
{
    public DistributedException()
    {
    }

    public DistributedException(string message)
        : base(message)
    {
    }

    public DistributedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
