using System;
using System.IO;
using System.Text;

namespace RnnGen.Distributed.Worker;

/// <summary>The public collectives and root-only helpers, each checked on every rank against what MPI must deliver.</summary>
internal static class Collectives
{
    public static int Run(DistributedContext context)
    {
        int rank = context.Rank, size = context.Size;
        bool pass = true;

        Span<int> ints = [rank + 1, 10];
        context.AllReduceSum(ints);
        pass &= Check(context, "AllReduceSum(int)", ints[0] == size * (size + 1) / 2 && ints[1] == 10 * size);

        Span<long> longs = [1L << 40, rank];
        context.AllReduceSum(longs);
        pass &= Check(context, "AllReduceSum(long)", longs[0] == size * (1L << 40) && longs[1] == (long)size * (size - 1) / 2);

        Span<long> maxima = [rank, -rank];
        context.AllReduceMax(maxima);
        pass &= Check(context, "AllReduceMax(long)", maxima[0] == size - 1 && maxima[1] == 0);

        Span<double> doubles = [0.5 * rank, 1e300];
        context.AllReduceSum(doubles);
        pass &= Check(context, "AllReduceSum(double)", doubles[0] == 0.25 * size * (size - 1) && doubles[1] == 1e300 * size);

        // Beyond one bucket of floats; every rank contributes its rank + 1 at each index.
        var floats = new float[100_003];
        floats.AsSpan().Fill(rank + 1);
        context.AllReduceSum(floats);
        pass &= Check(context, "AllReduceSum(float), 100,003 elements", Array.TrueForAll(floats, x => x == size * (size + 1) / 2));

        Span<double> fromRoot = [rank == size - 1 ? Math.PI : 0, rank];
        context.Broadcast(fromRoot, root: size - 1);
        pass &= Check(context, "Broadcast<double> from the last rank", fromRoot[0] == Math.PI && fromRoot[1] == size - 1);

        byte[] bytes = context.BroadcastBytes(context.IsRoot ? Encoding.UTF8.GetBytes("state from rank 0 ✓") : null);
        pass &= Check(context, "BroadcastBytes", Encoding.UTF8.GetString(bytes) == "state from rank 0 ✓");

        // A set of optimizer-state-like tensors: rank 0's values reach every rank.
        var set = new ParameterSet([("m", [3, 5]), ("v", [7])]);
        set["m"].Fill(rank == 0 ? 2.5f : -1f);
        set["v"].Fill(rank);
        var model = new LstmShard(seed: 1);
        var parallel = new DataParallel(context, model.Parameters, model.Gradients);
        parallel.Broadcast(set);
        pass &= Check(context, "DataParallel.Broadcast(ParameterSet)", set["m"].IndexOfAnyExcept(2.5f) < 0 && set["v"].IndexOfAnyExcept(0f) < 0);

        context.Barrier();

        // Only rank 0 writes: the others pass a path that must stay unwritten.
        string path = Path.Combine(Path.GetTempPath(), $"rnngen-distributed-{Environment.ProcessId}-{rank}.safetensors");
        parallel.SaveCheckpoint(path);
        pass &= Check(context, "SaveCheckpoint (rank 0 writes)", File.Exists(path) == context.IsRoot);
        File.Delete(path);

        // The root fails: it rethrows its own exception, every other rank a DistributedException with its message.
        string missing = Path.Combine(Path.GetTempPath(), "rnngen-no-such-directory", "checkpoint.safetensors");
        try
        {
            parallel.SaveCheckpoint(missing);
            pass &= Check(context, "SaveCheckpoint into a missing directory fails on every rank", false);
        }
        catch (DirectoryNotFoundException) when (context.IsRoot)
        {
            pass &= Check(context, "SaveCheckpoint into a missing directory fails on every rank", true);
        }
        catch (DistributedException e) when (!context.IsRoot)
        {
            pass &= Check(context, "SaveCheckpoint into a missing directory fails on every rank",
                e.Message.StartsWith($"Rank 0 failed to write the checkpoint '{missing}': DirectoryNotFoundException:", StringComparison.Ordinal));
        }

        return pass ? 0 : 1;
    }

    private static bool Check(DistributedContext context, string what, bool ok)
    {
        Console.WriteLine($"[rank {context.Rank}] {what}: {(ok ? "PASS" : "FAIL")}");
        return ok;
    }
}
