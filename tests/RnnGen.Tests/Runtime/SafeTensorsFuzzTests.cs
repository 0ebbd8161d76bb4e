using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Text.Unicode;
using Xunit;
using Xunit.Abstractions;

namespace RnnGen.Tests.Runtime;

/// <summary>
/// Thousands of random mutations of a valid file (bit flips, truncations, appended bytes, header edits,
/// offset and shape edits, dtype swaps, duplicated keys, length-prefix edits). Each must be refused with
/// SafeTensorsFormatException or read exactly; an independent checker of the format's rules (built on
/// JsonDocument, not on the reader's code) decides which, and gives the bytes each tensor must read as.
/// </summary>
public sealed partial class SafeTensorsFuzzTests : IDisposable
{
    private const int Cases = 5000;
    // The test rewrites one small file 5,000 times: in memory (tmpfs) where the system has it, as it is
    // ten times faster than a journalled disk.
    private readonly TemporaryDirectory _directory = new(Directory.Exists("/dev/shm") ? "/dev/shm" : null);
    private readonly ITestOutputHelper _output;

    public SafeTensorsFuzzTests(ITestOutputHelper output) => _output = output;

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void EveryMutationIsRefusedCleanlyOrReadExactly()
    {
        byte[] original = ValidFile();
        string path = _directory.File("fuzz.safetensors");
        var random = new Random(20240609);
        int accepted = 0, refused = 0;
        var kinds = new int[Mutations];
        var clock = System.Diagnostics.Stopwatch.StartNew();
        TimeSpan cpu = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;

        for (int c = 0; c < Cases; c++)
        {
            byte[] bytes = original;
            var applied = new List<int>();
            for (int m = random.Next(3) == 0 ? 2 : 1; m > 0; m--)
            {
                int kind = random.Next(Mutations);
                applied.Add(kind);
                kinds[kind]++;
                bytes = Mutate(bytes, kind, random);
            }

            File.WriteAllBytes(path, bytes);
            if (Check(path, bytes, $"case {c} (mutations {string.Join(",", applied)})"))
            {
                accepted++;
            }
            else
            {
                refused++;
            }
        }

        cpu = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime - cpu;
        _output.WriteLine($"{Cases} cases: {accepted} read exactly, {refused} refused; mutations by kind: {string.Join(", ", kinds)}; {clock.Elapsed.TotalSeconds:F1} s wall, {cpu.TotalSeconds:F1} s CPU");
        Assert.True(accepted > Cases / 20, $"Only {accepted} mutated files were valid; the fuzz no longer reaches the read path.");
        Assert.True(refused > Cases / 2, $"Only {refused} mutated files were refused.");
    }

    /// <summary>Returns whether the file was accepted; fails the test when reader and checker disagree.</summary>
    private static bool Check(string path, byte[] bytes, string label)
    {
        Expected? expected = Oracle(bytes);
        SafeTensorsFile file;
        try
        {
            file = SafeTensors.Read(path);
        }
        catch (SafeTensorsFormatException e)
        {
            Assert.True(expected is null, $"{label}: refused a valid file: {e.Message}\n{Describe(bytes)}");
            Assert.Equal(path, e.FilePath);
            return false;
        }

        using (file)
        {
            Assert.True(expected is not null, $"{label}: accepted a file the rules refuse.\n{Describe(bytes)}");
            Assert.Equal(expected.Names, file.Names);
            Assert.Equal(expected.Metadata.OrderBy(p => p.Key, StringComparer.Ordinal), file.Metadata.OrderBy(p => p.Key, StringComparer.Ordinal));
            for (int i = 0; i < expected.Names.Count; i++)
            {
                string name = expected.Names[i];
                (string dtype, long[] shape, long start, long end) = expected.Tensors[i];
                Assert.Equal(dtype, file.GetDType(name));
                if (shape.Any(d => d > int.MaxValue))
                {
                    Assert.Throws<SafeTensorsFormatException>(() => file.GetShape(name));
                }
                else
                {
                    Assert.Equal(shape.Select(d => (int)d), file.GetShape(name));
                }

                byte[] want = bytes[(int)(expected.DataStart + start)..(int)(expected.DataStart + end)];
                if (dtype == "F32")
                {
                    Assert.Equal(want, MemoryMarshal.AsBytes(file.GetFloat32(name).AsSpan()).ToArray());
                }
                else if (dtype == "I32")
                {
                    Assert.Equal(want, MemoryMarshal.AsBytes(file.GetInt32(name).AsSpan()).ToArray());
                }
                else
                {
                    Assert.Throws<SafeTensorsFormatException>(() => file.GetFloat32(name));
                }
            }
        }

        return true;
    }

    private const int Mutations = 14;

    private static byte[] Mutate(byte[] file, int kind, Random random)
    {
        if (file.Length < 8)
        {
            return [.. file, (byte)random.Next(256)];
        }

        ulong declared = BinaryPrimitives.ReadUInt64LittleEndian(file);
        int n = declared <= (ulong)(file.Length - 8) ? (int)declared : file.Length - 8;
        string header = Encoding.UTF8.GetString(file, 8, n);
        byte[] data = file[(8 + n)..];
        const string Tokens = "{}[],:\"0123456789-.eE \\uaF";
        switch (kind)
        {
            case 0:   // a bit in the header
                return FlipBit(file, 8 + random.Next(Math.Max(1, n)), random);
            case 1:   // a bit anywhere
                return FlipBit(file, random.Next(file.Length), random);
            case 2:
                return file[..random.Next(file.Length)];
            case 3:
                return [.. file, .. Enumerable.Range(0, 1 + random.Next(16)).Select(_ => (byte)random.Next(256))];
            case 4:   // replace a header character
            {
                int at = random.Next(Math.Max(1, header.Length));
                return Rebuild(header[..at] + Tokens[random.Next(Tokens.Length)] + header[Math.Min(header.Length, at + 1)..], data);
            }

            case 5:   // insert a header character
            {
                int at = random.Next(header.Length + 1);
                return Rebuild(header[..at] + Tokens[random.Next(Tokens.Length)] + header[at..], data);
            }

            case 6:   // delete a header character
            {
                int at = random.Next(Math.Max(1, header.Length));
                return Rebuild(header[..at] + header[Math.Min(header.Length, at + 1)..], data);
            }

            case 7:   // change one number (an offset or a dimension)
            {
                MatchCollection numbers = Number().Matches(header);
                if (numbers.Count == 0)
                {
                    return FlipBit(file, random.Next(file.Length), random);
                }

                Match pick = numbers[random.Next(numbers.Count)];
                long value = long.TryParse(pick.Value, out long v) ? v : 0;
                string[] choices = [$"{value + 1}", $"{value - 1}", $"{value + 4}", $"{Math.Max(0, value - 4)}", $"{value + 8}", "0", $"{value * 2}", "18446744073709551616", $"{random.NextInt64()}", $"{value}.0", $"-{value}"];
                return Rebuild(header[..pick.Index] + choices[random.Next(choices.Length)] + header[(pick.Index + pick.Length)..], data);
            }

            case 8:   // the length prefix
            {
                ulong[] choices = [0, declared - 1, declared + 1, declared + 8, (ulong)file.Length - 8, (ulong)file.Length, 100_000_000, 100_000_001, ulong.MaxValue, (ulong)long.MaxValue + 1, (ulong)random.Next(file.Length)];
                byte[] copy = (byte[])file.Clone();
                BinaryPrimitives.WriteUInt64LittleEndian(copy, choices[random.Next(choices.Length)]);
                return copy;
            }

            case 9:   // swap a dtype for another, known or not
            {
                MatchCollection dtypes = DType().Matches(header);
                if (dtypes.Count == 0)
                {
                    return FlipBit(file, random.Next(file.Length), random);
                }

                Match pick = dtypes[random.Next(dtypes.Count)];
                string[] choices = ["F32", "I32", "U32", "F16", "BF16", "I16", "U8", "I8", "BOOL", "F64", "I64", "F4", "F6_E2M3", "C64", "F33", "f32", "", "F8_E4M3"];
                return Rebuild(header[..(pick.Index + 1)] + choices[random.Next(choices.Length)] + header[(pick.Index + pick.Length - 1)..], data);
            }

            case 10:   // duplicate a tensor entry or a metadata entry
            {
                MatchCollection entries = Entry().Matches(header);
                if (entries.Count == 0)
                {
                    return FlipBit(file, random.Next(file.Length), random);
                }

                Match pick = entries[random.Next(entries.Count)];
                return Rebuild(header[..(pick.Index + pick.Length)] + "," + pick.Value + header[(pick.Index + pick.Length)..], data);
            }

            case 11:   // valid whitespace inside the JSON
            {
                int at = header.IndexOf(random.Next(2) == 0 ? ':' : ',', random.Next(Math.Max(1, header.Length)));
                return at < 0 ? Rebuild(header + " ", data) : Rebuild(header[..(at + 1)] + " \n\t" + header[(at + 1)..], data);
            }

            case 12:   // swap the data of two tensors of the same size along with their offsets
                return SwapTwoTensors(header, data, random) ?? FlipBit(file, random.Next(file.Length), random);
            default:   // rename a tensor
            {
                MatchCollection entries = Entry().Matches(header);
                if (entries.Count == 0)
                {
                    return FlipBit(file, random.Next(file.Length), random);
                }

                Match pick = entries[random.Next(entries.Count)];
                return Rebuild(header[..(pick.Index + 1)] + "z" + header[(pick.Index + 1)..], data);
            }
        }
    }

    private static byte[]? SwapTwoTensors(string header, byte[] data, Random random)
    {
        MatchCollection offsets = Offsets().Matches(header);
        if (offsets.Count < 2)
        {
            return null;
        }

        Match a = offsets[random.Next(offsets.Count)], b = offsets[random.Next(offsets.Count)];
        long a0 = long.Parse(a.Groups[1].Value), a1 = long.Parse(a.Groups[2].Value), b0 = long.Parse(b.Groups[1].Value), b1 = long.Parse(b.Groups[2].Value);
        if (a.Index >= b.Index || a1 - a0 != b1 - b0 || a1 > data.Length || b1 > data.Length)
        {
            return null;
        }

        byte[] swapped = (byte[])data.Clone();
        data.AsSpan((int)a0, (int)(a1 - a0)).CopyTo(swapped.AsSpan((int)b0));
        data.AsSpan((int)b0, (int)(b1 - b0)).CopyTo(swapped.AsSpan((int)a0));
        string edited = header[..a.Index] + b.Value + header[(a.Index + a.Length)..b.Index] + a.Value + header[(b.Index + b.Length)..];
        return Rebuild(edited, swapped);
    }

    private static byte[] FlipBit(byte[] file, int at, Random random)
    {
        byte[] copy = (byte[])file.Clone();
        if (copy.Length > 0)
        {
            copy[Math.Min(at, copy.Length - 1)] ^= (byte)(1 << random.Next(8));
        }

        return copy;
    }

    private static byte[] Rebuild(string header, byte[] data)
    {
        byte[] json = Encoding.UTF8.GetBytes(header);
        byte[] file = new byte[8 + json.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)json.Length);
        json.CopyTo(file, 8);
        data.CopyTo(file, 8 + json.Length);
        return file;
    }

    private static byte[] ValidFile()
    {
        string path = Path.Combine(Path.GetTempPath(), $"rnngen-fuzz-base-{Guid.NewGuid():N}.safetensors");
        try
        {
            SafeTensors.Write(
                path,
                [
                    SafeTensorEntry.Float32("w", [2, 3], [1.5f, -2.25f, 0f, 3e-8f, 1e30f, -7f]),
                    SafeTensorEntry.Int32("ids", [4], [0, -1, int.MaxValue, 17]),
                    SafeTensorEntry.FromSource("h", "F16", [3], (_, d) => d.Fill(0x3C)),
                    SafeTensorEntry.Float32("e", [0, 2], []),
                    SafeTensorEntry.FromSource("b", "U8", [5], (_, d) => d.Fill(7)),
                    SafeTensorEntry.Float32("ü", [1], [0.5f]),
                    SafeTensorEntry.Float32("w2", [3, 2], [1f, 2f, 3f, 4f, 5f, 6f]),
                ],
                new Dictionary<string, string> { ["format"] = "pt", ["k"] = "v" });
            return File.ReadAllBytes(path);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static string Describe(byte[] bytes) =>
        Encoding.UTF8.GetString(bytes, 0, Math.Min(bytes.Length, 400)).Replace('\0', '.');

    /// <summary>What a valid file holds: tensors in data order, each with its dtype, shape and offsets.</summary>
    private sealed record Expected(List<string> Names, List<(string DType, long[] Shape, long Start, long End)> Tensors, Dictionary<string, string> Metadata, long DataStart);

    /// <summary>The format's rules, written a second time over JsonDocument: null when the file breaks one.</summary>
    private static Expected? Oracle(byte[] file)
    {
        if (file.Length < 8)
        {
            return null;
        }

        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(file);
        if (n > 100_000_000 || n > (ulong)(file.Length - 8))
        {
            return null;
        }

        byte[] header = file[8..(8 + (int)n)];
        if (!Utf8.IsValid(header) || header.Length == 0 || header[0] != (byte)'{')
        {
            return null;
        }

        try
        {
            using JsonDocument document = JsonDocument.Parse(header);
            var keys = new HashSet<string>(StringComparer.Ordinal);
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            var tensors = new List<(string Name, string DType, long[] Shape, long Start, long End, int Bits)>();
            foreach (JsonProperty entry in document.RootElement.EnumerateObject())
            {
                if (!keys.Add(entry.Name))
                {
                    return null;
                }

                if (entry.Name == "__metadata__")
                {
                    if (entry.Value.ValueKind == JsonValueKind.Null)
                    {
                        continue;
                    }

                    if (entry.Value.ValueKind != JsonValueKind.Object)
                    {
                        return null;
                    }

                    foreach (JsonProperty m in entry.Value.EnumerateObject())
                    {
                        if (m.Value.ValueKind != JsonValueKind.String || !metadata.TryAdd(m.Name, m.Value.GetString()!))
                        {
                            return null;
                        }
                    }

                    continue;
                }

                if (entry.Value.ValueKind != JsonValueKind.Object)
                {
                    return null;
                }

                var fields = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
                foreach (JsonProperty f in entry.Value.EnumerateObject())
                {
                    if (!fields.TryAdd(f.Name, f.Value))
                    {
                        return null;
                    }
                }

                if (!fields.TryGetValue("dtype", out JsonElement dtype) || dtype.ValueKind != JsonValueKind.String
                    || !fields.TryGetValue("shape", out JsonElement shape) || !fields.TryGetValue("data_offsets", out JsonElement offsets))
                {
                    return null;
                }

                long[]? dims = Integers(shape);
                long[]? range = Integers(offsets);
                int bits = BitsOf(dtype.GetString()!);
                if (dims is null || range is null || range.Length != 2 || bits == 0)
                {
                    return null;
                }

                tensors.Add((entry.Name, dtype.GetString()!, dims, range[0], range[1], bits));
            }

            var ordered = tensors.Select((t, i) => (t, i)).OrderBy(x => x.t.Start).ThenBy(x => x.t.End).ThenBy(x => x.i).Select(x => x.t).ToList();
            long position = 0;
            foreach (var t in ordered)
            {
                System.Numerics.BigInteger count = 1;
                foreach (long d in t.Shape)
                {
                    count *= d;
                    if (count > ulong.MaxValue)
                    {
                        return null;
                    }
                }

                System.Numerics.BigInteger bits = count * t.Bits;
                if (t.Start != position || t.End < t.Start || bits % 8 != 0 || bits / 8 > long.MaxValue || t.End - t.Start != (long)(bits / 8))
                {
                    return null;
                }

                position = t.End;
            }

            long dataStart = 8 + (long)n;
            return position != file.Length - dataStart
                ? null
                : new Expected([.. ordered.Select(t => t.Name)], [.. ordered.Select(t => (t.DType, t.Shape, t.Start, t.End))], metadata, dataStart);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return null;
        }
    }

    private static long[]? Integers(JsonElement array)
    {
        if (array.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        var values = new List<long>();
        foreach (JsonElement e in array.EnumerateArray())
        {
            string raw = e.ValueKind == JsonValueKind.Number ? e.GetRawText() : "";
            if (raw.Length == 0 || !raw.All(char.IsAsciiDigit) || !ulong.TryParse(raw, out ulong v) || v > long.MaxValue)
            {
                return null;
            }

            values.Add((long)v);
        }

        return values.ToArray();
    }

    private static int BitsOf(string dtype) => dtype switch
    {
        "BOOL" or "U8" or "I8" or "F8_E5M2" or "F8_E4M3" or "F8_E8M0" => 8,
        "I16" or "U16" or "F16" or "BF16" => 16,
        "I32" or "U32" or "F32" => 32,
        "I64" or "U64" or "F64" or "C64" => 64,
        "F4" => 4,
        "F6_E2M3" or "F6_E3M2" => 6,
        _ => 0,
    };

    [GeneratedRegex("[0-9]+")]
    private static partial Regex Number();

    [GeneratedRegex("\"[A-Z0-9_]+\"")]
    private static partial Regex DType();

    [GeneratedRegex("\"[^\"]+\":(\\{[^{}]*\\}|\"[^\"]*\")")]
    private static partial Regex Entry();

    [GeneratedRegex("\\[([0-9]+),([0-9]+)\\]")]
    private static partial Regex Offsets();
}
