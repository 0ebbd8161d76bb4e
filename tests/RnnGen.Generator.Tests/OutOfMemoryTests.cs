using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Emit;
using Xunit;
using Xunit.Abstractions;

namespace RnnGen.Generator.Tests;

/// <summary>
/// Issue 9: a model whose buffers do not fit in memory failed in its constructor with a bare OutOfMemoryException.
/// Now the message names the model, the buffer and its size. To run out of memory deterministically without
/// exhausting the machine, the test compiles a small program declaring two models and runs it in a child process
/// whose GC heap is capped (System.GC.HeapHardLimit = 256 MB in its runtimeconfig.json): the activations of one
/// model (about 450 MB) and the embedding table of the other (400 MB) cannot be allocated there, on any machine.
/// </summary>
public sealed class OutOfMemoryTests(ITestOutputHelper output)
{
    private const string Program = """
        using System;
        using RnnGen;

        namespace Models
        {
            [RnnModel(SequenceLength = 1000, BatchSize = 64, InputSize = 8)]
            [Lstm(HiddenSize = 256, Name = "rnn")]
            public partial class BigActivations { }

            [RnnModel(SequenceLength = 4, BatchSize = 2)]
            [Embedding(VocabSize = 1000000, Dim = 100, Name = "embed")]
            [Lstm(HiddenSize = 4, Name = "rnn")]
            public partial class BigEmbedding { }

            [RnnModel(SequenceLength = 4, BatchSize = 2, InputSize = 3)]
            [Lstm(HiddenSize = 4, Name = "rnn")]
            public partial class Small { }
        }

        public static class Program
        {
            public static int Main()
            {
                Try("BigActivations", () => new Models.BigActivations());
                Try("BigEmbedding", () => new Models.BigEmbedding());
                Try("Small", () => new Models.Small());
                return 0;
            }

            private static void Try(string name, Func<object> create)
            {
                try
                {
                    create();
                    Console.WriteLine(name + ": constructed");
                }
                catch (OutOfMemoryException e)
                {
                    Console.WriteLine(name + ": " + e.GetType().Name + ": " + e.Message);
                }
            }
        }
        """;

    [Fact]
    public void AModelTooLargeForMemoryFailsNamingTheModelTheBufferAndItsSize()
    {
        string folder = Path.Combine(Path.GetTempPath(), "rnngen-oom-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            string[] lines = RunCapped(folder);
            output.WriteLine(string.Join(Environment.NewLine, lines));
            Assert.Contains("Small: constructed", lines);
            Assert.Contains(lines, l => l.StartsWith("BigActivations: InsufficientMemoryException: Models.BigActivations activations: could not allocate ", StringComparison.Ordinal) && l.Contains(" floats (", StringComparison.Ordinal) && l.Contains(" MB)", StringComparison.Ordinal));
            Assert.Contains(lines, l => l.StartsWith("BigEmbedding: InsufficientMemoryException: Models.BigEmbedding parameters: could not allocate 100,001,696 floats (400.0 MB)", StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Compiles <see cref="Program"/> with the generator into <paramref name="folder"/> and runs it under a 256 MB heap cap.</summary>
    private static string[] RunCapped(string folder)
    {
        Compilation compilation = GeneratorHarness.Compilation(Program)
            .WithAssemblyName("OutOfMemoryProgram")
            .WithOptions(GeneratorHarness.CompilationOptions.WithOutputKind(OutputKind.ConsoleApplication));
        GeneratorRun run = GeneratorHarness.Run(compilation);
        Assert.Empty(run.Crashes);
        Assert.True(!run.CompilationDiagnostics.Any(d => d.Severity == DiagnosticSeverity.Error), GeneratorHarness.Describe(run.All));

        string program = Path.Combine(folder, "OutOfMemoryProgram.dll");
        EmitResult emitted = run.Output.Emit(program);
        Assert.True(emitted.Success, GeneratorHarness.Describe(emitted.Diagnostics));
        string runtime = typeof(RnnModelAttribute).Assembly.Location;
        File.Copy(runtime, Path.Combine(folder, Path.GetFileName(runtime)));
        Version version = Environment.Version;
        File.WriteAllText(Path.Combine(folder, "OutOfMemoryProgram.runtimeconfig.json"), string.Create(CultureInfo.InvariantCulture, $$"""
            {
              "runtimeOptions": {
                "tfm": "net{{version.Major}}.{{version.Minor}}",
                "framework": { "name": "Microsoft.NETCore.App", "version": "{{version.Major}}.{{version.Minor}}.0" },
                "configProperties": { "System.GC.HeapHardLimit": 268435456 }
              }
            }
            """));

        var start = new ProcessStartInfo(DotnetHost(), [program])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using Process process = Process.Start(start)!;
        string stdout = process.StandardOutput.ReadToEnd();
        string stderr = process.StandardError.ReadToEnd();
        Assert.True(process.WaitForExit(120_000), "the capped program did not finish in 2 minutes");
        Assert.True(process.ExitCode == 0, $"exit code {process.ExitCode}\n{stdout}\n{stderr}");
        return stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    /// <summary>The dotnet host running these tests (the SDK sets DOTNET_HOST_PATH), else the one on PATH.</summary>
    private static string DotnetHost()
    {
        string? host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(host) && File.Exists(host))
        {
            return host;
        }

        string? current = Environment.ProcessPath;
        return current is not null && Path.GetFileNameWithoutExtension(current) == "dotnet" ? current : "dotnet";
    }
}
