// Started by RnnGen.Distributed.Tests under `mpirun -np 2`, one scenario per run:
//   equivalence   two ranks with batch B train like one process with batch 2B (LSTM and GRU, ragged lengths)
//   resume        rank 0 loads a training checkpoint and broadcasts parameters, optimizer and schedule state
//   collectives   the public collectives, BroadcastBytes, Broadcast(ParameterSet), SaveCheckpoint (also failing on rank 0)
//   differ-shape  rank 1 builds another model: every rank fails naming rank 1
//   differ-seed   rank 1 uses another seed: every rank fails naming rank 1
//   early-exit    rank 1 leaves after start-up: rank 0's all-reduce times out and aborts the job
//   stall         rank 1 sleeps: rank 0's all-reduce times out and aborts the job
//   timing        measures the gradient all-reduce: buckets, and overlap with other work (not a test)
// Exit codes: 0 passed, 1 a check failed, 2 a DistributedException, 64 bad arguments.
using System;
using RnnGen.Distributed;
using RnnGen.Distributed.Worker;

if (args.Length != 1)
{
    Console.Error.WriteLine("usage: RnnGen.Distributed.Worker equivalence|resume|collectives|differ-shape|differ-seed|early-exit|stall|timing");
    return 64;
}

DistributedContext? context = null;
try
{
    context = DistributedContext.Initialize();
    Console.WriteLine($"[rank {context.Rank}] of {context.Size}: {args[0]}");
    return args[0] switch
    {
        "equivalence" => Equivalence.Run(context),
        "resume" => Resume.Run(context),
        "collectives" => Collectives.Run(context),
        "differ-shape" => Failures.DifferentShape(context),
        "differ-seed" => Failures.DifferentSeed(context),
        "early-exit" => Failures.EarlyExit(context),
        "stall" => Failures.Stall(context),
        "timing" => Timing.Run(context),
        _ => Usage(args[0]),
    };
}
catch (DistributedException e)
{
    Console.Error.WriteLine($"[rank {(context is null ? "?" : context.Rank)}] DistributedException: {e.Message}");
    return 2;
}
finally
{
    context?.Dispose();
}

static int Usage(string mode)
{
    Console.Error.WriteLine($"unknown mode '{mode}'");
    return 64;
}
