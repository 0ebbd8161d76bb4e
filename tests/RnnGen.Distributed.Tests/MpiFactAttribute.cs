using Xunit;

namespace RnnGen.Distributed.Tests;

/// <summary>A fact that needs Open MPI's mpirun; skipped, saying what to install, only where it is absent (CI installs it).</summary>
public sealed class MpiFactAttribute : FactAttribute
{
    public MpiFactAttribute()
    {
        if (MpiRun.MpiRunPath is null)
        {
            Skip = "mpirun not found: install Open MPI (apt-get install openmpi-bin libopenmpi-dev) to run the distributed tests.";
        }
    }
}
