using System;
using System.Collections.Generic;
using System.Linq;
using RnnGen.Distributed.Native;
using Xunit;

namespace RnnGen.Distributed.Tests;

/// <summary>Finding libmpi, detecting the launcher and reading the timeout: the checks before any MPI call.</summary>
public sealed class LibraryAndLaunchTests
{
    [Fact]
    public void AMissingLibmpiNamesTheDebianPackages()
    {
        var e = Assert.Throws<DistributedException>(() => MpiLibrary.Load(["/nonexistent/libmpi.so.40"]));

        Assert.Contains("/nonexistent/libmpi.so.40", e.Message, StringComparison.Ordinal);
        Assert.Contains("apt-get install openmpi-bin libopenmpi-dev", e.Message, StringComparison.Ordinal);
        Assert.Contains(MpiLibrary.LibraryVariable, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ALibraryWithoutOpenMpisSymbolsIsRefusedNamingTheSymbol()
    {
        // The C library loads but is no MPI, as MPICH's libmpi would lack Open MPI's handles.
        var e = Assert.Throws<DistributedException>(() => MpiLibrary.Load(["libc.so.6"]));

        Assert.Contains("has no symbol 'MPI_Init_thread'", e.Message, StringComparison.Ordinal);
        Assert.Contains("Open MPI 4.x", e.Message, StringComparison.Ordinal);
    }

    [MpiFact]
    public void OpenMpisPredefinedHandlesAreTheAddressesOfItsGlobals()
    {
        MpiLibrary mpi = MpiLibrary.Load(MpiLibrary.Candidates(null));

        nint[] handles = [mpi.CommWorld, mpi.Float, mpi.Double, mpi.Int, mpi.Int64, mpi.Byte, mpi.Sum, mpi.Max];
        Assert.DoesNotContain(0, handles);
        Assert.Equal(handles.Length, handles.Distinct().Count());
    }

    [Fact]
    public void ConfiguredLibraryIsTheOnlyCandidate()
    {
        Assert.Equal(["/opt/ompi/lib/libmpi.so.40"], MpiLibrary.Candidates(" /opt/ompi/lib/libmpi.so.40 "));
        Assert.Equal("libmpi.so.40", MpiLibrary.Candidates(null).First());
    }

    [Theory]
    [InlineData("OMPI_COMM_WORLD_SIZE")]
    [InlineData("PMIX_RANK")]
    [InlineData("PMI_RANK")]
    public void ALauncherIsRecognisedByItsEnvironment(string variable)
    {
        var environment = new Dictionary<string, string> { [variable] = "2" };

        Assert.True(MpiLaunch.IsLaunched(name => environment.GetValueOrDefault(name)));
        Assert.False(MpiLaunch.IsLaunched(_ => null));
        Assert.False(MpiLaunch.IsLaunched(_ => ""));
    }

    [Fact]
    public void InitializeOutsideMpirunThrowsBeforeTouchingMpi()
    {
        Assert.False(DistributedContext.IsLaunchedByMpi, "the test host itself must not run under mpirun");

        var e = Assert.Throws<DistributedException>(() => DistributedContext.Initialize());

        Assert.Contains("not started by mpirun", e.Message, StringComparison.Ordinal);
        Assert.Contains("OMPI_ALLOW_RUN_AS_ROOT=1", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, 300)]
    [InlineData("", 300)]
    [InlineData(" 2.5 ", 2.5)]
    [InlineData("3600", 3600)]
    public void TimeoutIsReadInSeconds(string? value, double seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), CollectiveTimeout.Parse(value));

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("5s")]
    [InlineData("1,5")]
    [InlineData("1e400")]
    public void ABadTimeoutNamesTheVariable(string value)
    {
        var e = Assert.Throws<DistributedException>(() => CollectiveTimeout.Parse(value));

        Assert.Contains($"RNNGEN_MPI_TIMEOUT is '{value}'", e.Message, StringComparison.Ordinal);
    }
}
