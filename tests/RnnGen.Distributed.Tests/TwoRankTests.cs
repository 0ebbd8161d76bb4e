using System;
using System.Text.RegularExpressions;
using Xunit;

namespace RnnGen.Distributed.Tests;

/// <summary>
/// Two processes on loopback under <c>mpirun -np 2</c> (see RnnGen.Distributed.Worker). One class, so its runs
/// never overlap one another on a small machine.
/// </summary>
public sealed class TwoRankTests
{
    [MpiFact]
    public void TwoRanksWithBatchBTrainLikeOneProcessWithBatch2B()
    {
        MpiRun.Outcome run = MpiRun.Worker("equivalence");

        Assert.True(run.ExitCode == 0, $"exit code {run.ExitCode}:\n{run.Output}");

        // Each rank reports each model once, having compared its replica with the one-process reference.
        foreach (string model in new[] { "LSTM", "GRU" })
        {
            for (int rank = 0; rank < 2; rank++)
            {
                Assert.Matches(new Regex($@"\[rank {rank}\] {model} .*replicas identical; PASS"), run.Output);
            }
        }

        Assert.DoesNotContain("FAIL", run.Output, StringComparison.Ordinal);
    }

    [MpiFact]
    public void ResumingFromRankZerosCheckpointContinuesBitForBit()
    {
        MpiRun.Outcome run = MpiRun.Worker("resume");

        Assert.True(run.ExitCode == 0, $"exit code {run.ExitCode}:\n{run.Output}");
        for (int rank = 0; rank < 2; rank++)
        {
            Assert.Contains($"[rank {rank}] resume: parameters bitwise equal to the uninterrupted run; PASS", run.Output, StringComparison.Ordinal);
        }
    }

    [MpiFact]
    public void CollectivesDeliverWhatMpiPromisesAndRootFailuresReachEveryRank()
    {
        MpiRun.Outcome run = MpiRun.Worker("collectives");

        Assert.True(run.ExitCode == 0, $"exit code {run.ExitCode}:\n{run.Output}");
        Assert.Equal(2 * 10, Regex.Count(run.Output, ": PASS"));
        Assert.DoesNotContain("FAIL", run.Output, StringComparison.Ordinal);
    }

    [MpiFact]
    public void ReplicasWithDifferentModelsFailOnEveryRankNamingTheRank()
    {
        MpiRun.Outcome run = MpiRun.Worker("differ-shape");

        Assert.NotEqual(0, run.ExitCode);
        for (int rank = 0; rank < 2; rank++)
        {
            Assert.Matches(new Regex($@"\[rank {rank}\] DistributedException: .*rank 1 has other tensor names or shapes \(10 tensors.*rank 0: 11 tensors"), run.Output);
        }
    }

    [MpiFact]
    public void ReplicasWithDifferentSeedsFailOnEveryRankNamingTheRank()
    {
        MpiRun.Outcome run = MpiRun.Worker("differ-seed");

        Assert.NotEqual(0, run.ExitCode);
        for (int rank = 0; rank < 2; rank++)
        {
            Assert.Matches(new Regex($@"\[rank {rank}\] DistributedException: .*rank 1 has other values \(a different seed"), run.Output);
        }
    }

    [MpiFact]
    public void ARankThatExitsEarlyMakesTheOtherAbortWithinTheTimeout() => AssertTimedOut(MpiRun.Worker("early-exit", timeoutSeconds: 5), "[rank 1] leaving early");

    [MpiFact]
    public void ARankThatStallsMakesTheOtherAbortWithinTheTimeout() => AssertTimedOut(MpiRun.Worker("stall", timeoutSeconds: 5), "[rank 1] stalling");

    [Fact]
    public void AProcessNotStartedByMpirunIsRefusedWithAClearMessage()
    {
        MpiRun.Outcome run = MpiRun.WorkerWithoutMpirun("equivalence");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("DistributedException: This process was not started by mpirun", run.Output, StringComparison.Ordinal);
        Assert.Contains("mpirun -np <N>", run.Output, StringComparison.Ordinal);
    }

    private static void AssertTimedOut(MpiRun.Outcome run, string otherRank)
    {
        Assert.Contains(otherRank, run.Output, StringComparison.Ordinal);
        Assert.Matches(new Regex(@"RnnGen\.Distributed: rank 0 of 2 \(.*\): the all-reduce of every rank's loss and loss-term count .* did not complete within 5 s \(RNNGEN_MPI_TIMEOUT\)"), run.Output);
        Assert.Equal(DistributedContext.TimeoutExitCode, run.ExitCode);

        // The 5 s timeout, start-up and MPI_Abort; far below the 3-minute kill of a hung run.
        Assert.True(run.Elapsed < TimeSpan.FromSeconds(60), $"took {run.Elapsed.TotalSeconds:F1} s:\n{run.Output}");
    }
}
