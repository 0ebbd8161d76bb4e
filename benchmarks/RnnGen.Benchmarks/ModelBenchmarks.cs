using System;
using System.Collections.Generic;
using System.Linq;
using BenchmarkDotNet.Attributes;
using RnnGen.Bench;

namespace RnnGen.Benchmarks;

/// <summary>Inference shapes: one operation = one <c>Forward</c> call (one <c>Step</c> for the streaming shape).</summary>
public class ForwardBenchmarks
{
    private Action _run = static () => { };

    public static IEnumerable<string> Shapes => BenchCatalog.All.Where(s => s.Work != Work.TrainStep).Select(s => s.Key);

    [ParamsSource(nameof(Shapes))]
    public string Shape { get; set; } = "";

    [GlobalSetup]
    public void Setup() => _run = BenchCatalog.Get(Shape).CreateRunner();

    [Benchmark]
    public void Forward() => _run();
}

/// <summary>
/// Training shapes: one operation = ZeroGradients + Forward + Loss (MSE) + Backward.
/// Each operation takes up to seconds, so one invocation per iteration and few iterations.
/// </summary>
[WarmupCount(2)]
[IterationCount(5)]
[InvocationCount(1, 1)]
public class TrainingBenchmarks
{
    private Action _run = static () => { };

    public static IEnumerable<string> Shapes => BenchCatalog.All.Where(s => s.Work == Work.TrainStep).Select(s => s.Key);

    [ParamsSource(nameof(Shapes))]
    public string Shape { get; set; } = "";

    [GlobalSetup]
    public void Setup() => _run = BenchCatalog.Get(Shape).CreateRunner();

    [Benchmark]
    public void TrainStep() => _run();
}
