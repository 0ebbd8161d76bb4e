using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Text;

namespace RnnGen.Distributed.Tests;

/// <summary>Starts the worker program (copied beside the tests) under <c>mpirun</c>, or without it, and collects what it printed.</summary>
internal static class MpiRun
{
    /// <summary>A run that takes longer is killed and fails its test: nothing here may hang CI.</summary>
    private static readonly TimeSpan s_limit = TimeSpan.FromMinutes(3);

    private static readonly Lazy<string?> s_mpirun = new(() => FindOnPath("mpirun"));

    /// <summary>The full path of mpirun, or null when Open MPI is not installed.</summary>
    public static string? MpiRunPath => s_mpirun.Value;

    /// <summary>Runs <c>mpirun -np 2</c> on the worker in <paramref name="mode"/>; one thread per rank, the collective timeout given.</summary>
    public static Outcome Worker(string mode, double timeoutSeconds = 60)
    {
        string mpirun = MpiRunPath ?? throw new InvalidOperationException("mpirun is not installed.");
        var arguments = new List<string> { "-np", "2", "--oversubscribe", "--bind-to", "none", Dotnet() };
        arguments.AddRange(WorkerCommand(mode));
        return Run(mpirun, arguments, timeoutSeconds);
    }

    /// <summary>Runs the worker in <paramref name="mode"/> directly, as a user would who forgot mpirun.</summary>
    public static Outcome WorkerWithoutMpirun(string mode)
    {
        var arguments = new List<string>(WorkerCommand(mode));
        return Run(Dotnet(), arguments, timeoutSeconds: 60);
    }

    private static string[] WorkerCommand(string mode) => [Path.Combine(AppContext.BaseDirectory, "RnnGen.Distributed.Worker.dll"), mode];

    private static Outcome Run(string program, List<string> arguments, double timeoutSeconds)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // mpirun refuses root without these (CI containers run as root); harmless otherwise.
        start.Environment["OMPI_ALLOW_RUN_AS_ROOT"] = "1";
        start.Environment["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1";
        start.Environment["RNNGEN_THREADS"] = "1";
        start.Environment["RNNGEN_MPI_TIMEOUT"] = timeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        foreach (string name in new[] { "OMPI_COMM_WORLD_SIZE", "OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK" })
        {
            start.Environment.Remove(name);
        }

        var output = new StringBuilder();
        var clock = Stopwatch.StartNew();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(s_limit))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            throw new TimeoutException($"'{program} {string.Join(' ', arguments)}' did not finish within {s_limit.TotalSeconds} s (hung). Output:\n{Text(output)}");
        }

        process.WaitForExit();
        return new Outcome(process.ExitCode, Text(output), clock.Elapsed);
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }
    }

    private static string Text(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }

    /// <summary>The dotnet host running these tests (it may not be on PATH).</summary>
    private static string Dotnet()
    {
        string? host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(host) && File.Exists(host))
        {
            return host;
        }

        string? process = Environment.ProcessPath;
        return process is not null && Path.GetFileNameWithoutExtension(process) == "dotnet" ? process : "dotnet";
    }

    private static string? FindOnPath(string name)
    {
        foreach (string directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(directory, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>How a run ended: its exit code, standard output and error interleaved, and how long it took.</summary>
    public sealed record Outcome(int ExitCode, string Output, TimeSpan Elapsed);
}
