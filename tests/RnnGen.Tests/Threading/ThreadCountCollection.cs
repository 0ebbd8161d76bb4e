using System;
using Xunit;

namespace RnnGen.Tests.Threading;

/// <summary>
/// Test classes that set <see cref="RnnThreads.Count"/> and assert what it implies run one after another
/// (xunit runs different collections in parallel, and the count is process-wide).
/// </summary>
[CollectionDefinition(Name)]
public sealed class ThreadCountCollection
{
    public const string Name = "RnnThreads.Count";
}

/// <summary>Sets <see cref="RnnThreads.Count"/> for a using block and restores the previous value.</summary>
internal readonly struct ThreadCountScope : IDisposable
{
    private readonly int _previous;

    public ThreadCountScope(int count)
    {
        _previous = RnnThreads.Count;
        RnnThreads.Count = count;
    }

    public void Dispose() => RnnThreads.Count = _previous;
}
