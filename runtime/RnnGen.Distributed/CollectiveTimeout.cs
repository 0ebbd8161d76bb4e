using System;
using System.Globalization;

namespace RnnGen.Distributed;

/// <summary>
/// How long a collective may wait for the other ranks. A rank that died, stalled or left early never joins
/// the collective; waiting forever would hang every other rank (and the job) silently.
/// </summary>
public static class CollectiveTimeout
{
    /// <summary>The environment variable that sets the default timeout, in seconds (a positive decimal number).</summary>
    public const string EnvironmentVariable = "RNNGEN_MPI_TIMEOUT";

    /// <summary>Used when <c>RNNGEN_MPI_TIMEOUT</c> is not set: long enough for rank 0 to write a large checkpoint while the others wait.</summary>
    public static readonly TimeSpan Default = TimeSpan.FromMinutes(5);

    /// <summary>The timeout that an <c>RNNGEN_MPI_TIMEOUT</c> value asks for: <see cref="Default"/> when unset or blank.</summary>
    /// <exception cref="DistributedException">The value is set but not a positive number of seconds.</exception>
    public static TimeSpan Parse(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return Default;
        }

        if (!double.TryParse(value.AsSpan().Trim(), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double seconds)
            || !(seconds > 0) || seconds > TimeSpan.MaxValue.TotalSeconds / 2)
        {
            throw new DistributedException(
                $"The environment variable {EnvironmentVariable} is '{value}'; it must be a positive number of seconds "
                + "(how long a collective waits for the other ranks before the job is aborted) or unset (300).");
        }

        return TimeSpan.FromSeconds(seconds);
    }

    /// <summary>The timeout from the environment variable, or the default.</summary>
    public static TimeSpan FromEnvironment() => Parse(Environment.GetEnvironmentVariable(EnvironmentVariable));
}
