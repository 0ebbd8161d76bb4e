using System;
using System.Threading;

namespace RnnGen.Distributed.Worker;

/// <summary>The error paths: replicas that differ, and a rank that leaves or stalls while the other waits.</summary>
internal static class Failures
{
    /// <summary>Rank 1 declares a GRU where rank 0 has an LSTM: the constructor must throw on both.</summary>
    public static int DifferentShape(DistributedContext context)
    {
        if (context.Rank == 1)
        {
            var gru = new GruShard(seed: 1);
            _ = new DataParallel(context, gru.Parameters, gru.Gradients);
        }
        else
        {
            var lstm = new LstmShard(seed: 1);
            _ = new DataParallel(context, lstm.Parameters, lstm.Gradients);
        }

        Console.Error.WriteLine($"[rank {context.Rank}] the replica check passed although the models differ");
        return 1;
    }

    /// <summary>Rank 1 initialises with another seed: the constructor must throw on both.</summary>
    public static int DifferentSeed(DistributedContext context)
    {
        var model = new LstmShard(seed: context.Rank == 1 ? 2 : 1);
        _ = new DataParallel(context, model.Parameters, model.Gradients);
        Console.Error.WriteLine($"[rank {context.Rank}] the replica check passed although the seeds differ");
        return 1;
    }

    /// <summary>Rank 1 finalises and exits after start-up; rank 0 must abort within the timeout, not hang.</summary>
    public static int EarlyExit(DistributedContext context)
    {
        var model = new LstmShard(seed: 1);
        var parallel = new DataParallel(context, model.Parameters, model.Gradients);
        if (context.Rank == 1)
        {
            Console.WriteLine("[rank 1] leaving early");
            return 0;
        }

        return TrainOneStep(model, parallel);
    }

    /// <summary>Rank 1 stops answering after start-up; rank 0 must abort within the timeout.</summary>
    public static int Stall(DistributedContext context)
    {
        var model = new LstmShard(seed: 1);
        var parallel = new DataParallel(context, model.Parameters, model.Gradients);
        if (context.Rank == 1)
        {
            Console.WriteLine("[rank 1] stalling");
            Console.Out.Flush();
            Thread.Sleep(TimeSpan.FromMinutes(10));
            return 0;
        }

        return TrainOneStep(model, parallel);
    }

    private static int TrainOneStep(LstmShard model, DataParallel parallel)
    {
        var tokens = new int[LstmShard.BatchSize * LstmShard.SequenceLength];
        var logits = new float[tokens.Length * LstmShard.OutputSize];
        model.Forward(tokens, logits);
        float loss = model.Loss(tokens);
        model.ZeroGradients();
        model.Backward();
        Console.WriteLine("[rank 0] all-reducing the gradients");
        Console.Out.Flush();
        parallel.AllReduceGradients(loss, DataParallel.CountLossTerms(default, LstmShard.BatchSize, LstmShard.SequenceLength));
        Console.Error.WriteLine("[rank 0] the all-reduce completed without the other rank");
        return 1;
    }
}
