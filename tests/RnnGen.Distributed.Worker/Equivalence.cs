using System;
using System.Globalization;

namespace RnnGen.Distributed.Worker;

/// <summary>
/// Two ranks with batch B each must give the parameters one process with batch 2B gets, step for step. Every
/// rank trains its shard through <see cref="DataParallel"/> and, beside it, the whole batch in one model (the
/// reference, no MPI involved); both start from rank 0's parameters. Lengths are ragged and drawn per step,
/// so the ranks average over different numbers of valid positions.
/// </summary>
internal static class Equivalence
{
    private const int Steps = 8;

    /// <summary>
    /// Largest allowed |parameter difference| after <see cref="Steps"/> steps, relative to the largest |parameter|.
    /// The shard and the whole batch add the same terms in another order (per-rank sums, then the all-reduce), so
    /// they agree to float rounding, amplified a little by each optimizer step.
    /// </summary>
    private const double Tolerance = 1e-5;

    public static int Run(DistributedContext context)
    {
        if (context.Size != 2)
        {
            Console.Error.WriteLine($"[rank {context.Rank}] equivalence needs exactly 2 ranks (the reference models hold 2 shards), got {context.Size}");
            return 64;
        }

        bool lstm = Lstm(context);
        bool gru = Gru(context);
        return lstm && gru ? 0 : 1;
    }

    private static bool Lstm(DistributedContext context)
    {
        const int B = LstmShard.BatchSize, T = LstmShard.SequenceLength, V = LstmShard.VocabSize;
        var shard = new LstmShard(seed: 11);
        var whole = new LstmWhole(seed: 11);
        var parallel = new DataParallel(context, shard.Parameters, shard.Gradients);
        whole.Parameters.CopyFrom(shard.Parameters);
        var shardOptimizer = new Adam(learningRate: 1e-2f);
        var wholeOptimizer = new Adam(learningRate: 1e-2f);

        var tokens = new int[2 * B * T];
        var targets = new int[2 * B * T];
        var lengths = new int[2 * B];
        var shardLogits = new float[B * T * V];
        var wholeLogits = new float[2 * B * T * V];
        var result = new Result("LSTM (Embedding, 2 layers, cross-entropy, Adam, clipping)");
        for (int step = 0; step < Steps; step++)
        {
            var random = new Random(1000 + step);
            for (int i = 0; i < tokens.Length; i++)
            {
                tokens[i] = random.Next(V);
                targets[i] = random.Next(V);
            }

            FillLengths(lengths, T, random);

            whole.Forward(tokens, wholeLogits, lengths);
            float wholeLoss = whole.Loss(targets);
            whole.ZeroGradients();
            whole.Backward();
            GradientClipping.ClipByGlobalNorm(whole.Gradients, maxNorm: 0.5f);
            wholeOptimizer.Step(whole.Parameters, whole.Gradients);

            int row = context.Rank * B;
            ReadOnlySpan<int> myLengths = lengths.AsSpan(row, B);
            shard.Forward(tokens.AsSpan(row * T, B * T), shardLogits, myLengths);
            float loss = shard.Loss(targets.AsSpan(row * T, B * T));
            shard.ZeroGradients();
            shard.Backward();
            double globalLoss = parallel.AllReduceGradients(loss, DataParallel.CountLossTerms(myLengths, B, T));
            GradientClipping.ClipByGlobalNorm(shard.Gradients, maxNorm: 0.5f);
            shardOptimizer.Step(shard.Parameters, shard.Gradients);

            result.AddStep(lengths, B, T, globalLoss, wholeLoss);
        }

        parallel.VerifyReplicas();
        return result.Report(context.Rank, shard.Parameters.Data, whole.Parameters.Data);
    }

    private static bool Gru(DistributedContext context)
    {
        const int B = GruShard.BatchSize, T = GruShard.SequenceLength, I = GruShard.InputSize, O = GruShard.OutputSize;
        var shard = new GruShard(seed: 12);
        var whole = new GruWhole(seed: 12);
        var parallel = new DataParallel(context, shard.Parameters, shard.Gradients);
        whole.Parameters.CopyFrom(shard.Parameters);
        var shardOptimizer = new Sgd(learningRate: 0.2f, momentum: 0.9f);
        var wholeOptimizer = new Sgd(learningRate: 0.2f, momentum: 0.9f);

        var input = new float[2 * B * T * I];
        var targets = new float[2 * B * T * O];
        var lengths = new int[2 * B];
        var shardOutput = new float[B * T * O];
        var wholeOutput = new float[2 * B * T * O];
        var result = new Result("GRU (bidirectional, MSE, SGD with momentum)");
        for (int step = 0; step < Steps; step++)
        {
            var random = new Random(2000 + step);
            for (int i = 0; i < input.Length; i++)
            {
                input[i] = (float)(random.NextDouble() * 2 - 1);
            }

            for (int i = 0; i < targets.Length; i++)
            {
                targets[i] = (float)(random.NextDouble() - 0.5);
            }

            FillLengths(lengths, T, random);

            whole.Forward(input, wholeOutput, lengths);
            float wholeLoss = whole.Loss(targets);
            whole.ZeroGradients();
            whole.Backward();
            wholeOptimizer.Step(whole.Parameters, whole.Gradients);

            int row = context.Rank * B;
            ReadOnlySpan<int> myLengths = lengths.AsSpan(row, B);
            shard.Forward(input.AsSpan(row * T * I, B * T * I), shardOutput, myLengths);
            float loss = shard.Loss(targets.AsSpan(row * T * O, B * T * O));
            shard.ZeroGradients();
            shard.Backward();
            double globalLoss = parallel.AllReduceGradients(loss, DataParallel.CountLossTerms(myLengths, B, T));
            shardOptimizer.Step(shard.Parameters, shard.Gradients);

            result.AddStep(lengths, B, T, globalLoss, wholeLoss);
        }

        parallel.VerifyReplicas();
        return result.Report(context.Rank, shard.Parameters.Data, whole.Parameters.Data);
    }

    /// <summary>Lengths in 1..T, drawn per row: the ranks' counts of valid positions differ (the report checks it).</summary>
    private static void FillLengths(Span<int> lengths, int steps, Random random)
    {
        for (int b = 0; b < lengths.Length; b++)
        {
            lengths[b] = 1 + random.Next(steps);
        }
    }

    /// <summary>What one model's run measured: losses step by step and the final parameter difference.</summary>
    private sealed class Result(string name)
    {
        private readonly System.Text.StringBuilder _counts = new();
        private double _worstLoss;
        private bool _countsDiffer;

        public void AddStep(ReadOnlySpan<int> lengths, int rows, int steps, double globalLoss, float wholeLoss)
        {
            long first = DataParallel.CountLossTerms(lengths[..rows], rows, steps);
            long second = DataParallel.CountLossTerms(lengths[rows..], rows, steps);
            _countsDiffer |= first != second;
            _counts.Append(CultureInfo.InvariantCulture, $" {first}/{second}");
            _worstLoss = Math.Max(_worstLoss, Math.Abs(globalLoss - wholeLoss) / Math.Max(1, Math.Abs(wholeLoss)));
        }

        public bool Report(int rank, ReadOnlySpan<float> distributed, ReadOnlySpan<float> reference)
        {
            double worst = 0, largest = 0;
            for (int i = 0; i < reference.Length; i++)
            {
                worst = Math.Max(worst, Math.Abs(distributed[i] - reference[i]));
                largest = Math.Max(largest, Math.Abs(reference[i]));
            }

            double relative = worst / Math.Max(largest, 1e-30);
            bool pass = relative <= Tolerance && _worstLoss <= Tolerance && _countsDiffer;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"[rank {rank}] {name}: {Steps} steps, valid positions rank0/rank1:{_counts}; max |Δparameter| = {worst:E2} "
                + $"(largest |parameter| {largest:F3}, relative {relative:E2}, tolerance {Tolerance:E0}); max relative |Δloss| = {_worstLoss:E2}; "
                + $"replicas identical; {(pass ? "PASS" : "FAIL")}"));
            return pass;
        }
    }
}
