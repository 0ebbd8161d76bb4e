namespace RnnGen.Kernels;

/// <summary>
/// A job for <see cref="WorkerPool.Run"/>: a reusable object (owned by its caller, so a dispatch
/// allocates nothing) whose parts write disjoint outputs.
/// </summary>
internal interface IParallelWork
{
    /// <summary>
    /// Runs part <paramref name="part"/> of <paramref name="parts"/>. What a part computes must depend only on
    /// these two numbers, never on the thread that runs it, so results do not depend on the thread count.
    /// </summary>
    void Execute(int part, int parts);
}
