using System;
using System.Buffers.Binary;
using System.Diagnostics;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;
using Xunit;

namespace RnnGen.Tests.Runtime;

/// <summary>Builds safetensors files byte by byte, for tests of what the reader must refuse.</summary>
internal static class SafeTensorsTestFiles
{
    /// <summary>The length prefix, the header (padded with spaces to a multiple of 8 unless told not to) and the data.</summary>
    public static byte[] Build(string header, byte[]? data = null, ulong? declaredLength = null, bool pad = true)
    {
        byte[] json = Encoding.UTF8.GetBytes(header);
        int padded = pad ? (json.Length + 7) & ~7 : json.Length;
        data ??= [];
        byte[] file = new byte[8 + padded + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(file, declaredLength ?? (ulong)padded);
        json.CopyTo(file, 8);
        file.AsSpan(8 + json.Length, padded - json.Length).Fill((byte)' ');
        data.CopyTo(file, 8 + padded);
        return file;
    }

    public static void Write(string path, string header, byte[]? data = null, ulong? declaredLength = null, bool pad = true) =>
        File.WriteAllBytes(path, Build(header, data, declaredLength, pad));

    public static byte[] Floats(params float[] values) => MemoryMarshal.AsBytes(values.AsSpan()).ToArray();

    /// <summary>Refused with the one exception type, naming the file and the tensor.</summary>
    public static SafeTensorsFormatException AssertRefused(string path, string? tensor, string fragment, Action read)
    {
        var e = Assert.Throws<SafeTensorsFormatException>(read);
        Assert.Equal(path, e.FilePath);
        Assert.Equal(tensor, e.TensorName);
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        if (tensor is not null)
        {
            Assert.Contains($"'{tensor}'", e.Message, StringComparison.Ordinal);
        }

        Assert.Contains(fragment, e.Message, StringComparison.Ordinal);
        return e;
    }

    /// <summary>A file of <paramref name="length"/> bytes that costs no disk: the header at the start, the rest a hole except <paramref name="tail"/>.</summary>
    public static void WriteSparse(string path, string header, long length, byte[] tail)
    {
        byte[] head = Build(header);
        using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write);
        stream.Write(head);
        stream.SetLength(length);
        stream.Position = length - tail.Length;
        stream.Write(tail);
    }
}

/// <summary>Starts tests/RnnGen.SaveWorker, which the test project references so that it sits next to the tests.</summary>
internal static class SaveWorkerProcess
{
    public static Process Start(params string[] arguments) =>
        Process.Start(StartInfo(arguments)) ?? throw new InvalidOperationException("Could not start RnnGen.SaveWorker.");

    public static ProcessStartInfo StartInfo(params string[] arguments)
    {
        // dotnet test sets DOTNET_HOST_PATH; a test host started as 'dotnet testhost.dll' is the host itself.
        string? host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (string.IsNullOrEmpty(host) || !File.Exists(host))
        {
            string? self = Environment.ProcessPath;
            host = self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet";
        }

        var start = new ProcessStartInfo(host)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "RnnGen.SaveWorker.dll"));
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return start;
    }
}

/// <summary>A test of FIFOs, sockets and device files: these exist only on Unix.</summary>
public sealed class UnixFactAttribute : FactAttribute
{
    public UnixFactAttribute()
    {
        if (OperatingSystem.IsWindows())
        {
            Skip = "FIFOs, Unix sockets and /dev/zero exist only on Unix.";
        }
    }
}

/// <summary>A test that runs /usr/bin/python3 as an independent reader; CI installs python3.</summary>
public sealed class PythonFactAttribute : FactAttribute
{
    public const string Python = "/usr/bin/python3";

    public PythonFactAttribute()
    {
        if (!File.Exists(Python))
        {
            Skip = $"{Python} is absent; install python3 to check files against an independent reader.";
        }
    }
}
