using System;
using System.Collections;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace RnnGen.Generator.Tests;

/// <summary>The pipeline caches: unrelated edits rerun nothing expensive, and each model regenerates alone.</summary>
public sealed class IncrementalTests
{
    private const string ModelA = """
        using RnnGen;
        namespace Models;
        [RnnModel(SequenceLength = 4, BatchSize = 2, InputSize = 3)]
        [Lstm(HiddenSize = 5, Name = "rnn")]
        [Loss(LossKind.MeanSquaredError)]
        public partial class ModelA { }
        """;

    private const string ModelB = """
        using RnnGen;
        namespace Models;
        [RnnModel(SequenceLength = 4, BatchSize = 2, InputSize = 3)]
        [Gru(HiddenSize = 6, Name = "rnn")]
        public partial class ModelB { }
        """;

    private const string Broken = """
        using RnnGen;
        namespace Models;
        [RnnModel(SequenceLength = 0, BatchSize = 2, InputSize = 3)]
        [Gru(HiddenSize = 6)]
        public partial class Broken { }
        [Lstm(HiddenSize = 6)]
        public partial class NoModel { }
        """;

    private const string Unrelated = """
        namespace App;
        public static class Program { public static int Answer() => 42; }
        """;

    private static readonly string[] AllTrackingNames = typeof(RnnModelGenerator.TrackingNames)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.IsLiteral)
        .Select(f => (string)f.GetRawConstantValue()!)
        .ToArray();

    private static (GeneratorDriver Driver, CSharpCompilation Compilation) FirstRun()
    {
        CSharpCompilation compilation = GeneratorHarness.Compilation(ModelA, ModelB, Broken, Unrelated);
        GeneratorDriver driver = GeneratorHarness.Driver(track: true).RunGenerators(compilation);
        return (driver, compilation);
    }

    private static CSharpCompilation Replace(CSharpCompilation compilation, int index, string text)
    {
        SyntaxTree old = compilation.SyntaxTrees[index];
        return compilation.ReplaceSyntaxTree(old, CSharpSyntaxTree.ParseText(text, GeneratorHarness.ParseOptions, old.FilePath));
    }

    private static IEnumerable<(string Step, IncrementalStepRunReason Reason)> Outputs(GeneratorDriver driver) =>
        driver.GetRunResult().Results.Single().TrackedSteps
            .Where(pair => AllTrackingNames.Contains(pair.Key))
            .SelectMany(pair => pair.Value.SelectMany(step => step.Outputs.Select(o => (pair.Key, o.Reason))));

    [Fact]
    public void EveryStageHasATrackingNameThatRuns()
    {
        (GeneratorDriver driver, _) = FirstRun();
        var steps = driver.GetRunResult().Results.Single().TrackedSteps;
        foreach (string name in AllTrackingNames)
        {
            Assert.True(steps.ContainsKey(name), $"tracking name {name} did not run; ran: {string.Join(", ", steps.Keys)}");
        }
    }

    [Fact]
    public void AddingAnUnrelatedFileLeavesEveryStageCached()
    {
        (GeneratorDriver driver, CSharpCompilation compilation) = FirstRun();
        compilation = compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText("namespace App; internal sealed class Added { }", GeneratorHarness.ParseOptions, "Added.cs"));
        driver = driver.RunGenerators(compilation);
        AssertAllCachedOrUnchanged(driver);
    }

    [Fact]
    public void EditingAnUnrelatedClassLeavesEveryStageCached()
    {
        (GeneratorDriver driver, CSharpCompilation compilation) = FirstRun();
        driver = driver.RunGenerators(Replace(compilation, 3, Unrelated.Replace("42", "43 + 1", StringComparison.Ordinal)));
        AssertAllCachedOrUnchanged(driver);
    }

    [Fact]
    public void EditingOneModelRegeneratesOnlyThatModel()
    {
        (GeneratorDriver driver, CSharpCompilation compilation) = FirstRun();
        driver = driver.RunGenerators(Replace(compilation, 0, ModelA.Replace("HiddenSize = 5", "HiddenSize = 7", StringComparison.Ordinal)));
        var source = driver.GetRunResult().Results.Single().TrackedSteps[RnnModelGenerator.TrackingNames.Source]
            .SelectMany(step => step.Outputs)
            .ToList();
        Assert.Equal(2, source.Count);
        Assert.Equal(1, source.Count(o => o.Reason == IncrementalStepRunReason.Modified));
        Assert.Equal(1, source.Count(o => o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged));
        var modified = (GeneratedSource)source.Single(o => o.Reason == IncrementalStepRunReason.Modified).Value;
        Assert.Equal("Models.ModelA.g.cs", modified.HintName);
        Assert.Contains("LSTM 3 -> 7", driver.GetRunResult().GeneratedTrees.Single(t => t.FilePath.EndsWith("ModelA.g.cs", StringComparison.Ordinal)).ToString(), StringComparison.Ordinal);
    }

    private static void AssertAllCachedOrUnchanged(GeneratorDriver driver)
    {
        var outputs = Outputs(driver).ToList();
        Assert.NotEmpty(outputs);
        var rerun = outputs.Where(o => o.Reason is not (IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged)).ToList();
        Assert.True(rerun.Count == 0, "steps that reran: " + string.Join(", ", rerun));
        foreach (string name in AllTrackingNames)
        {
            Assert.Contains(outputs, o => o.Step == name);
        }
    }

    private static readonly Type[] Forbidden =
    [
        typeof(ISymbol), typeof(SyntaxNode), typeof(SyntaxTree), typeof(Compilation), typeof(SemanticModel), typeof(Location),
        typeof(SyntaxToken), typeof(AttributeData), typeof(TypedConstant),
    ];

    /// <summary>Every type that flows through the pipeline, walked through its fields, properties and element types.</summary>
    [Fact]
    public void PipelineModelsHoldNoSymbolsSyntaxCompilationsOrLocations()
    {
        Type[] roots = [typeof(ParseResult), typeof(ModelSpec), typeof(DiagnosticInfo), typeof(GeneratedSource)];
        var seen = new HashSet<Type>();
        var problems = new List<string>();
        foreach (Type root in roots)
        {
            Walk(root, root.Name, seen, problems);
        }

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
        Assert.Contains(typeof(LayerSpec), seen);
        Assert.Contains(typeof(LocationInfo), seen);
    }

    /// <summary>The values actually produced by each tracked step are of walked, equatable types.</summary>
    [Fact]
    public void TrackedStepValuesAreOfWalkedTypes()
    {
        (GeneratorDriver driver, _) = FirstRun();
        var seen = new HashSet<Type>();
        var problems = new List<string>();
        foreach (var pair in driver.GetRunResult().Results.Single().TrackedSteps.Where(p => AllTrackingNames.Contains(p.Key)))
        {
            foreach (var output in pair.Value.SelectMany(s => s.Outputs))
            {
                Walk(output.Value.GetType(), pair.Key, seen, problems);
                Assert.True(output.Value.GetType().GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEquatable<>)),
                    $"{pair.Key} produces {output.Value.GetType()}, which is not equatable");
            }
        }

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    private static void Walk(Type type, string path, HashSet<Type> seen, List<string> problems)
    {
        if (Forbidden.Any(f => f.IsAssignableFrom(type)))
        {
            problems.Add($"{path} is a {type}");
            return;
        }

        if (type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) || !seen.Add(type))
        {
            return;
        }

        if (type.IsGenericType)
        {
            foreach (Type argument in type.GetGenericArguments())
            {
                Walk(argument, $"{path}<{argument.Name}>", seen, problems);
            }
        }

        if (type.IsArray)
        {
            Walk(type.GetElementType()!, path + "[]", seen, problems);
            return;
        }

        if (type.Namespace is { } ns && (ns.StartsWith("System", StringComparison.Ordinal) || ns.StartsWith("Microsoft.CodeAnalysis.Text", StringComparison.Ordinal)))
        {
            // Framework collections and Roslyn's text spans: their type arguments were walked above.
            if (typeof(IEnumerable).IsAssignableFrom(type) && !type.IsGenericType && type != typeof(string))
            {
                problems.Add($"{path} is an untyped collection {type}");
            }

            return;
        }

        const BindingFlags Instance = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic;
        foreach (FieldInfo field in type.GetFields(Instance))
        {
            Walk(field.FieldType, $"{path}.{field.Name}", seen, problems);
        }

        foreach (PropertyInfo property in type.GetProperties(Instance))
        {
            Walk(property.PropertyType, $"{path}.{property.Name}", seen, problems);
        }
    }
}
