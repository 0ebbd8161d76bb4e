using System;
using System.IO;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Threading.Tasks;
using Xunit;
using static RnnGen.Tests.Runtime.SafeTensorsTestFiles;

namespace RnnGen.Tests.Runtime;

/// <summary>Anything but a regular file is refused at once, without reading it and without blocking.</summary>
public sealed partial class SafeTensorsFileTypeTests : IDisposable
{
    private readonly TemporaryDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [UnixFact]
    public void DevZeroIsRefusedAtOnce()
    {
        AssertRefused("/dev/zero", null, "a character device, not a regular file", () => SafeTensors.Read("/dev/zero"));
    }

    [UnixFact]
    public void AFifoIsRefusedWithoutBlocking()
    {
        string fifo = _directory.File("pipe.safetensors");
        Assert.Equal(0, MakeFifo(fifo, Convert.ToUInt32("600", 8)));

        AssertFifoRefused(fifo, fifo);
    }

    [UnixFact]
    public void ASymbolicLinkToAFifoIsRefusedWithoutBlocking()
    {
        string fifo = _directory.File("pipe");
        Assert.Equal(0, MakeFifo(fifo, Convert.ToUInt32("600", 8)));
        string link = _directory.File("link.safetensors");
        File.CreateSymbolicLink(link, fifo);

        AssertFifoRefused(link, fifo);
    }

    [Fact]
    public void ADirectoryIsRefused()
    {
        string folder = _directory.File("folder.safetensors");
        Directory.CreateDirectory(folder);

        AssertRefused(folder, null, "a directory, not a regular file", () => SafeTensors.Read(folder));
    }

    [UnixFact]
    public void ASocketIsRefused()
    {
        string path = _directory.File("socket.safetensors");
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(path));

        AssertRefused(path, null, "not a regular file", () => SafeTensors.Read(path));
    }

    [Fact]
    public void AMissingFileThrowsFileNotFound()
    {
        string path = _directory.File("absent.safetensors");

        var e = Assert.Throws<FileNotFoundException>(() => SafeTensors.Read(path));

        Assert.Contains(path, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ASymbolicLinkToARegularFileIsRead()
    {
        string target = _directory.File("target.safetensors");
        SafeTensors.Write(target, [SafeTensorEntry.Float32("w", [2], [1f, 2f])]);
        string link = _directory.File("link.safetensors");
        File.CreateSymbolicLink(link, target);

        using SafeTensorsFile file = SafeTensors.Read(link);

        Assert.Equal([1f, 2f], file.GetFloat32("w"));
    }

    private static void AssertFifoRefused(string path, string fifo)
    {
        Task<SafeTensorsFile> read = Task.Run(() => SafeTensors.Read(path));
        bool finished = false;
        try
        {
            finished = ((Task)read).Wait(TimeSpan.FromSeconds(10));
        }
        catch (AggregateException)
        {
            finished = true;
        }
        finally
        {
            if (!finished)
            {
                // Release the blocked open: a writer's open completes a reader's, so the test run can end.
                using var writer = new FileStream(fifo, FileMode.Open, FileAccess.Write);
            }
        }

        Assert.True(finished, "SafeTensors.Read blocked on a FIFO for 10 s.");
        var e = Assert.IsType<SafeTensorsFormatException>(read.Exception?.InnerException);
        Assert.Equal(path, e.FilePath);
        Assert.Contains("a FIFO (named pipe), not a regular file", e.Message, StringComparison.Ordinal);
    }

    [LibraryImport("libc", EntryPoint = "mkfifo", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int MakeFifo(string path, uint mode);
}
