using System;
using System.Collections.Generic;
using System.Numerics;
using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;
using System.Text;

namespace RnnGen.Distributed;

/// <summary>
/// Data-parallel training of one model over the ranks of a <see cref="DistributedContext"/>, in the spirit of
/// PyTorch's <c>DistributedDataParallel</c>: every rank holds a replica and computes gradients on its own shard
/// of the batch; <see cref="AllReduceGradients"/> replaces each rank's gradients by the gradient of the loss over
/// all shards together, so that every replica then takes the same optimizer step and stays identical.
/// </summary>
/// <remarks>
/// <para>The constructor is collective: it checks that every rank built the same model (tensor names, shapes
/// and, by default, initial values) and copies rank 0's parameters to every rank.</para>
/// <para>Equivalence: <c>N</c> ranks with batch <c>B</c> each step like one process with batch <c>N·B</c>. A generated
/// model's loss is the mean over its valid positions, so the whole batch's loss is
/// <c>L = Σᵣ nᵣ·Lᵣ / Σᵣ nᵣ</c> with <c>nᵣ</c> the valid positions (loss terms) of rank <c>r</c>, and its gradient is
/// <c>Σᵣ (nᵣ / Σ n)·∇Lᵣ</c>. With ragged lengths the ranks' <c>nᵣ</c> differ and a plain average of the ranks'
/// gradients would over-weight the positions of ranks with fewer of them; this weights each rank by its count.</para>
/// <para>Order in a step: <c>Forward</c>, <c>Loss</c>, <c>ZeroGradients</c>, <c>Backward</c>, <see cref="AllReduceGradients"/>,
/// then gradient clipping (of the averaged gradients, as one process would clip them) and the optimizer's <c>Step</c>.</para>
/// </remarks>
public sealed unsafe class DataParallel
{
    /// <summary>
    /// Default size of one all-reduce request, in floats (16 MiB): gradients up to this size go as one request.
    /// Measured (RnnGen.Distributed.Worker's timing mode, 1.26 MB on two ranks): 2 or 4 buckets are no faster than one,
    /// 8 and 16 are slower; and starting the requests early to overlap other work gains nothing, because Open MPI 4.1
    /// advances a non-blocking collective only inside MPI calls (the generated <c>Backward</c> is one call, so the
    /// all-reduce cannot run beside it either).
    /// </summary>
    public const int DefaultBucketLength = 1 << 22;

    private readonly DistributedContext _context;
    private readonly ParameterSet _parameters;
    private readonly ParameterSet _gradients;
    private readonly int _bucketLength;

    /// <summary>
    /// Collective: every rank must construct it with the same model. Throws <see cref="DistributedException"/> on
    /// every rank, naming the ranks that differ, when a rank's tensor names or shapes differ from rank 0's, or
    /// (unless <paramref name="requireIdenticalInitialValues"/> is false) its initial parameter values do; then
    /// copies rank 0's parameters to every rank.
    /// </summary>
    /// <param name="parameters">The model's <c>Parameters</c>.</param>
    /// <param name="gradients">The model's <c>Gradients</c> (same names and shapes).</param>
    /// <param name="requireIdenticalInitialValues">
    /// True (default): every rank must have initialised its model identically (same seed), which catches ranks
    /// running different builds of a program. False: the values may differ and rank 0's win (for example when
    /// only rank 0 has loaded a checkpoint).
    /// </param>
    /// <param name="bucketLength">Floats per all-reduce request (at least 16).</param>
    public DataParallel(DistributedContext context, ParameterSet parameters, ParameterSet gradients,
        bool requireIdenticalInitialValues = true, int bucketLength = DefaultBucketLength)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(gradients);
        ArgumentOutOfRangeException.ThrowIfLessThan(bucketLength, 16);
        CheckSameLayout(parameters, gradients);
        _context = context;
        _parameters = parameters;
        _gradients = gradients;
        _bucketLength = bucketLength & ~15;
        ReplicaCheck.Run(context, parameters, requireIdenticalInitialValues, "model parameters",
            "a different seed or initialisation: construct every replica with the same seed");
        context.Broadcast(parameters.WritableData, 0, "broadcast of rank 0's parameters");
    }

    /// <summary>The context this trainer communicates through.</summary>
    public DistributedContext Context => _context;

    public int Rank => _context.Rank;

    public int Size => _context.Size;

    /// <summary>Rank 0: the rank that prints and writes checkpoints.</summary>
    public bool IsRoot => _context.IsRoot;

    /// <summary>Bytes sent into each all-reduce of the gradients: the whole gradient buffer, alignment padding included.</summary>
    public long GradientBytes => (long)_gradients.ReadOnlyData.Length * sizeof(float);

    /// <summary>
    /// The number of loss terms a generated model's <c>Loss</c> averages over: valid positions
    /// (<c>Σ min(lengths[b], steps)</c> over <paramref name="rows"/> rows, or <c>rows·steps</c> without lengths).
    /// Pass <paramref name="steps"/> = 1 for models whose last recurrent layer returns only its last state.
    /// </summary>
    public static long CountLossTerms(ReadOnlySpan<int> lengths, int rows, int steps)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        if (lengths.IsEmpty)
        {
            return (long)rows * steps;
        }

        if (lengths.Length < rows)
        {
            throw new ArgumentException($"lengths has {lengths.Length} entries for {rows} rows.", nameof(lengths));
        }

        long count = 0;
        for (int b = 0; b < rows; b++)
        {
            count += steps == 1 ? 1 : Math.Clamp(lengths[b], 0, steps);
        }

        return count;
    }

    /// <summary>
    /// Collective, after <c>Backward</c>: replaces this rank's gradients by the gradient of the mean loss over all
    /// ranks' loss terms, <c>Σᵣ (nᵣ / Σ n)·∇Lᵣ</c>, identical on every rank. Returns that mean loss
    /// (<c>Σᵣ nᵣ·Lᵣ / Σ n</c>), the loss one process with the whole batch would have reported.
    /// </summary>
    /// <param name="loss">This rank's loss (the mean over its own loss terms), as <c>Loss</c> returned it.</param>
    /// <param name="lossTerms">This rank's number of loss terms (<see cref="CountLossTerms"/>); 0 for a rank with no data this step.</param>
    /// <exception cref="DistributedException">On every rank, when no rank had a loss term.</exception>
    public double AllReduceGradients(float loss, long lossTerms)
    {
        double mean = WeightGradients(loss, lossTerms);
        if (Size > 1)
        {
            ReduceGradients();
        }

        return mean;
    }

    /// <summary>
    /// Collective: the mean of a loss over all ranks' loss terms (<c>Σᵣ nᵣ·Lᵣ / Σ n</c>), for evaluation passes
    /// that compute no gradients.
    /// </summary>
    public double AverageLoss(float loss, long lossTerms)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(lossTerms);
        double total = SumLossTerms(loss, lossTerms, out double lossSum);
        return lossSum / total;
    }

    /// <summary>
    /// Collective: copies rank 0's parameters to every rank, for example after rank 0 alone loaded a checkpoint.
    /// </summary>
    public void BroadcastParameters() => _context.Broadcast(_parameters.WritableData, 0, "broadcast of rank 0's parameters");

    /// <summary>
    /// Collective, for resuming: copies rank 0's parameters, its optimizer's state (moments, step counts) and its
    /// schedule's state to every rank, so that all replicas continue exactly as rank 0 would (rank 0 typically
    /// loaded a <see cref="TrainingCheckpoint"/>; the others built the same optimizer and schedule afresh).
    /// </summary>
    public void BroadcastTrainingState(IOptimizer optimizer, ILearningRateSchedule? schedule = null)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        BroadcastParameters();
        byte[] state = _context.BroadcastBytes(IsRoot ? TrainingStateBytes.Write(optimizer.GetState(), schedule?.GetState()) : null);
        if (!IsRoot)
        {
            (OptimizerState optimizerState, ScheduleState? scheduleState) = TrainingStateBytes.Read(state);
            optimizer.SetState(optimizerState);
            if (schedule is not null)
            {
                schedule.SetState(scheduleState ?? throw new DistributedException("Rank 0 sent no schedule state, but this rank has a schedule: give every rank the same schedule."));
            }
        }
    }

    /// <summary>
    /// Collective: copies rank 0's values of <paramref name="set"/> (a model's state, an optimizer's moment
    /// buffers) to every rank, after checking that every rank's set has rank 0's names and shapes.
    /// </summary>
    public void Broadcast(ParameterSet set)
    {
        ArgumentNullException.ThrowIfNull(set);
        ReplicaCheck.Run(_context, set, compareValues: false, "broadcast tensors", "");
        _context.Broadcast(set.WritableData, 0, "broadcast of rank 0's tensors");
    }

    /// <summary>
    /// Collective: throws <see cref="DistributedException"/> on every rank, naming the ranks, when some replica's
    /// parameters are no longer bitwise rank 0's (a bug, or an MPI whose all-reduce rounds differently per rank).
    /// Costs one 64-bit digest of the parameters and two small collectives; call it now and then, for example
    /// before a checkpoint.
    /// </summary>
    public void VerifyReplicas() =>
        ReplicaCheck.Run(_context, _parameters, compareValues: true, "model parameters",
            "the replicas drifted apart: every rank must take the same optimizer steps on the all-reduced gradients");

    /// <summary>
    /// Collective: rank 0 saves the parameters to <paramref name="path"/> (safetensors) while the others wait; if
    /// the write fails, every rank throws (rank 0 its own exception, the others a <see cref="DistributedException"/>
    /// carrying its message), so no rank trains on alone.
    /// </summary>
    public void SaveCheckpoint(string path, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        RunOnRoot(() => _parameters.Save(path, metadata), $"write the checkpoint '{path}'");
    }

    /// <summary>
    /// Collective: runs <paramref name="action"/> on rank 0 only (writing a checkpoint, a log, a sample) while the
    /// others wait, then tells every rank whether it succeeded; on failure every rank throws, rank 0 the original
    /// exception and the others a <see cref="DistributedException"/> with its message.
    /// </summary>
    /// <param name="description">What the action does, for the other ranks' message ("write the checkpoint …").</param>
    public void RunOnRoot(Action action, string description)
    {
        ArgumentNullException.ThrowIfNull(action);
        Exception? failure = null;
        if (IsRoot)
        {
            try
            {
                action();
            }
            catch (Exception e)
            {
                failure = e;
            }
        }

        Span<int> failed = [failure is null ? 0 : 1];
        _context.Broadcast(failed, 0, $"broadcast of whether rank 0 could {description}");
        if (failed[0] == 0)
        {
            return;
        }

        byte[] text = _context.BroadcastBytes(failure is null ? null : Encoding.UTF8.GetBytes(Truncate($"{failure.GetType().Name}: {failure.Message}", 2000)));
        if (failure is not null)
        {
            ExceptionDispatchInfo.Throw(failure);
        }

        throw new DistributedException($"Rank 0 failed to {description}: {Encoding.UTF8.GetString(text)}");
    }

    /// <summary>Weights this rank's gradients by its share of all loss terms; returns the global mean loss. The first half of <see cref="AllReduceGradients"/>.</summary>
    internal double WeightGradients(float loss, long lossTerms)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(lossTerms);
        double total = SumLossTerms(loss, lossTerms, out double lossSum);
        Scale(_gradients.WritableData, (float)(lossTerms / total));
        return lossSum / total;
    }

    /// <summary>Multiplies every element by <paramref name="factor"/>; padding stays zero.</summary>
    internal static void Scale(Span<float> values, float factor)
    {
        if (factor == 1f)
        {
            return;
        }

        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            Span<Vector<float>> vectors = MemoryMarshal.Cast<float, Vector<float>>(values);
            for (int k = 0; k < vectors.Length; k++)
            {
                vectors[k] *= factor;
            }

            i = vectors.Length * Vector<float>.Count;
        }

        for (; i < values.Length; i++)
        {
            values[i] *= factor;
        }
    }

    /// <summary>The number of all-reduce requests (buckets) the gradient buffer is split into.</summary>
    internal int BucketCount => DistributedContext.ChunkCount(_gradients.ReadOnlyData.Length, _bucketLength);

    /// <summary>
    /// Starts the all-reduce (sum) of the gradient buffer, one request per bucket, all in flight together, and
    /// holds the context until <see cref="WaitGradientReduce"/>. The buffer is pinned (an <see cref="AlignedBuffer"/>),
    /// so the caller may work in between; the worker's timing mode measures whether that pays.
    /// </summary>
    internal int StartGradientReduce(Span<nint> requests)
    {
        Span<float> data = _gradients.WritableData;
        _context.Enter();
        try
        {
            fixed (float* pointer = data)
            {
                return _context.StartAllReduce(pointer, data.Length, sizeof(float), _context.FloatType, _context.SumOp, _bucketLength, requests);
            }
        }
        catch
        {
            _context.Exit();
            throw;
        }
    }

    /// <summary>Waits for the requests <see cref="StartGradientReduce"/> started (aborting the job past the timeout) and releases the context.</summary>
    internal void WaitGradientReduce(Span<nint> requests)
    {
        try
        {
            _context.WaitAll(requests, "all-reduce of the gradients", _gradients.ReadOnlyData.Length, sizeof(float));
        }
        finally
        {
            _context.Exit();
        }
    }

    /// <summary>The sum of the gradient buffer over all ranks.</summary>
    private void ReduceGradients()
    {
        int count = BucketCount;
        Span<nint> requests = count <= 64 ? stackalloc nint[count] : new nint[count];
        int started = StartGradientReduce(requests);
        WaitGradientReduce(requests[..started]);
    }

    /// <summary>All ranks' loss terms and their loss sum, in one small all-reduce; throws on every rank when there are none.</summary>
    private double SumLossTerms(float loss, long lossTerms, out double lossSum)
    {
        // A rank without terms adds nothing, not 0 · NaN.
        Span<double> sums = [lossTerms, lossTerms == 0 ? 0 : lossTerms * (double)loss];
        _context.AllReduceSum(sums, "all-reduce of every rank's loss and loss-term count");
        if (!(sums[0] > 0))
        {
            throw new DistributedException("No rank had a loss term this step (every rank passed lossTerms = 0), so there is no mean loss to take.");
        }

        lossSum = sums[1];
        return sums[0];
    }

    private static void CheckSameLayout(ParameterSet parameters, ParameterSet gradients)
    {
        if (parameters.ReadOnlyData.Length != gradients.ReadOnlyData.Length || parameters.Names.Count != gradients.Names.Count)
        {
            throw new ArgumentException(
                $"The gradients ({gradients.Names.Count} tensors, {gradients.ReadOnlyData.Length} scalars) do not match the parameters ({parameters.Names.Count} tensors, {parameters.ReadOnlyData.Length} scalars); pass the same model's Parameters and Gradients.",
                nameof(gradients));
        }

        for (int i = 0; i < parameters.Names.Count; i++)
        {
            string name = parameters.Names[i];
            if (gradients.Names[i] != name || parameters.GetOffset(name) != gradients.GetOffset(name)
                || !parameters.GetShape(name).AsSpan().SequenceEqual(gradients.GetShape(name)))
            {
                throw new ArgumentException(
                    $"Gradient tensor {i} ('{gradients.Names[i]}', {ParameterSet.ShapeText(gradients.GetShape(gradients.Names[i]))}) does not match parameter '{name}' ({ParameterSet.ShapeText(parameters.GetShape(name))}); pass the same model's Parameters and Gradients.",
                    nameof(gradients));
            }
        }
    }

    private static string Truncate(string text, int length) => text.Length <= length ? text : text[..length] + "…";
}
