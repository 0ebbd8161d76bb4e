using System;
using System.Diagnostics;
using System.IO;
using System.Text;
using Xunit;
using static RnnGen.Tests.Runtime.SafeTensorsTestFiles;

namespace RnnGen.Tests.Runtime;

/// <summary>Each rule of the format, broken once: refused with SafeTensorsFormatException naming file, tensor and rule.</summary>
public sealed class SafeTensorsValidationTests : IDisposable
{
    private const string A8 = "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}";
    private readonly TemporaryDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Theory]
    // Offsets: contiguous from 0 to the end, no overlap, no gap, no trailing bytes.
    [InlineData("{" + A8 + ",\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12, "b", "inside the previous tensor 'a' which ends at 8 (tensors must not overlap)")]
    [InlineData("{" + A8 + ",\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[12,20]}}", 20, "b", "a gap of 4 bytes")]
    [InlineData("{" + A8 + "}", 12, null, "4 bytes follow the last tensor's data")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12, "a", "starts at byte 4, not 0")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[8,0]}}", 8, "a", "end before they start")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8, "a", "hold 8 bytes but shape [3] of F32 needs 12")]
    [InlineData("{" + A8 + "}", 4, "a", "ends at byte 8 but the file has only 4 bytes of data")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296,16],\"data_offsets\":[0,8]}}", 8, "a", "overflow")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[4294967296,1073741824],\"data_offsets\":[0,8]}}", 8, "a", "too many bytes")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,99999999999999999999]}}", 8, "a", "more than a file offset")]
    [InlineData("{\"a\":{\"dtype\":\"F4\",\"shape\":[3],\"data_offsets\":[0,2]}}", 2, "a", "whole bytes")]
    // Names: no key twice, anywhere.
    [InlineData("{" + A8 + "," + A8 + "}", 16, "a", "the key 'a' twice")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"\\u0064type\":\"I32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8, "a", "the field 'dtype' twice")]
    [InlineData("{\"__metadata__\":{\"k\":\"1\",\"k\":\"2\"}," + A8 + "}", 8, null, "'__metadata__' has the key 'k' twice")]
    [InlineData("{\"__metadata__\":{},\"__metadata__\":{}," + A8 + "}", 8, null, "the key '__metadata__' twice")]
    // Types: dtype known, metadata strings only, integers only.
    [InlineData("{\"a\":{\"dtype\":\"Q7\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8, "a", "dtype 'Q7' is not one the format defines")]
    [InlineData("{\"a\":{\"dtype\":\"f32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8, "a", "dtype 'f32'")]
    [InlineData("{\"a\":{\"dtype\":32,\"shape\":[2],\"data_offsets\":[0,8]}}", 8, "a", "'dtype' must be a string, not a number")]
    [InlineData("{\"__metadata__\":{\"k\":1}," + A8 + "}", 8, null, "entry 'k' must be a string, not a number")]
    [InlineData("{\"__metadata__\":[\"k\"]," + A8 + "}", 8, null, "must be a JSON object of strings, not an array")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[2.0],\"data_offsets\":[0,8]}}", 8, "a", "non-negative integers, not 2.0")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8e0]}}", 8, "a", "non-negative integers, not 8e0")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", 8, "a", "non-negative integers, not -2")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":2,\"data_offsets\":[0,8]}}", 8, "a", "'shape' must be an array")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4,8]}}", 8, "a", "two numbers [start, end], not 3")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"data_offsets\":[0,8]}}", 8, "a", "the entry has no 'shape'")]
    [InlineData("{\"a\":[0,8]}", 8, "a", "must be a JSON object")]
    // JSON itself.
    [InlineData("[" + A8 + "]", 8, null, "does not start with '{'")]
    [InlineData(" {" + A8 + "}", 8, null, "does not start with '{'")]
    [InlineData("{" + A8 + ",}", 8, null, "not valid JSON")]
    [InlineData("{/* c */" + A8 + "}", 8, null, "not valid JSON")]
    [InlineData("{" + A8 + "}{}", 8, null, "not valid JSON")]
    [InlineData("{\"\\ud800\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8, null, "not valid Unicode")]
    public void BrokenRuleIsRefused(string header, int dataBytes, string? tensor, string rule)
    {
        string path = _directory.File("bad.safetensors");
        Write(path, header, new byte[dataBytes]);

        AssertRefused(path, tensor, rule, () => SafeTensors.Read(path));
    }

    [Theory]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8],\"extra\":{\"x\":[1,2]}}}", 8)]   // unknown fields are ignored, as by the reference
    [InlineData("{\"__metadata__\":null," + A8 + "}", 8)]
    [InlineData("{\"a\":{\"dtype\":\"F4\",\"shape\":[4],\"data_offsets\":[0,2]}}", 2)]
    [InlineData("{\"z\":{\"dtype\":\"U8\",\"shape\":[0,3],\"data_offsets\":[0,0]},\"a\":{\"dtype\":\"BF16\",\"shape\":[2,2],\"data_offsets\":[0,8]}}", 8)]
    [InlineData("{}", 0)]
    public void ValidEdgeCasesAreAccepted(string header, int dataBytes)
    {
        string path = _directory.File("ok.safetensors");
        Write(path, header, new byte[dataBytes]);

        using SafeTensorsFile file = SafeTensors.Read(path);

        Assert.NotNull(file.Names);
    }

    [Fact]
    public void TensorsAreListedInDataOrderWhateverTheHeaderOrder()
    {
        string path = _directory.File("order.safetensors");
        Write(path, "{\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]},\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", Floats(1f, 2f));

        using SafeTensorsFile file = SafeTensors.Read(path);

        Assert.Equal(["a", "b"], file.Names);
        Assert.Equal([2f], file.GetFloat32("b"));
    }

    [Fact]
    public void HeaderThatIsNotUtf8IsRefused()
    {
        string path = _directory.File("latin1.safetensors");
        byte[] file = Build("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", new byte[8]);
        file[10] = 0xFF;   // inside the name "a"

        File.WriteAllBytes(path, file);

        AssertRefused(path, null, "not valid UTF-8", () => SafeTensors.Read(path));
    }

    [Theory]
    [InlineData(100_000_001UL, "header length is 100,000,001 bytes, more than the 100,000,000 the format allows")]
    [InlineData(ulong.MaxValue, "header length is 18,446,744,073,709,551,615 bytes, more than the 100,000,000")]
    [InlineData(100_000_000UL, "header length is 100,000,000 bytes, but only 16 bytes follow")]
    [InlineData(17UL, "header length is 17 bytes, but only 16 bytes follow")]
    public void HeaderLengthOutOfRangeIsRefused(ulong declared, string rule)
    {
        string path = _directory.File("length.safetensors");
        Write(path, "{}", new byte[8], declaredLength: declared);

        AssertRefused(path, null, rule, () => SafeTensors.Read(path));
    }

    [Fact]
    public void HeaderLengthShorterThanTheJsonIsRefused()
    {
        string path = _directory.File("short-header.safetensors");
        Write(path, "{" + A8 + "}", new byte[8], declaredLength: 20);

        // The JSON breaks off inside the entry of 'a', so the message names it.
        AssertRefused(path, "a", "not valid JSON", () => SafeTensors.Read(path));
    }

    [Fact]
    public void ALargeFileWithABadHeaderIsRefusedWithoutReadingItsData()
    {
        // 1.9 GB, sparse: the old reader read all of it before looking at the header (11.5 s).
        string path = _directory.File("large-bad.safetensors");
        string header = "{\"a\":{\"dtype\":\"F32\",\"shape\":[475000000],\"data_offsets\":[0,1900000000]},oops}";
        WriteSparse(path, header, Build(header).Length + 1_900_000_000L, [1, 2, 3, 4]);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var clock = Stopwatch.StartNew();

        AssertRefused(path, null, "not valid JSON", () => SafeTensors.Read(path));

        clock.Stop();
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20, "Read allocated more than 1 MB for a 1.9 GB file's header.");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"Refusing took {clock.Elapsed.TotalMilliseconds:F0} ms.");
    }

    [Fact]
    public void AFileOver2GBIsReadLazilyAndATensorNearItsEndIsExact()
    {
        // 550,000,000 F32 = 2.2 GB of hole, then a small tensor whose offset is past 2^31.
        const long Big = 2_200_000_000L;
        byte[] tail = Floats(1.5f, -2.5f, 3.25f, float.MaxValue);
        string header = $"{{\"big\":{{\"dtype\":\"F32\",\"shape\":[550000000],\"data_offsets\":[0,{Big}]}},\"tail\":{{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[{Big},{Big + 16}]}}}}";
        string path = _directory.File("over2gb.safetensors");
        WriteSparse(path, header, Build(header).Length + Big + 16, tail);
        long before = GC.GetAllocatedBytesForCurrentThread();

        using SafeTensorsFile file = SafeTensors.Read(path);
        float[] values = file.GetFloat32("tail");

        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20, "Reading the header and a 16-byte tensor allocated more than 1 MB.");
        Assert.Equal(["big", "tail"], file.Names);
        Assert.Equal([550_000_000], file.GetShape("big"));
        Assert.Equal([1.5f, -2.5f, 3.25f, float.MaxValue], values);
    }

    [Fact]
    public void ATensorBeyondOneArrayIsDescribedButNotReadIntoAnArray()
    {
        // 2,200,000,000 F32 (8.8 GB, sparse): more elements than a .NET array holds, and a dimension past int.
        const long Count = 2_200_000_000L;
        string header = $"{{\"huge\":{{\"dtype\":\"F32\",\"shape\":[{Count}],\"data_offsets\":[0,{Count * 4}]}},\"ids\":{{\"dtype\":\"I32\",\"shape\":[2],\"data_offsets\":[{Count * 4},{(Count * 4) + 8}]}}}}";
        string path = _directory.File("huge.safetensors");
        WriteSparse(path, header, Build(header).Length + (Count * 4) + 8, [7, 0, 0, 0, 9, 0, 0, 0]);

        using SafeTensorsFile file = SafeTensors.Read(path);

        Assert.Equal("F32", file.GetDType("huge"));
        AssertRefused(path, "huge", "more than one .NET array or span holds (2,147,483,591)", () => file.GetFloat32("huge"));
        AssertRefused(path, "huge", "a dimension larger than 2,147,483,647", () => file.GetShape("huge"));
        Assert.Equal([7, 9], file.GetInt32("ids"));
    }
}
