using System;
using System.Diagnostics;
using Xunit;

namespace RnnGen.Tests.Runtime;

public sealed class AlignedBufferTests
{
    [Fact]
    public void AnOwnedBufferIsAlignedAndZeroed()
    {
        var buffer = new AlignedBuffer(100, "Test activations");

        Assert.Equal(100, buffer.Length);
        Assert.All(buffer.Span.ToArray(), v => Assert.Equal(0f, v));
        unsafe
        {
            fixed (float* p = buffer.Span)
            {
                Assert.Equal(0, (long)p % 64);
            }
        }
    }

    [Fact]
    public void MoreThanOneArrayHoldsNamesTheOwnerAndTheSize()
    {
        var e = Assert.Throws<InsufficientMemoryException>(() => new AlignedBuffer(int.MaxValue, "MyNs.MyModel activations"));

        Assert.Equal("MyNs.MyModel activations: 2,147,483,647 floats (8.6 GB) are more than one .NET array holds (2,147,483,575 floats with alignment padding).", e.Message);
    }

    [Fact]
    public void OutOfMemoryNamesTheOwnerAndTheSize()
    {
        // A child process with a 256 MB GC heap limit asks for 4 GB.
        ProcessStartInfo start = SaveWorkerProcess.StartInfo("allocate", "1000000000", "MyNs.MyModel activations");
        start.Environment["DOTNET_GCHeapHardLimit"] = "0x10000000";
        using Process child = Process.Start(start)!;
        string stderr = child.StandardError.ReadToEnd();
        child.WaitForExit();

        Assert.Equal(3, child.ExitCode);
        Assert.Contains("System.InsufficientMemoryException: MyNs.MyModel activations: could not allocate 1,000,000,000 floats (4.0 GB)", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void TheOwnerMustBeNamed()
    {
        Assert.Throws<ArgumentException>(() => new AlignedBuffer(4, ""));
        Assert.Throws<ArgumentOutOfRangeException>(() => new AlignedBuffer(-1, "x"));
    }
}
