using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using RnnGen.SaveWorker;
using Xunit;
using Xunit.Abstractions;

namespace RnnGen.Tests.Runtime;

/// <summary>
/// A child process saves two parameter sets to one path in turn; the test kills it at random moments.
/// After every kill the file is complete and equal to one of the two sets, and the temporary file a kill
/// leaves behind is gone once the next process has saved.
/// </summary>
public sealed class SafeTensorsKillTests : IDisposable
{
    private const int Kills = 20;
    private readonly TemporaryDirectory _directory = new();
    private readonly ITestOutputHelper _output;

    public SafeTensorsKillTests(ITestOutputHelper output) => _output = output;

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void AKilledSaveNeverLeavesAPartialFileAndItsTemporaryIsCleanedNextTime()
    {
        string path = _directory.File("model.safetensors");
        float[][] contents = [Snapshot(SaveWorkerContents.Filled(0)), Snapshot(SaveWorkerContents.Filled(1))];
        var random = new Random(7);
        string[] leftover = [];
        int killedMidSave = 0;

        for (int kill = 0; kill < Kills; kill++)
        {
            using Process worker = SaveWorkerProcess.Start("loop", path);
            try
            {
                // Its first save ran the cleanup: whatever the last kill left must be gone.
                WaitForFirstSave(worker);
                Assert.All(leftover, file => Assert.False(File.Exists(file), $"Stale temporary '{file}' survived the next save."));
                Thread.Sleep(random.Next(60));
            }
            finally
            {
                worker.Kill();
                worker.WaitForExit();
            }

            leftover = Temporaries();
            killedMidSave += leftover.Length;
            Assert.True(leftover.Length <= 1, $"{leftover.Length} temporary files after kill {kill}: {string.Join(", ", leftover)}");
            AssertComplete(path, contents, kill);
        }

        // One more process that saves once and exits: it leaves no temporary behind.
        using (Process once = SaveWorkerProcess.Start("once", path, "1"))
        {
            Assert.True(once.WaitForExit(60_000), "The final save did not finish.");
            Assert.True(once.ExitCode == 0, $"The final save failed: exit code {once.ExitCode}.");
        }

        Assert.Empty(Temporaries());
        Assert.Equal(contents[1], Load(path));
        _output.WriteLine($"{Kills} kills; {killedMidSave} kills left a temporary file (a save in progress).");
    }

    private static void WaitForFirstSave(Process worker)
    {
        // ReadLine on a thread of its own, so that a worker that never prints fails the test instead of hanging it.
        string? line = null;
        var reader = new Thread(() => line = worker.StandardOutput.ReadLine()) { IsBackground = true };
        reader.Start();
        Assert.True(reader.Join(TimeSpan.FromSeconds(60)), "The worker did not save within 60 s.");
        if (line?.StartsWith("saved", StringComparison.Ordinal) != true)
        {
            // Only now: reading stderr to its end waits for the worker to exit.
            worker.Kill();
            Assert.Fail($"Worker said '{line}': {worker.StandardError.ReadToEnd()}");
        }
    }

    private void AssertComplete(string path, float[][] contents, int kill)
    {
        float[] onDisk = Load(path);
        Assert.True(onDisk.SequenceEqual(contents[0]) || onDisk.SequenceEqual(contents[1]), $"After kill {kill} the file holds neither set.");
    }

    private static float[] Load(string path)
    {
        ParameterSet set = SaveWorkerContents.Create();
        set.Load(path);   // throws SafeTensorsFormatException on a partial file
        return Snapshot(set);
    }

    private static float[] Snapshot(ParameterSet set) => [.. set.Names.SelectMany(n => set[n].ToArray())];

    private string[] Temporaries() => [.. _directory.Entries().Where(e => e.EndsWith(".tmp", StringComparison.Ordinal))];
}
