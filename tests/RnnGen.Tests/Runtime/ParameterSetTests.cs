using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using Xunit;

namespace RnnGen.Tests.Runtime;

public sealed class ParameterSetTests : IDisposable
{
    private readonly TemporaryDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private static ParameterSet Create() => new([("fc.weight", [4, 3]), ("fc.bias", [4]), ("odd", [1, 7])]);

    private static ParameterSet Filled(float offset)
    {
        ParameterSet set = Create();
        int k = 0;
        foreach (string name in set.Names)
        {
            Span<float> t = set[name];
            for (int i = 0; i < t.Length; i++)
            {
                t[i] = offset + (k++ * 0.25f);
            }
        }

        return set;
    }

    private static float[] Snapshot(ParameterSet set) => set.Names.SelectMany(n => set[n].ToArray()).ToArray();

    [Fact]
    public void SaveThenLoadRoundTrips()
    {
        string path = _directory.File("params.safetensors");
        ParameterSet saved = Filled(1f);
        saved.Save(path, new Dictionary<string, string> { ["epoch"] = "3" });
        ParameterSet loaded = Create();

        loaded.Load(path);

        Assert.Equal(Snapshot(saved), Snapshot(loaded));
        using SafeTensorsFile file = SafeTensors.Read(path);
        Assert.Equal(saved.Names, file.Names);
        Assert.Equal([4, 3], file.GetShape("fc.weight"));
        Assert.Equal("3", file.Metadata["epoch"]);
    }

    [Fact]
    public void LoadIgnoresExtraTensors()
    {
        string path = _directory.File("extra.safetensors");
        ParameterSet source = Filled(2f);
        SafeTensors.Write(path, source.Names.Select(n => SafeTensorEntry.Float32(n, source.GetShape(n), source[n]))
            .Append(SafeTensorEntry.Int32("step", [1], [5])));
        ParameterSet loaded = Create();

        loaded.Load(path);

        Assert.Equal(Snapshot(source), Snapshot(loaded));
    }

    [Fact]
    public void LoadsTheParametersOfAPyTorchReferenceFile()
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Reference", "lstm_2layer_mse.safetensors");
        SafeTensorsFile file = SafeTensors.Read(path);
        string[] names = file.Names.Where(n => n.StartsWith("rnn.", StringComparison.Ordinal) || n.StartsWith("fc.", StringComparison.Ordinal)).ToArray();
        var set = new ParameterSet(names.Select(n => (n, file.GetShape(n))).ToArray());

        set.Load(path);

        Assert.Equal(10, names.Length);
        foreach (string name in names)
        {
            Assert.Equal(file.GetFloat32(name), set[name].ToArray());
        }
    }

    [Fact]
    public void LoadWithAMissingTensorThrowsNamingItAndLeavesTheSetUnchanged()
    {
        string path = _directory.File("missing.safetensors");
        ParameterSet source = Filled(1f);
        SafeTensors.Write(path, source.Names.Where(n => n != "odd").Select(n => SafeTensorEntry.Float32(n, source.GetShape(n), source[n])));
        ParameterSet target = Filled(-5f);
        float[] before = Snapshot(target);

        var e = SafeTensorsTestFiles.AssertRefused(path, "odd", "no such tensor", () => target.Load(path));

        Assert.Contains("[1, 7]", e.Message, StringComparison.Ordinal);
        Assert.Equal(before, Snapshot(target));
    }

    [Fact]
    public void LoadWithAMisShapedTensorThrowsWithBothShapesAndLeavesTheSetUnchanged()
    {
        // The bad tensor comes after a good one, so a load that copied as it checked would be caught.
        string path = _directory.File("misshaped.safetensors");
        var file = new ParameterSet([("fc.bias", [4]), ("fc.weight", [4, 5]), ("odd", [1, 7])]);
        file.Save(path);
        ParameterSet target = new([("fc.bias", [4]), ("fc.weight", [4, 3]), ("odd", [1, 7])]);
        target["fc.bias"].Fill(3f);
        float[] before = Snapshot(target);

        var e = SafeTensorsTestFiles.AssertRefused(path, "fc.weight", "the file has shape [4, 5]; this set needs [4, 3]", () => target.Load(path));

        Assert.Contains("[4, 5]", e.Message, StringComparison.Ordinal);
        Assert.Equal(before, Snapshot(target));
    }

    [Fact]
    public void LoadWithANonFloatTensorThrowsNamingItAndLeavesTheSetUnchanged()
    {
        string path = _directory.File("int.safetensors");
        ParameterSet source = Filled(1f);
        SafeTensors.Write(path, [
            SafeTensorEntry.Float32("fc.weight", [4, 3], source["fc.weight"]),
            SafeTensorEntry.Float32("fc.bias", [4], source["fc.bias"]),
            SafeTensorEntry.Int32("odd", [1, 7], new int[7]),
        ]);
        ParameterSet target = Filled(-5f);
        float[] before = Snapshot(target);

        SafeTensorsTestFiles.AssertRefused(path, "odd", "the file has dtype I32; this set needs F32", () => target.Load(path));
        Assert.Equal(before, Snapshot(target));
    }

    [Fact]
    public void LoadOfABrokenFileLeavesTheSetUnchanged()
    {
        // The tensors are all there with the right shapes, but 4 bytes trail the data.
        string path = _directory.File("trailing.safetensors");
        Filled(1f).Save(path);
        using (var stream = new FileStream(path, FileMode.Append))
        {
            stream.Write([1, 2, 3, 4]);
        }

        ParameterSet target = Filled(-5f);
        float[] before = Snapshot(target);

        SafeTensorsTestFiles.AssertRefused(path, null, "4 bytes follow the last tensor's data", () => target.Load(path));

        Assert.Equal(before, Snapshot(target));
    }

    [Fact]
    public void SaveReplacesTheFileAndLeavesNoTemporary()
    {
        string path = _directory.File("params.safetensors");
        Filled(1f).Save(path);
        ParameterSet second = Filled(2f);

        second.Save(path);
        ParameterSet loaded = Create();
        loaded.Load(path);

        Assert.Equal(Snapshot(second), Snapshot(loaded));
        Assert.Equal([path], _directory.Entries());
    }

    [Fact]
    public void IndexerWithAnUnknownNameThrowsKeyNotFoundNamingIt()
    {
        ParameterSet set = Create();

        var e = Assert.Throws<KeyNotFoundException>(() => set["fc.wieght"].Length);

        Assert.Contains("'fc.wieght'", e.Message, StringComparison.Ordinal);
        Assert.Throws<KeyNotFoundException>(() => set.GetShape("nope"));
    }

    [Fact]
    public unsafe void EveryTensorStartsOnA64ByteBoundary()
    {
        var set = new ParameterSet([("a", [1]), ("b", [3, 5]), ("c", [17]), ("d", [2, 2, 2]), ("e", [16]), ("f", [33])]);

        foreach (string name in set.Names)
        {
            nuint address = (nuint)Unsafe.AsPointer(ref set[name][0]);
            Assert.True(address % 64 == 0, $"'{name}' starts at 0x{address:x}.");
        }

        Assert.Equal(0, set.Data.Length % 16);
    }

    [Fact]
    public void TensorsAreDisjointAndShapesAreCopies()
    {
        ParameterSet set = Create();
        set["fc.weight"].Fill(1f);

        Assert.All(set["fc.bias"].ToArray(), v => Assert.Equal(0f, v));
        Assert.Equal(12 + 4 + 7, set.TotalLength);
        set.GetShape("fc.weight")[0] = 99;
        Assert.Equal([4, 3], set.GetShape("fc.weight"));
    }

    [Fact]
    public void DuplicateNamesAreRejected()
    {
        var e = Assert.Throws<ArgumentException>(() => new ParameterSet([("w", [2]), ("w", [3])]));

        Assert.Contains("'w'", e.Message, StringComparison.Ordinal);
    }
}
