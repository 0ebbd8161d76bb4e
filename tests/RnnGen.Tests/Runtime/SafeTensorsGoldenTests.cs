using System;
using System.Collections.Generic;
using System.IO;
using Xunit;

namespace RnnGen.Tests.Runtime;

/// <summary>
/// Golden/python_written.safetensors was written by Golden/make_golden.py (Python's standard library,
/// laid out as the reference writer does). Our reader reads it exactly, and our writer, given the same
/// tensors and metadata, writes the same bytes.
/// </summary>
public sealed class SafeTensorsGoldenTests : IDisposable
{
    private static readonly string GoldenPath = Path.Combine(AppContext.BaseDirectory, "Runtime", "Golden", "python_written.safetensors");
    private static readonly string OddName = "\u00fcn\u00ef \"code\"\\name\n\u0001";
    private readonly TemporaryDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void OurReaderReadsThePythonFileExactly()
    {
        using SafeTensorsFile file = SafeTensors.Read(GoldenPath);

        Assert.Equal(["fc.weight", "ids", "empty", "scalar", OddName], file.Names);
        Assert.Equal(Metadata(), file.Metadata);
        Assert.Equal([2, 3], file.GetShape("fc.weight"));
        Assert.Equal([1.5f, -2.25f, 0f, 3.0e-8f, 1.0e30f, -0f], file.GetFloat32("fc.weight"));
        Assert.True(float.IsNegative(file.GetFloat32("fc.weight")[5]));
        Assert.Equal([0, -1, int.MaxValue, int.MinValue], file.GetInt32("ids"));
        Assert.Equal([0, 5], file.GetShape("empty"));
        Assert.Empty(file.GetFloat32("empty"));
        Assert.Empty(file.GetShape("scalar"));
        Assert.Equal([7f], file.GetFloat32("scalar"));
        Assert.Equal([0.1f], file.GetFloat32(OddName));
    }

    [Fact]
    public void OurWriterWritesThePythonFilesBytes()
    {
        string path = _directory.File("ours.safetensors");

        SafeTensors.Write(
            path,
            [
                SafeTensorEntry.Float32("fc.weight", [2, 3], [1.5f, -2.25f, 0f, 3.0e-8f, 1.0e30f, -0f]),
                SafeTensorEntry.Int32("ids", [4], [0, -1, int.MaxValue, int.MinValue]),
                SafeTensorEntry.Float32("empty", [0, 5], []),
                SafeTensorEntry.Float32("scalar", [], [7f]),
                SafeTensorEntry.Float32(OddName, [1], [0.1f]),
            ],
            Metadata());

        Assert.Equal(File.ReadAllBytes(GoldenPath), File.ReadAllBytes(path));
    }

    private static Dictionary<string, string> Metadata() => new()
    {
        ["format"] = "pt",
        ["note"] = "\u00fcn\u00efcode \"quoted\" \\ \t \u0001 \u007f /",
    };
}
