using System;
using Xunit;

namespace RnnGen.Distributed.Tests;

/// <summary>The fingerprints replicas compare at start-up, and the message every rank prints when one differs.</summary>
public sealed class ReplicaTests
{
    [Fact]
    public void SameLayoutAndValuesGiveTheSameFingerprint()
    {
        ReplicaFingerprint a = ReplicaFingerprint.Of(Set(("w", [3, 5]), ("b", [5])));
        ReplicaFingerprint b = ReplicaFingerprint.Of(Set(("w", [3, 5]), ("b", [5])));

        Assert.Equal(a, b);
        Assert.Equal(2, a.Tensors);
        Assert.Equal(32, a.Scalars); // 15 and 5 scalars, each padded to 16
    }

    [Fact]
    public void ANameOrShapeChangesTheStructureDigest()
    {
        ulong reference = ReplicaFingerprint.Of(Set(("w", [3, 5]), ("b", [5]))).Structure;

        Assert.NotEqual(reference, ReplicaFingerprint.Of(Set(("w", [5, 3]), ("b", [5]))).Structure);
        Assert.NotEqual(reference, ReplicaFingerprint.Of(Set(("v", [3, 5]), ("b", [5]))).Structure);
        Assert.NotEqual(reference, ReplicaFingerprint.Of(Set(("b", [5]), ("w", [3, 5]))).Structure);
        Assert.NotEqual(reference, ReplicaFingerprint.Of(Set(("w", [15]), ("b", [5]))).Structure);
    }

    [Fact]
    public void AnyChangedBitChangesTheValueDigest()
    {
        ParameterSet set = Set(("w", [7, 3]));
        var random = new Random(3);
        foreach (ref float x in set.Data[..21])
        {
            x = (float)random.NextDouble();
        }

        ulong reference = ReplicaFingerprint.Of(set).Values;
        for (int i = 0; i < 21; i++)
        {
            float kept = set.Data[i];
            set.Data[i] = BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(kept) ^ 1);
            Assert.NotEqual(reference, ReplicaFingerprint.Of(set).Values);
            set.Data[i] = kept;
        }

        Assert.Equal(reference, ReplicaFingerprint.Of(set).Values);
        Assert.NotEqual(ReplicaFingerprint.Digest([0f]), ReplicaFingerprint.Digest([-0f]));
        Assert.NotEqual(ReplicaFingerprint.Digest([1f, 2f, 3f]), ReplicaFingerprint.Digest([1f, 2f, 3f, 0f]));
    }

    [Fact]
    public void MatchingRanksGiveNoMessage()
    {
        long[] table = [0, 0, 4, 64, 0, 0, 4, 64, 0, 0, 4, 64];

        Assert.Null(ReplicaCheck.Describe(table, 3, "model parameters", "seed"));
    }

    [Fact]
    public void TheMessageNamesEachDifferingRankAndWhatDiffers()
    {
        // Per rank: structure differs, values differ, tensors, scalars.
        long[] table = [0, 0, 4, 64, 1, 0, 3, 48, 0, 0, 4, 64, 0, 1, 4, 64];

        string? message = ReplicaCheck.Describe(table, 4, "model parameters", "a different seed");

        Assert.Equal(
            "The replicas' model parameters differ from rank 0's: rank 1 has other tensor names or shapes (3 tensors, 48 scalars with padding; "
            + "rank 0: 4 tensors, 64); rank 3 has other values (a different seed). Every rank must run the same program with the same model declaration.",
            message);
    }

    [Fact]
    public void ALongListOfDifferingRanksIsShortened()
    {
        var table = new long[20 * 4];
        for (int rank = 1; rank < 20; rank++)
        {
            table[rank * 4 + 1] = 1;
        }

        string? message = ReplicaCheck.Describe(table, 20, "model parameters", "seed");

        Assert.Contains("rank 8 has other values", message, StringComparison.Ordinal);
        Assert.DoesNotContain("rank 9 ", message, StringComparison.Ordinal);
        Assert.Contains("and 11 more ranks", message, StringComparison.Ordinal);
    }

    private static ParameterSet Set(params (string Name, int[] Shape)[] tensors) => new(tensors);
}
