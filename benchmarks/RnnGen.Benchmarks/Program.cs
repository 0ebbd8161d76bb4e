using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace RnnGen.Benchmarks;

internal static class Program
{
    /// <summary>BenchmarkDotNet's switcher: pass --filter, --job, --affinity and the rest on the command line.</summary>
    private static void Main(string[] args) =>
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(
            args,
            DefaultConfig.Instance
                .AddColumn(new GflopsColumn())
                .WithSummaryStyle(SummaryStyle.Default.WithMaxParameterColumnWidth(32)));
}
