using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Xunit;
using Xunit.Abstractions;

namespace RnnGen.Generator.Tests;

/// <summary>
/// Seeded random declarations, valid and invalid, with extreme sizes, undefined enum values, bad
/// names and misplaced attributes. Every one must end either in RNNG errors (and no generated file)
/// or in generated code that compiles with no warning; never in a generator crash (CS8785), an
/// analyzer crash (AD0001) or a C# diagnostic in generated code.
/// </summary>
public sealed class FuzzTests(ITestOutputHelper output)
{
    private const int Models = 1000;
    private const int ModelsPerCompilation = 50;
    private const int Seed = 20240601;

    [Fact]
    public void RandomDeclarationsEndInCleanCodeOrRnngErrors()
    {
        var clock = Stopwatch.StartNew();
        var random = new Random(Seed);
        var batches = new string[Models / ModelsPerCompilation][];
        for (int batch = 0; batch < batches.Length; batch++)
        {
            batches[batch] = new string[ModelsPerCompilation];
            for (int i = 0; i < ModelsPerCompilation; i++)
            {
                batches[batch][i] = Declaration(random, $"Fuzz{batch * ModelsPerCompilation + i}");
            }
        }

        // Each compilation holds independent model classes, one per file; diagnostics are attributed by file.
        var results = new BatchResult[batches.Length];
        Parallel.For(0, batches.Length, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount },
            batch => results[batch] = Check(batches[batch], batch * ModelsPerCompilation));

        int valid = results.Sum(r => r.Valid), invalid = results.Sum(r => r.Invalid);
        var idsSeen = new SortedSet<string>(results.SelectMany(r => r.Ids), StringComparer.Ordinal);
        var failures = results.SelectMany(r => r.Failures).ToList();
        output.WriteLine($"{valid + invalid} declarations: {valid} generated warning-free code, {invalid} ended in RNNG errors; ids seen: {string.Join(", ", idsSeen)}; {clock.Elapsed.TotalSeconds:F1} s");
        Assert.True(failures.Count == 0, string.Join("\n\n", failures.Take(10)));
        Assert.True(valid + invalid >= 1000 - 50, $"{valid + invalid} declarations were models");
        Assert.True(valid >= 200 && invalid >= 200, $"valid {valid}, invalid {invalid}: the generator should see plenty of both");
        Assert.Superset(new SortedSet<string>(["RNNG001", "RNNG002", "RNNG003", "RNNG004", "RNNG005", "RNNG006", "RNNG007", "RNNG008", "RNNG009", "RNNG010", "RNNG011", "RNNG012", "RNNG014", "RNNG016", "RNNG017", "RNNG018", "RNNG021", "RNNG022", "RNNG024"]), idsSeen);
    }

    private sealed record BatchResult(int Valid, int Invalid, List<string> Ids, List<string> Failures);

    private static BatchResult Check(string[] sources, int first)
    {
        int valid = 0, invalid = 0;
        var ids = new List<string>();
        var failures = new List<string>();
        GeneratorRun run = GeneratorHarness.Run(
            GeneratorHarness.Compilation(GeneratorHarness.FastParseOptions, sources),
            GeneratorHarness.Driver(options: GeneratorHarness.FastParseOptions));
        failures.AddRange(run.Crashes.Select(d => d.ToString()));
        failures.AddRange(run.CompilationDiagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning)
            .Select(d => $"{d} in\n{Source(sources, d)}"));
        failures.AddRange(run.Rnng.Where(d => d.Location == Location.None).Select(d => $"{d} has no location"));
        for (int i = 0; i < sources.Length; i++)
        {
            string file = $"Model{i}.cs", name = $"Fuzz{first + i}";
            var rnng = run.Rnng.Where(d => d.Location.GetLineSpan().Path == file).ToList();
            bool errors = rnng.Any(d => d.DefaultSeverity == DiagnosticSeverity.Error);
            bool generated = run.Sources.Any(s => s.HintName.EndsWith($".{name}.g.cs", StringComparison.Ordinal));
            bool model = sources[i].Contains("[RnnModel(", StringComparison.Ordinal);
            ids.AddRange(rnng.Select(d => d.Id));
            if (errors)
            {
                invalid++;
                if (generated)
                {
                    failures.Add($"{name} has RNNG errors but generated code:\n{sources[i]}");
                }
            }
            else if (model)
            {
                valid++;
                if (!generated)
                {
                    failures.Add($"{name} has no RNNG error but generated nothing:\n{sources[i]}");
                }
            }
            else if (generated || rnng.Count > 0)
            {
                failures.Add($"{name} declares nothing, yet got {(generated ? "code" : rnng[0].Id)}:\n{sources[i]}");
            }
        }

        return new BatchResult(valid, invalid, ids, failures);
    }

    private static string Source(string[] sources, Diagnostic diagnostic)
    {
        string path = diagnostic.Location.GetLineSpan().Path;
        return path.StartsWith("Model", StringComparison.Ordinal) && int.TryParse(path.AsSpan(5, path.Length - 8), out int i) ? sources[i] : path;
    }

    private static readonly string[] Names = ["rnn", "fc", "encoder.rnn", "encoder_rnn", "head", "x", "lstm0", "gru0", "dense0", "a b", "", "1x", "_", "rnnL0", "out.proj"];

    private static string Declaration(Random r, string className)
    {
        var text = new StringBuilder("using RnnGen;\nnamespace Fuzz;\n");
        int shape = r.Next(60);
        if (shape == 3)
        {
            text.Append($"public partial class Outer{className}\n{{\n");
        }

        bool embedding = r.Next(4) == 0;
        if (r.Next(40) != 0)
        {
            var model = new List<string>();
            AddSize(r, model, "SequenceLength", small: 3);
            AddSize(r, model, "BatchSize", small: 3);
            if (embedding ? r.Next(15) == 0 : r.Next(20) != 0)
            {
                AddSize(r, model, "InputSize", small: 5, missing: false);
            }

            string attribute = $"[RnnModel({string.Join(", ", model)})]";
            text.Append(attribute).Append('\n');
            if (r.Next(50) == 0)
            {
                text.Append(attribute).Append('\n');
            }
        }

        var layers = new List<string>();
        if (embedding)
        {
            var e = new List<string>();
            AddSize(r, e, "VocabSize", small: 12);
            AddSize(r, e, "Dim", small: 5);
            AddName(r, e);
            layers.Add($"[Embedding({string.Join(", ", e)})]");
        }

        int count = r.Next(4) == 0 ? r.Next(0, 6) : r.Next(1, 4);
        for (int i = 0; i < count; i++)
        {
            int kind = i == 0 && r.Next(10) != 0 ? 0 : r.Next(34);
            var p = new List<string>();
            if (kind < 20)
            {
                string cell = (kind % 3) switch { 0 => "Lstm", 1 => "Gru", _ => "SimpleRnn" };
                AddSize(r, p, "HiddenSize", small: 5);
                if (r.Next(4) == 0)
                {
                    AddSize(r, p, "NumLayers", small: 3, missing: false);
                }

                if (r.Next(3) == 0)
                {
                    p.Add("Bidirectional = true");
                }

                if (r.Next(5) == 0)
                {
                    p.Add("Dropout = " + Pick(r, "0", "0.1", "0.5", "0.99", "1.0", "-0.5", "double.NaN", "double.PositiveInfinity"));
                }

                if (r.Next(6) == 0)
                {
                    p.Add("ReturnSequences = false");
                }

                if (r.Next(6) == 0)
                {
                    p.Add("LearnInitialState = true");
                }

                if (cell == "Lstm")
                {
                    if (r.Next(5) == 0)
                    {
                        p.Add("ProjectionSize = " + Pick(r, "1", "2", "3", "4", "5", "6", "0", "-1"));
                    }

                    if (r.Next(5) == 0)
                    {
                        p.Add("Peephole = true");
                    }

                    if (r.Next(5) == 0)
                    {
                        p.Add("LayerNorm = true");
                    }

                    if (r.Next(8) == 0)
                    {
                        p.Add("ForgetBias = " + Pick(r, "1.0", "0", "-2.5", "double.NaN", "double.NegativeInfinity"));
                    }
                }

                if (cell == "SimpleRnn" && r.Next(3) == 0)
                {
                    p.Add("Nonlinearity = " + Pick(r, "Nonlinearity.Tanh", "Nonlinearity.Relu", "Nonlinearity.Relu", "(Nonlinearity)2", "(Nonlinearity)(-1)"));
                }

                AddName(r, p);
                layers.Add($"[{cell}({string.Join(", ", p)})]");
            }
            else if (kind < 33)
            {
                AddSize(r, p, "OutputSize", small: 5);
                if (r.Next(3) == 0)
                {
                    p.Add("Activation = " + Pick(r, "Activation.None", "Activation.Tanh", "Activation.Relu", "Activation.Sigmoid", "(Activation)7", "(Activation)(-2)"));
                }

                AddName(r, p);
                layers.Add($"[Dense({string.Join(", ", p)})]");
            }
            else
            {
                layers.Add($"[Embedding(VocabSize = {r.Next(1, 9)}, Dim = {r.Next(1, 4)})]");
            }
        }

        if (r.Next(5) < 3)
        {
            string kind = Pick(r, "LossKind.MeanSquaredError", "LossKind.SoftmaxCrossEntropy", "LossKind.MeanSquaredError", "LossKind.SoftmaxCrossEntropy",
                "LossKind.BinaryCrossEntropyWithLogits", "LossKind.Huber", "LossKind.MeanAbsoluteError", "(LossKind)9");
            string option = r.Next(6) switch
            {
                0 => ", Delta = " + Pick(r, "0.5", "2", "0", "-1", "double.PositiveInfinity"),
                1 => ", IgnoreIndex = " + Pick(r, "-100", "0", "3", "-1"),
                _ => "",
            };
            string loss = $"[Loss({kind}{option})]";
            layers.Insert(r.Next(25) == 0 ? r.Next(layers.Count + 1) : layers.Count, loss);
            if (r.Next(30) == 0)
            {
                layers.Add(loss);
            }
        }

        foreach (string layer in layers)
        {
            text.Append(layer).Append('\n');
        }

        string declaration = shape switch
        {
            0 => $"public class {className} {{ }}",
            1 => $"public partial class {className}<T> {{ }}",
            2 => $"public static partial class {className} {{ }}",
            3 => $"public sealed partial class {className} {{ }}\n}}",
            4 => $"public partial record {className} {{ }}",
            _ => $"public partial class {className} {{ }}",
        };
        text.Append(declaration).Append('\n');
        if (r.Next(60) == 0 && shape > 4)
        {
            text.Append($"[Dense(OutputSize = 2)]\npublic partial class {className} {{ }}\n");
        }

        return text.ToString();
    }

    private static void AddSize(Random r, List<string> properties, string name, int small, bool missing = true)
    {
        int roll = r.Next(160);
        if (missing && roll == 0)
        {
            return;
        }

        string value = roll switch
        {
            1 => "0",
            2 => "-1",
            3 => "int.MaxValue",
            4 => "int.MinValue",
            5 => "100000",
            6 or 7 => "1",
            _ => r.Next(1, small + 1).ToString(CultureInfo.InvariantCulture),
        };
        properties.Add($"{name} = {value}");
    }

    private static void AddName(Random r, List<string> properties)
    {
        if (r.Next(3) == 0)
        {
            properties.Add($"Name = \"{Pick(r, Names)}\"");
        }
    }

    private static string Pick(Random r, params string[] choices) => choices[r.Next(choices.Length)];
}
