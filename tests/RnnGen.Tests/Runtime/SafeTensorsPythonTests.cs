using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.Json;
using Xunit;
using Xunit.Abstractions;

namespace RnnGen.Tests.Runtime;

/// <summary>
/// Files from our writer read by an independent reader: a short Python script that applies the format's
/// rules with struct and json (and, when PyTorch is installed, decodes the data with torch.frombuffer too).
/// </summary>
public sealed class SafeTensorsPythonTests : IDisposable
{
    private const string Script = """
        import json, struct, sys
        try:
            import torch
        except ImportError:
            torch = None
        data = open(sys.argv[1], "rb").read()
        n, = struct.unpack("<Q", data[:8])
        assert n <= 100_000_000 and 8 + n <= len(data), "header length"
        assert n % 8 == 0, "header not padded to a multiple of 8"
        text = data[8:8 + n].decode("utf-8")
        assert text.startswith("{") and text[len(text.rstrip(" ")):] == " " * (len(text) - len(text.rstrip(" "))), "padding"
        def unique(pairs):
            keys = [k for k, _ in pairs]
            assert len(keys) == len(set(keys)), "duplicate key"
            return dict(pairs)
        header = json.loads(text, object_pairs_hook=unique)
        metadata = header.pop("__metadata__", {})
        assert all(isinstance(k, str) and isinstance(v, str) for k, v in metadata.items()), "metadata"
        sizes = {"F32": 4, "I32": 4}
        body, position, tensors = data[8 + n:], 0, []
        for name, entry in sorted(header.items(), key=lambda item: tuple(item[1]["data_offsets"])):
            assert set(entry) == {"dtype", "shape", "data_offsets"}, "fields"
            start, end = entry["data_offsets"]
            assert start == position and end >= start, "offsets of " + name
            count = 1
            for d in entry["shape"]:
                count *= d
            assert end - start == count * sizes[entry["dtype"]], "byte length of " + name
            code = {"F32": "f", "I32": "i"}[entry["dtype"]]
            values = list(struct.unpack("<%d%s" % (count, code), body[start:end]))
            if torch is not None and count > 0:
                kind = {"F32": torch.float32, "I32": torch.int32}[entry["dtype"]]
                assert torch.frombuffer(bytearray(body[start:end]), dtype=kind).tolist() == values, "torch disagrees on " + name
            tensors.append({"name": name, "dtype": entry["dtype"], "shape": entry["shape"], "values": values})
            position = end
        assert position == len(body), "trailing bytes"
        print(json.dumps({"metadata": metadata, "tensors": tensors, "torch": torch.__version__ if torch else None}))
        """;

    private readonly TemporaryDirectory _directory = new();
    private readonly ITestOutputHelper _output;

    public SafeTensorsPythonTests(ITestOutputHelper output) => _output = output;

    public void Dispose() => _directory.Dispose();

    [PythonFact]
    public void PythonReadsOurWritersFileExactly()
    {
        string path = _directory.File("ours.safetensors");
        string odd = "q\"uote\\ \n\u0001 ünï 中文 🎉";
        var metadata = new Dictionary<string, string> { ["format"] = "pt", [odd] = odd };
        float[] weights = [1.5f, -2.25f, float.Epsilon, float.MaxValue, -0f, 3e-8f];
        int[] ids = [0, -1, int.MaxValue, int.MinValue, 42];

        SafeTensors.Write(path, [
            SafeTensorEntry.Float32("w", [2, 3], weights),
            SafeTensorEntry.Int32("ids", [5], ids),
            SafeTensorEntry.Float32("empty", [3, 0], []),
            SafeTensorEntry.Float32(odd, [], [7f]),
        ], metadata);
        JsonElement result = RunPython(path);

        Assert.Equal(metadata, result.GetProperty("metadata").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!));
        JsonElement[] tensors = [.. result.GetProperty("tensors").EnumerateArray()];
        Assert.Equal(["w", "ids", "empty", odd], tensors.Select(t => t.GetProperty("name").GetString()));
        Assert.Equal(weights, Floats(tensors[0]));
        Assert.Equal([2, 3], Ints(tensors[0], "shape"));
        Assert.Equal(ids, Ints(tensors[1], "values"));
        Assert.Equal([3, 0], Ints(tensors[2], "shape"));
        Assert.Empty(Ints(tensors[3], "shape"));
        Assert.Equal([7f], Floats(tensors[3]));
    }

    [PythonFact]
    public void PythonReadsAParameterSetSave()
    {
        string path = _directory.File("params.safetensors");
        var set = new ParameterSet([("rnn.weight_ih_l0", [8, 5]), ("rnn.bias_ih_l0", [8]), ("fc.weight", [3, 2])]);
        int k = 0;
        foreach (string name in set.Names)
        {
            foreach (ref float v in set[name])
            {
                v = (k++ * 0.37f) - 5f;
            }
        }

        set.Save(path, new Dictionary<string, string> { ["epoch"] = "3" });
        JsonElement result = RunPython(path);

        JsonElement[] tensors = [.. result.GetProperty("tensors").EnumerateArray()];
        Assert.Equal(set.Names, tensors.Select(t => t.GetProperty("name").GetString()));
        for (int i = 0; i < tensors.Length; i++)
        {
            Assert.Equal(set.GetShape(set.Names[i]), Ints(tensors[i], "shape"));
            Assert.Equal(set[set.Names[i]].ToArray(), Floats(tensors[i]));
        }

        Assert.Equal("3", result.GetProperty("metadata").GetProperty("epoch").GetString());
    }

    private JsonElement RunPython(string path)
    {
        var start = new ProcessStartInfo(PythonFactAttribute.Python)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(Script);
        start.ArgumentList.Add(path);
        using Process python = Process.Start(start)!;
        string stdout = python.StandardOutput.ReadToEnd();
        string stderr = python.StandardError.ReadToEnd();
        python.WaitForExit();
        Assert.True(python.ExitCode == 0, $"python3 refused our file:\n{stderr}");
        JsonElement result = JsonDocument.Parse(stdout).RootElement;
        _output.WriteLine($"python3 checked '{path}'; torch: {result.GetProperty("torch")}");
        return result;
    }

    // Python prints each float32 as the shortest repr of its double, which parses back exactly.
    private static float[] Floats(JsonElement tensor) =>
        [.. tensor.GetProperty("values").EnumerateArray().Select(v => (float)v.GetDouble())];

    private static int[] Ints(JsonElement tensor, string property) =>
        [.. tensor.GetProperty(property).EnumerateArray().Select(v => v.GetInt32())];
}
