using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using Xunit;

namespace RnnGen.Tests.Runtime;

/// <summary>The writer: canonical bytes, streaming past 2 GB in bounded memory, atomic replacement, temporary files.</summary>
public sealed class SafeTensorsWriterTests : IDisposable
{
    private readonly TemporaryDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    public static IEnumerable<object[]> ReferenceWriterCases() =>
    [
        // huggingface/safetensors tensor.rs: test_serialization, test_serialization_forced_alignement, test_empty.
        ["attn.0", new[] { 1, 2, 3 }, 64, "{\"attn.0\":{\"dtype\":\"F32\",\"shape\":[1,2,3],\"data_offsets\":[0,24]}}", false],
        ["attn0", new[] { 1, 1, 2, 3 }, 72, "{\"attn0\":{\"dtype\":\"F32\",\"shape\":[1,1,2,3],\"data_offsets\":[0,24]}}       ", false],
        ["", Array.Empty<int>(), 8, "{}      ", false],
        ["", Array.Empty<int>(), 40, "{\"__metadata__\":{\"framework\":\"pt\"}}     ", true],
    ];

    [Theory]
    [MemberData(nameof(ReferenceWriterCases))]
    public void BytesEqualTheReferenceWritersTestVectors(string name, int[] shape, long headerLength, string header, bool withMetadata)
    {
        string path = _directory.File("reference.safetensors");
        float[] data = [0f, 1f, 2f, 3f, 4f, 5f];
        SafeTensorEntry[] tensors = name.Length == 0 ? [] : [SafeTensorEntry.Float32(name, shape, data)];

        SafeTensors.Write(path, tensors, withMetadata ? new Dictionary<string, string> { ["framework"] = "pt" } : null);

        byte[] expected = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(expected, headerLength);
        expected = [.. expected, .. Encoding.UTF8.GetBytes(header), .. (name.Length == 0 ? [] : SafeTensorsTestFiles.Floats(data))];
        Assert.Equal(expected, File.ReadAllBytes(path));
    }

    [Fact]
    public void NamesAndMetadataWithEveryEscapeRoundTrip()
    {
        string path = _directory.File("escapes.safetensors");
        string name = "q\"uote\\back/slash\n\t\r\b\f\u0001\u001f\u007f ünï 中文 🎉";
        var metadata = new Dictionary<string, string> { [name] = name + "!", ["empty"] = "" };

        SafeTensors.Write(path, [SafeTensorEntry.Float32(name, [1], [2f])], metadata);
        using SafeTensorsFile file = SafeTensors.Read(path);

        Assert.Equal([name], file.Names);
        Assert.Equal([2f], file.GetFloat32(name));
        Assert.Equal(name + "!", file.Metadata[name]);
        Assert.Equal("", file.Metadata["empty"]);
    }

    [Fact]
    public void ANameThatIsNotValidUnicodeIsRefusedBeforeAnyFileIsCreated()
    {
        string path = _directory.File("surrogate.safetensors");

        var e = Assert.Throws<ArgumentException>(() => SafeTensors.Write(path, [SafeTensorEntry.Float32("bad\ud800", [1], [1f])]));

        Assert.Contains("lone surrogate", e.Message, StringComparison.Ordinal);
        Assert.Empty(_directory.Entries());
    }

    [Fact]
    public void StreamsPast2GBThroughASmallBuffer()
    {
        // A synthetic 1,000,000 x 600 F32 tensor (2.4 GB) written to a stream that checks and drops the
        // bytes: the writer's offsets and chunking past 2^31, with no disk and no 2.4 GB array.
        var tensor = SafeTensorEntry.FromSource("embed.weight", "F32", [1_000_000, 600],
            (offset, destination) => destination.Fill((byte)(offset >> 20)));
        var tail = SafeTensorEntry.Float32("fc.bias", [2], [1.5f, -2f]);
        var sink = new CheckingStream();
        long before = GC.GetAllocatedBytesForCurrentThread();

        long length = SafeTensors.WriteTo(sink, [tensor, tail]);

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < 4 << 20, $"Writing 2.4 GB allocated {allocated:N0} bytes.");
        Assert.Equal(length, sink.Length);
        Assert.Equal(sink.HeaderLength + 2_400_000_000L + 8, length);
        Assert.Equal(0, sink.Mismatches);
        Assert.Equal(SafeTensorsTestFiles.Floats(1.5f, -2f), sink.Last8);
        Assert.Contains("\"data_offsets\":[0,2400000000]", sink.Header, StringComparison.Ordinal);
        Assert.Contains("\"data_offsets\":[2400000000,2400000008]", sink.Header, StringComparison.Ordinal);
    }

    [Fact]
    public void ParameterSetSaveStreamsFromTheSetWithoutCopyingIt()
    {
        var set = new ParameterSet([("embed.weight", [4096, 4096]), ("fc.bias", [3])]);   // 64 MB
        set["embed.weight"].Fill(0.5f);
        set["embed.weight"][^1] = 9f;
        set["fc.bias"].Fill(-1f);
        string path = _directory.File("big.safetensors");
        long before = GC.GetAllocatedBytesForCurrentThread();

        set.Save(path);

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < 4 << 20, $"Saving a 64 MB set allocated {allocated:N0} bytes.");
        var loaded = new ParameterSet([("embed.weight", [4096, 4096]), ("fc.bias", [3])]);
        loaded.Load(path);
        Assert.True(loaded.Data.SequenceEqual(set.Data));
    }

    [Fact]
    public void AFailureWhileWritingKeepsThePreviousFileAndRemovesTheTemporary()
    {
        string path = _directory.File("model.safetensors");
        SafeTensors.Write(path, [SafeTensorEntry.Float32("w", [2], [1f, 2f])]);
        byte[] before = File.ReadAllBytes(path);
        var failing = SafeTensorEntry.FromSource("big", "U8", [3 << 20], (offset, destination) =>
        {
            if (offset > 0)
            {
                throw new IOException("source failed");
            }

            destination.Fill(1);
        });

        var e = Assert.Throws<IOException>(() => SafeTensors.Write(path, [failing]));

        Assert.Equal("source failed", e.Message);
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal([path], _directory.Entries());
    }

    [Fact]
    public void AStaleTemporaryOfADeadProcessIsRemovedByTheNextSave()
    {
        string path = _directory.File("model.safetensors");
        int dead = DeadProcessId();
        string stale = _directory.File($"model.safetensors.{dead}.0123abcd.tmp");
        File.WriteAllBytes(stale, new byte[100]);

        SafeTensors.Write(path, [SafeTensorEntry.Float32("w", [1], [1f])]);

        Assert.False(File.Exists(stale));
        Assert.Equal([path], _directory.Entries());
    }

    [Fact]
    public void TemporariesOfLiveOrLockingWritersAndUnrelatedFilesAreKept()
    {
        string path = _directory.File("model.safetensors");
        int dead = DeadProcessId();
        string[] kept =
        [
            _directory.File($"model.safetensors.{Environment.ProcessId}.0123abcd.tmp"),   // this process: another thread's save
            _directory.File($"model.safetensors.{dead}.0123abcd.tmp.bak"),
            _directory.File($"model.safetensors.{dead}.0123ABCD.tmp"),
            _directory.File($"model.safetensors.{dead}.tmp"),
            _directory.File($"model.safetensors.x{dead}.0123abcd.tmp"),
            _directory.File($"other.safetensors.{dead}.0123abcd.tmp"),
            _directory.File($"model.safetensors.5.{dead}.0123abcd.tmp"),   // a temporary of "model.safetensors.5"
        ];
        foreach (string file in kept)
        {
            File.WriteAllBytes(file, [1]);
        }

        // A writer whose id is not running here (another PID namespace) but which holds its lock.
        string locked = _directory.File($"model.safetensors.{dead}.fedcba98.tmp");
        using (var writer = new FileStream(locked, FileMode.CreateNew, FileAccess.Write, FileShare.None))
        {
            SafeTensors.Write(path, [SafeTensorEntry.Float32("w", [1], [1f])]);

            Assert.True(File.Exists(locked));
        }

        SafeTensors.Write(path, [SafeTensorEntry.Float32("w", [1], [2f])]);

        Assert.False(File.Exists(locked));
        Assert.All(kept, file => Assert.True(File.Exists(file), file));
    }

    [UnixFact]
    public void ATemporaryOfARunningProcessIsKept()
    {
        // Process 1 (init) always runs on Unix.
        string path = _directory.File("model.safetensors");
        string live = _directory.File("model.safetensors.1.0123abcd.tmp");
        File.WriteAllBytes(live, [1]);

        SafeTensors.Write(path, [SafeTensorEntry.Float32("w", [1], [1f])]);

        Assert.True(File.Exists(live));
    }

    [Fact]
    public void TheTemporaryNameIsRecognisedExactly()
    {
        Assert.True(AtomicFile.TryParseTemporary("m.safetensors.123.0a1b2c3d.tmp", "m.safetensors", out int pid));
        Assert.Equal(123, pid);
        Assert.False(AtomicFile.TryParseTemporary("m.safetensors.123.0a1b2c3d.tmp", "m", out _));
        Assert.False(AtomicFile.TryParseTemporary("m.safetensors.-1.0a1b2c3d.tmp", "m.safetensors", out _));
        Assert.False(AtomicFile.TryParseTemporary("m.safetensors.0.0a1b2c3d.tmp", "m.safetensors", out _));
        Assert.False(AtomicFile.TryParseTemporary("m.safetensors.tmp", "m.safetensors", out _));
    }

    /// <summary>The id of a process that has exited and been reaped.</summary>
    private static int DeadProcessId()
    {
        using Process child = SaveWorkerProcess.Start();   // no arguments: prints its usage and exits
        child.WaitForExit();
        return child.Id;
    }

    /// <summary>Takes the written bytes, checks the data against the synthetic source's pattern, keeps only the header and the last 8 bytes.</summary>
    private sealed class CheckingStream : Stream
    {
        private readonly List<byte> _head = [];
        private long _position;

        public long HeaderLength { get; private set; } = -1;

        public string Header => Encoding.UTF8.GetString(_head.Skip(8).Take((int)(HeaderLength - 8)).ToArray());

        public int Mismatches { get; private set; }

        public byte[] Last8 { get; } = new byte[8];

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => _position;

        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            if (HeaderLength < 0)
            {
                _head.AddRange(buffer.ToArray());
                HeaderLength = 8 + BinaryPrimitives.ReadInt64LittleEndian(buffer);
            }
            else if (_position >= HeaderLength && _position - HeaderLength < 2_400_000_000L)
            {
                // The big tensor's chunks: every byte is (data offset >> 20), so check both ends.
                long first = _position - HeaderLength, last = first + buffer.Length - 1;
                Mismatches += buffer[0] == (byte)(first >> 20) && buffer[^1] == (byte)(last >> 20) ? 0 : 1;
            }

            _position += buffer.Length;
            if (buffer.Length >= 8)
            {
                buffer[^8..].CopyTo(Last8);
            }
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
