using System;
using System.IO;

namespace RnnGen.Distributed.Worker;

/// <summary>
/// Resuming data-parallel training: two ranks train <see cref="Steps"/> steps straight, and beside it
/// Steps/2, then rank 0 alone writes a <see cref="TrainingCheckpoint"/>, every rank builds a fresh model,
/// optimizer and schedule (other seeds), rank 0 alone loads the checkpoint, <see cref="DataParallel.BroadcastTrainingState"/>
/// gives the others rank 0's parameters, moments and schedule, and Steps/2 more. Every rank's parameters
/// must then be bitwise those of the uninterrupted run.
/// </summary>
internal static class Resume
{
    private const int Steps = 8;

    public static int Run(DistributedContext context)
    {
        float[] straight = Train(context, stopAfter: Steps, resumeFrom: null);

        string checkpoint = Path.Combine(Path.GetTempPath(), $"rnngen-mpi-resume-{context.Size}.safetensors");
        Train(context, stopAfter: Steps / 2, resumeFrom: null, saveTo: checkpoint);
        float[] resumed = Train(context, stopAfter: Steps, resumeFrom: checkpoint);
        context.Barrier();
        if (context.IsRoot)
        {
            File.Delete(checkpoint);
        }

        bool same = straight.AsSpan().SequenceEqual(resumed);
        Console.WriteLine($"[rank {context.Rank}] resume: {(same ? "parameters bitwise equal to the uninterrupted run; PASS" : "parameters differ; FAIL")}");
        return same ? 0 : 1;
    }

    /// <summary>Trains LstmShard with Adam and a cosine schedule up to step <paramref name="stopAfter"/>; returns the parameters.</summary>
    private static float[] Train(DistributedContext context, int stopAfter, string? resumeFrom, string? saveTo = null)
    {
        const int B = LstmShard.BatchSize, T = LstmShard.SequenceLength, V = LstmShard.VocabSize;
        int seed = resumeFrom is null ? 21 : 99; // a resumed run must not depend on how its objects were built
        var model = new LstmShard(seed);
        var optimizer = new Adam(learningRate: 1e-2f);
        var schedule = new CosineAnnealingLR(optimizer, tMax: Steps);
        var parallel = new DataParallel(context, model.Parameters, model.Gradients, requireIdenticalInitialValues: true);
        int first = 0;
        if (resumeFrom is not null)
        {
            if (context.IsRoot)
            {
                first = (int)new TrainingCheckpoint(model, optimizer, schedule).Load(resumeFrom).Step;
            }

            parallel.BroadcastTrainingState(optimizer, schedule);
            var step = new long[] { first };
            context.Broadcast<long>(step);
            first = (int)step[0];
        }

        var tokens = new int[B * T];
        var targets = new int[B * T];
        var lengths = new int[B];
        var logits = new float[B * T * V];
        for (int step = first; step < stopAfter; step++)
        {
            var random = new Random((1000 * step) + context.Rank);
            for (int i = 0; i < tokens.Length; i++)
            {
                tokens[i] = random.Next(V);
                targets[i] = random.Next(V);
            }

            for (int b = 0; b < B; b++)
            {
                lengths[b] = random.Next(1, T + 1);
            }

            model.Forward(tokens, logits, lengths);
            float loss = model.Loss(targets);
            model.ZeroGradients();
            model.Backward();
            parallel.AllReduceGradients(loss, DataParallel.CountLossTerms(lengths, B, T));
            optimizer.Step(model.Parameters, model.Gradients);
            schedule.Step();
        }

        if (saveTo is not null)
        {
            parallel.RunOnRoot(() => new TrainingCheckpoint(model, optimizer, schedule).Save(saveTo, stopAfter), $"write the checkpoint '{saveTo}'");
        }

        parallel.VerifyReplicas();
        return model.Parameters.ReadOnlyData.ToArray();
    }
}
