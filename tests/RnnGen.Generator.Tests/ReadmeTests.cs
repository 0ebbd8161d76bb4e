using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace RnnGen.Generator.Tests;

/// <summary>
/// Every <c>```csharp</c> block of README.md compiles as it stands, with the generator, against the runtime, the
/// training layer and the MPI layer, with warnings as errors: a block is a whole file (its own usings, top-level
/// statements before declarations), so pasting it into a project works.
/// </summary>
public sealed class ReadmeTests
{
    public static TheoryData<int, string> Blocks()
    {
        string readme = File.ReadAllText(Path.Combine(DiagnosticTests.RepositoryRoot(), "README.md"));
        var blocks = new TheoryData<int, string>();
        foreach (Match block in Regex.Matches(readme, @"^```csharp\n(.*?)^```", RegexOptions.Multiline | RegexOptions.Singleline))
        {
            int line = readme.Take(block.Index).Count(c => c == '\n') + 1;
            blocks.Add(line, block.Groups[1].Value);
        }

        return blocks;
    }

    [Fact]
    public void TheReadmeHasCodeToCheck() => Assert.True(Blocks().Count >= 4, "README.md should show its API in compiled code blocks");

    [Theory]
    [MemberData(nameof(Blocks))]
    public void EveryCSharpBlockCompiles(int line, string code)
    {
        SyntaxTree tree = CSharpSyntaxTree.ParseText(code, GeneratorHarness.ParseOptions, path: $"README.md:{line}");
        bool program = tree.GetCompilationUnitRoot().Members.Any(m => m is Microsoft.CodeAnalysis.CSharp.Syntax.GlobalStatementSyntax);
        CSharpCompilation compilation = CSharpCompilation.Create(
            "ReadmeBlock",
            [tree],
            GeneratorHarness.References,
            GeneratorHarness.CompilationOptions.WithOutputKind(program ? OutputKind.ConsoleApplication : OutputKind.DynamicallyLinkedLibrary));
        GeneratorRun run = GeneratorHarness.Run(compilation);
        var problems = run.All.Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
        Assert.True(problems.Count == 0, $"README.md block at line {line}:\n{GeneratorHarness.Describe(problems)}\n{code}");
    }
}
