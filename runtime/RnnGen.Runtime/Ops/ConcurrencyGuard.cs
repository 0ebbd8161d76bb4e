using System;
using System.ComponentModel;
using System.Threading;

namespace RnnGen.Kernels;

/// <summary>
/// Detects a second thread entering a model (or an optimizer) that is busy. A generated model keeps its activations
/// and kernel scratch in fields, an optimizer its moments, so two calls at once would silently mix them; instead the
/// second call throws.
/// Costs one interlocked exchange per public call.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public struct ConcurrencyGuard
{
    private int _busy;
    private string? _operation;

    /// <summary>Marks the model busy with <paramref name="operation"/>, or throws when it already is.</summary>
    public void Enter(object model, string operation) =>
        Enter(model, operation, "A model instance serves one thread at a time; give each thread its own instance (they may share weights by copying Parameters).");

    /// <summary>Marks <paramref name="owner"/> busy with <paramref name="operation"/>, or throws with <paramref name="advice"/>.</summary>
    public void Enter(object owner, string operation, string advice)
    {
        if (Interlocked.Exchange(ref _busy, 1) != 0)
        {
            throw new InvalidOperationException(
                $"{owner.GetType().Name}.{operation} was called while {Volatile.Read(ref _operation) ?? "another call"} was running on another thread. " +
                advice);
        }

        Volatile.Write(ref _operation, operation);
    }

    public void Exit()
    {
        Volatile.Write(ref _operation, null);
        Volatile.Write(ref _busy, 0);
    }
}
