using System;
using System.Collections.Generic;

namespace RnnGen;

/// <summary>
/// A learning-rate schedule's state: its kind and named scalars as exact text (integers in decimal,
/// doubles in round-trip form). Composite schedules prefix their members' entries with the member's
/// index (<c>"0.kind"</c>, <c>"0.last_epoch"</c>). Maps onto safetensors metadata strings one to one.
/// </summary>
public sealed class ScheduleState
{
    private readonly Dictionary<string, string> _scalars = new(StringComparer.Ordinal);

    /// <param name="kind">The schedule's class name, e.g. <c>"CosineAnnealingLR"</c>; checked by <see cref="ILearningRateSchedule.SetState"/>.</param>
    public ScheduleState(string kind)
    {
        ArgumentException.ThrowIfNullOrEmpty(kind);
        Kind = kind;
    }

    public string Kind { get; }

    public IReadOnlyDictionary<string, string> Scalars => _scalars;

    /// <summary>Adds or replaces a scalar.</summary>
    public void SetScalar(string name, string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(value);
        _scalars[name] = value;
    }
}
