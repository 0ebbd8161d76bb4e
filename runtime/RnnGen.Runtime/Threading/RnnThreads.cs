using System;
using System.Globalization;
using System.Threading;

namespace RnnGen;

/// <summary>
/// How many threads RnnGen's kernels may use. Large matrix products are split across a persistent
/// pool of worker threads; small ones (and everything when <see cref="Count"/> is 1) run on the calling
/// thread. Results are bitwise identical for every thread count.
/// </summary>
public static class RnnThreads
{
    /// <summary>The environment variable that sets the initial <see cref="Count"/>.</summary>
    public const string EnvironmentVariable = "RNNGEN_THREADS";

    // 0 until first use: the environment is read lazily so a bad value throws a clear exception at the
    // call that needs it rather than a TypeInitializationException.
    private static int s_count;

    /// <summary>
    /// The number of threads kernels may use, including the calling thread; 1 runs everything on the
    /// calling thread.
    /// </summary>
    /// <remarks>
    /// Initially the value of the <c>RNNGEN_THREADS</c> environment variable (a positive decimal integer;
    /// unset or empty means not set), otherwise <see cref="Environment.ProcessorCount"/> (which honours the
    /// process's CPU affinity and container limits). May be set at any time from any thread; dispatches
    /// already running finish with the count they started with, and the worker pool grows on demand.
    /// Setting it before first use means the environment variable is never read.
    /// </remarks>
    /// <exception cref="InvalidOperationException">
    /// On get, when <c>RNNGEN_THREADS</c> is set to something other than a positive integer and no value was
    /// set through this property.
    /// </exception>
    /// <exception cref="ArgumentOutOfRangeException">On set, when the value is less than 1.</exception>
    public static int Count
    {
        get
        {
            int count = Volatile.Read(ref s_count);
            return count != 0 ? count : Initialize();
        }

        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            Volatile.Write(ref s_count, value);
        }
    }

    /// <summary>
    /// The thread count that an <c>RNNGEN_THREADS</c> value asks for: <paramref name="processorCount"/> when the
    /// value is null, empty or white space, otherwise the positive decimal integer it holds (surrounding white
    /// space allowed).
    /// </summary>
    /// <exception cref="InvalidOperationException">The value is set but not a positive integer.</exception>
    internal static int Parse(string? value, int processorCount)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return processorCount;
        }

        if (!int.TryParse(value.AsSpan().Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int count) || count < 1)
        {
            throw new InvalidOperationException(
                $"The environment variable {EnvironmentVariable} is '{value}'; it must be a positive integer (the number of threads RnnGen's kernels may use, 1 for single-threaded) or unset (one thread per processor).");
        }

        return count;
    }

    private static int Initialize()
    {
        int count = Parse(Environment.GetEnvironmentVariable(EnvironmentVariable), Environment.ProcessorCount);

        // A concurrent setter wins over the environment.
        int previous = Interlocked.CompareExchange(ref s_count, count, 0);
        return previous != 0 ? previous : count;
    }
}
