using System;
using System.IO;

namespace RnnGen.Tests.Runtime;

/// <summary>A fresh folder per test, deleted on dispose, so file tests never see each other's files.</summary>
internal sealed class TemporaryDirectory : IDisposable
{
    public TemporaryDirectory(string? root = null)
    {
        Path = System.IO.Path.Combine(root ?? System.IO.Path.GetTempPath(), "rnngen-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public string[] Entries() => Directory.GetFileSystemEntries(Path);

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
