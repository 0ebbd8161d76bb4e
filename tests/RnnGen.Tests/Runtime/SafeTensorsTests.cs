using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using Xunit;

namespace RnnGen.Tests.Runtime;

public sealed class SafeTensorsTests : IDisposable
{
    private readonly TemporaryDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    public static IEnumerable<object[]> ReferenceFiles() =>
        Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Reference"), "*.safetensors")
            .Order(StringComparer.Ordinal)
            .Select(path => new object[] { Path.GetFileName(path) });

    [Fact]
    public void WriteThenReadRoundTripsFloatIntAndMetadata()
    {
        string path = _directory.File("round.safetensors");
        float[] weights = [1.5f, -2.25f, float.Epsilon, float.MaxValue, -0f, 3e-8f];
        int[] ids = [0, -1, int.MaxValue, int.MinValue, 42];
        var metadata = new Dictionary<string, string> { ["format"] = "pt", ["note"] = "ünïcode \"quoted\"" };

        SafeTensors.Write(
            path,
            [
                SafeTensorEntry.Float32("w", [2, 3], weights),
                SafeTensorEntry.Int32("ids", [5], ids),
                SafeTensorEntry.Float32("scalar", [], [7f]),
            ],
            metadata);
        SafeTensorsFile file = SafeTensors.Read(path);

        Assert.Equal(["w", "ids", "scalar"], file.Names);
        Assert.Equal([2, 3], file.GetShape("w"));
        Assert.Equal("F32", file.GetDType("w"));
        Assert.Equal(weights, file.GetFloat32("w"));
        Assert.Equal([5], file.GetShape("ids"));
        Assert.Equal("I32", file.GetDType("ids"));
        Assert.Equal(ids, file.GetInt32("ids"));
        Assert.Empty(file.GetShape("scalar"));
        Assert.Equal([7f], file.GetFloat32("scalar"));
        Assert.Equal(metadata, file.Metadata);
    }

    [Fact]
    public void DataStartsOnAnEightByteBoundary()
    {
        string path = _directory.File("aligned.safetensors");
        SafeTensors.Write(path, [SafeTensorEntry.Float32("x", [1], [1f])]);

        long headerLength = BinaryPrimitives.ReadInt64LittleEndian(File.ReadAllBytes(path));

        Assert.Equal(0, headerLength % 8);
    }

    [Fact]
    public void ReadingAsTheWrongDTypeThrowsNamingTheTensor()
    {
        string path = _directory.File("dtype.safetensors");
        SafeTensors.Write(path, [SafeTensorEntry.Int32("ids", [2], [1, 2])]);

        using SafeTensorsFile file = SafeTensors.Read(path);

        var e = SafeTensorsTestFiles.AssertRefused(path, "ids", "I32", () => file.GetFloat32("ids"));

        Assert.Contains("F32", e.Message, StringComparison.Ordinal);
        SafeTensorsTestFiles.AssertRefused(path, "ids", "I32", () => file.ReadFloat32("ids", new float[2]));
    }

    [Fact]
    public void UnknownTensorOrMetadataKeyThrowsKeyNotFoundNamingItAndTheFile()
    {
        string path = _directory.File("one.safetensors");
        SafeTensors.Write(path, [SafeTensorEntry.Float32("x", [1], [1f])], new Dictionary<string, string> { ["epoch"] = "3" });
        using SafeTensorsFile file = SafeTensors.Read(path);

        foreach (Action lookup in new Action[] { () => file.GetShape("nope"), () => file.GetFloat32("nope"), () => file.GetInt32("nope"), () => file.GetDType("nope"), () => _ = file.Metadata["nope"] })
        {
            var e = Assert.Throws<KeyNotFoundException>(lookup);
            Assert.Contains("'nope'", e.Message, StringComparison.Ordinal);
            Assert.Contains(path, e.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("given key", e.Message, StringComparison.Ordinal);
        }

        Assert.False(file.Contains("nope"));
        Assert.False(file.Metadata.ContainsKey("nope"));
    }

    [Fact]
    public void ReadIntoASpanChecksItsLengthAndADisposedFileRefusesData()
    {
        string path = _directory.File("span.safetensors");
        SafeTensors.Write(path, [SafeTensorEntry.Float32("w", [3], [1f, 2f, 3f]), SafeTensorEntry.Int32("i", [2], [4, 5])]);
        SafeTensorsFile file = SafeTensors.Read(path);
        float[] w = new float[3];
        int[] i = new int[2];

        file.ReadFloat32("w", w);
        file.ReadInt32("i", i);
        Assert.Throws<ArgumentException>(() => file.ReadFloat32("w", new float[4]));
        file.Dispose();

        Assert.Equal([1f, 2f, 3f], w);
        Assert.Equal([4, 5], i);
        Assert.Equal([3], file.GetShape("w"));   // the header stays readable
        Assert.Throws<ObjectDisposedException>(() => file.GetFloat32("w"));
    }

    [Theory]
    [MemberData(nameof(ReferenceFiles))]
    public void ReadsEveryPyTorchReferenceFile(string fileName)
    {
        SafeTensorsFile file = SafeTensors.Read(Path.Combine(AppContext.BaseDirectory, "Reference", fileName));

        Assert.Contains("RnnModel(", file.Metadata["declaration"], StringComparison.Ordinal);
        Assert.Equal([1], file.GetShape("loss"));
        Assert.True(float.IsFinite(file.GetFloat32("loss")[0]));
        int[] inputShape = file.GetShape("input");
        Assert.Equal([inputShape[0]], file.GetShape("lengths"));
        Assert.All(file.GetInt32("lengths"), length => Assert.InRange(length, 1, inputShape[1]));

        // Every parameter has a gradient of the same shape.
        string[] parameters = file.Names.Where(n => n.Contains('.', StringComparison.Ordinal) && !n.StartsWith("grad.", StringComparison.Ordinal)).ToArray();
        Assert.NotEmpty(parameters);
        foreach (string name in parameters)
        {
            Assert.Equal(file.GetShape(name), file.GetShape("grad." + name));
            Assert.All(file.GetFloat32(name), v => Assert.True(float.IsFinite(v)));
        }
    }

    [Fact]
    public void ReferenceFilesHaveTheDeclaredShapes()
    {
        string folder = Path.Combine(AppContext.BaseDirectory, "Reference");
        SafeTensorsFile lstm = SafeTensors.Read(Path.Combine(folder, "lstm_2layer_mse.safetensors"));
        SafeTensorsFile bidirectional = SafeTensors.Read(Path.Combine(folder, "lstm_bidir_mse.safetensors"));
        SafeTensorsFile embedded = SafeTensors.Read(Path.Combine(folder, "embed_gru_lm_ce.safetensors"));

        Assert.Equal([32, 5], lstm.GetShape("rnn.weight_ih_l0"));   // 4 gates x H=8, I=5
        Assert.Equal([32, 8], lstm.GetShape("rnn.weight_ih_l1"));
        Assert.Equal([3, 6, 5], lstm.GetShape("input"));
        Assert.Equal([24, 6], bidirectional.GetShape("rnn.weight_hh_l0_reverse"));
        Assert.Equal([3, 12], bidirectional.GetShape("fc.weight"));   // 2 directions x H=6
        Assert.Equal([11, 6], embedded.GetShape("embed.weight"));
        Assert.Equal("I32", embedded.GetDType("input"));
        Assert.Equal([2, 8], embedded.GetShape("input"));
        Assert.All(embedded.GetInt32("input"), id => Assert.InRange(id, 0, 10));
    }

    [Fact]
    public void ManifestMatchesEachFilesDeclaration()
    {
        string folder = Path.Combine(AppContext.BaseDirectory, "Reference");
        using JsonDocument manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "manifest.json")));

        int cases = 0;
        foreach (JsonElement entry in manifest.RootElement.EnumerateArray())
        {
            SafeTensorsFile file = SafeTensors.Read(Path.Combine(folder, entry.GetProperty("file").GetString()!));
            Assert.Equal(entry.GetProperty("declaration").GetString(), file.Metadata["declaration"]);
            cases++;
        }

        Assert.Equal(ReferenceFiles().Count(), cases);
    }

    [Fact]
    public void TooShortFileIsRefused()
    {
        string path = _directory.File("short.safetensors");
        File.WriteAllBytes(path, [1, 2, 3]);

        SafeTensorsTestFiles.AssertRefused(path, null, "3 bytes, shorter than the 8-byte header length", () => SafeTensors.Read(path));
    }

    [Fact]
    public void HeaderLengthBeyondTheFileIsRefused()
    {
        string path = _directory.File("long-header.safetensors");
        WriteRaw(path, "{}", declaredLength: 1000);

        SafeTensorsTestFiles.AssertRefused(path, null, "header length is 1,000 bytes, but only 2 bytes follow", () => SafeTensors.Read(path));
    }

    [Theory]
    [InlineData("{not json", "not valid JSON")]
    [InlineData("[1, 2]", "does not start with '{'")]
    [InlineData("{\"x\": {\"dtype\": \"F32\", \"shape\": [1]}}", "no 'data_offsets'")]
    [InlineData("{\"x\": {\"dtype\": \"F32\", \"shape\": [\"a\"], \"data_offsets\": [0, 4]}}", "non-negative integers")]
    [InlineData("{\"x\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": []}}", "two numbers")]
    [InlineData("{\"x\": {\"dtype\": \"F32\", \"shape\": [-1, -1], \"data_offsets\": [0, 4]}}", "non-negative integers")]
    [InlineData("{\"x\": {\"dtype\": \"Q7\", \"shape\": [1], \"data_offsets\": [0, 4]}}", "Q7")]
    [InlineData("{\"x\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 4]}}", "needs 8")]
    public void MalformedHeaderIsRefusedNamingTheFileAndTheRule(string header, string expectedInMessage)
    {
        string path = _directory.File("bad.safetensors");
        WriteRaw(path, header, data: new byte[4]);

        var e = Assert.Throws<SafeTensorsFormatException>(() => SafeTensors.Read(path));

        Assert.Contains(expectedInMessage, e.Message, StringComparison.Ordinal);
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TruncatedDataIsRefusedNamingTheLastTensor()
    {
        string path = _directory.File("truncated.safetensors");
        SafeTensors.Write(path, [SafeTensorEntry.Float32("a", [2], [1f, 2f]), SafeTensorEntry.Float32("b", [4], [1f, 2f, 3f, 4f])]);
        byte[] bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^3]);

        SafeTensorsTestFiles.AssertRefused(path, "b", "only 21 bytes of data", () => SafeTensors.Read(path));
    }

    [Fact]
    public void FailedWriteLeavesThePreviousFileIntactAndNoTemporaryFile()
    {
        string path = _directory.File("model.safetensors");
        SafeTensors.Write(path, [SafeTensorEntry.Float32("w", [2], [1f, 2f])]);
        byte[] before = File.ReadAllBytes(path);

        Assert.Throws<ArgumentException>(() => SafeTensors.Write(
            path,
            [SafeTensorEntry.Float32("w", [1], [9f]), SafeTensorEntry.Float32("w", [1], [9f])]));

        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal([path], _directory.Entries());
    }

    [Fact]
    public void WriteThatFailsAfterTheTemporaryFileIsWrittenCleansUp()
    {
        // A folder in the way makes the final rename fail after every byte went to the temporary file.
        string path = _directory.File("blocked.safetensors");
        Directory.CreateDirectory(path);

        Assert.ThrowsAny<IOException>(() => SafeTensors.Write(path, [SafeTensorEntry.Float32("w", [1], [1f])]));

        Assert.Equal([path], _directory.Entries());
    }

    [Fact]
    public void WriteReplacesAnExistingFile()
    {
        string path = _directory.File("model.safetensors");
        SafeTensors.Write(path, [SafeTensorEntry.Float32("old", [3], [1f, 2f, 3f])]);

        SafeTensors.Write(path, [SafeTensorEntry.Float32("new", [1], [4f])]);

        Assert.Equal(["new"], SafeTensors.Read(path).Names);
        Assert.Equal([path], _directory.Entries());
    }

    [Fact]
    public void EntryWithTheWrongElementCountThrows()
    {
        var e = Assert.Throws<ArgumentException>(() => SafeTensorEntry.Float32("w", [2, 3], new float[5]));

        Assert.Contains("[2, 3]", e.Message, StringComparison.Ordinal);
    }

    private static void WriteRaw(string path, string header, long? declaredLength = null, byte[]? data = null)
    {
        byte[] json = Encoding.UTF8.GetBytes(header);
        using var stream = File.Create(path);
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(length, declaredLength ?? json.Length);
        stream.Write(length);
        stream.Write(json);
        stream.Write(data ?? []);
    }
}
