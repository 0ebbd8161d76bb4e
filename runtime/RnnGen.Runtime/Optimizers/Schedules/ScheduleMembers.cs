using System;
using System.Collections.Generic;
using System.Globalization;

namespace RnnGen;

/// <summary>The members of a composite schedule: checks at construction, and their states flattened under index prefixes.</summary>
internal static class ScheduleMembers
{
    public static LearningRateSchedule[] Check(IOptimizer? optimizer, LearningRateSchedule[] schedules, string argument)
    {
        ArgumentNullException.ThrowIfNull(schedules, argument);
        if (schedules.Length == 0)
        {
            throw new ArgumentException("At least one schedule is needed.", argument);
        }

        for (int i = 0; i < schedules.Length; i++)
        {
            if (schedules[i] is null)
            {
                throw new ArgumentNullException(argument, $"Schedule {i} is null.");
            }

            IOptimizer expected = optimizer ?? schedules[0].Optimizer;
            if (!ReferenceEquals(schedules[i].Optimizer, expected))
            {
                throw new ArgumentException(
                    $"Schedule {i} ({schedules[i].GetType().Name}) sets another optimizer's rate; every schedule must belong to the same optimizer.", argument);
            }

            for (int j = 0; j < i; j++)
            {
                if (ReferenceEquals(schedules[i], schedules[j]))
                {
                    throw new ArgumentException($"Schedules {j} and {i} are the same object.", argument);
                }
            }
        }

        return (LearningRateSchedule[])schedules.Clone();
    }

    public static void Write(ScheduleState state, LearningRateSchedule[] schedules)
    {
        for (int i = 0; i < schedules.Length; i++)
        {
            ScheduleState member = schedules[i].GetState();
            state.SetScalar(Prefix(i) + "kind", member.Kind);
            foreach ((string key, string value) in member.Scalars)
            {
                state.SetScalar(Prefix(i) + key, value);
            }
        }
    }

    /// <summary>Checks every member's part of a composite state; returns the actions that apply them.</summary>
    public static List<Action> Prepare(ScheduleState state, LearningRateSchedule[] schedules, string owner, IReadOnlyCollection<string> ownKeys)
    {
        foreach ((string key, string value) in state.Scalars)
        {
            int dot = key.IndexOf('.', StringComparison.Ordinal);
            if (dot > 0 && int.TryParse(key.AsSpan(0, dot), NumberStyles.None, CultureInfo.InvariantCulture, out int index)
                && index < schedules.Length && key[..(dot + 1)] == Prefix(index))
            {
                continue;
            }

            StateText.RejectUnknown([key], ownKeys, owner);
        }

        var actions = new List<Action>(schedules.Length);
        for (int i = 0; i < schedules.Length; i++)
        {
            string prefix = Prefix(i);
            if (!state.Scalars.TryGetValue(prefix + "kind", out string? kind))
            {
                throw new ArgumentException($"{owner} state lacks '{prefix}kind' for its schedule {i}.", nameof(state));
            }

            var member = new ScheduleState(kind);
            foreach ((string key, string value) in state.Scalars)
            {
                if (key.StartsWith(prefix, StringComparison.Ordinal) && key != prefix + "kind")
                {
                    member.SetScalar(key[prefix.Length..], value);
                }
            }

            actions.Add(schedules[i].PrepareState(member));
        }

        return actions;
    }

    private static string Prefix(int index) => index.ToString(CultureInfo.InvariantCulture) + ".";
}
