using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Text;
using Microsoft.ML.OnnxRuntime;
using RnnGen.Bench;
using RnnGen.Compare.Onnx;

namespace RnnGen.Compare;

/// <summary>
/// Times every benchmark shape with RnnGen and with ONNX Runtime (the inference shapes) in this process, reads the
/// PyTorch peer's results, and prints the markdown comparison table.
/// Methodology (pytorch_peer.py uses the same): per shape and engine, warm up for at least --warmup-iters calls and
/// --warmup-seconds (RnnGen also, up to 20 s, until 35 calls and 1 s pass with no JIT compilation; ONNX Runtime and
/// PyTorch: 35 calls); then time reps = clamp(ceil(--target-seconds / median late warm-up call), --min-reps, --max-reps)
/// calls one by one, RnnGen and ONNX Runtime alternating in <see cref="Blocks"/> blocks, and report the medians.
/// Process CPU time / wall time over the timed calls gives the cores actually used.
/// </summary>
internal static class Program
{
    /// <summary>
    /// Calls without any JIT activity that end the warm-up, so that methods called once per call (Forward,
    /// the generated step methods) have passed the tiered JIT's call-count thresholds and run their final
    /// tier-1 code; given up after <see cref="MaxTierUpSeconds"/> for slow shapes, whose time is all in the
    /// (long since tier-1) kernels. The details table shows any JIT time left inside the timed calls.
    /// </summary>
    private const int TierUpCalls = 35;

    private const double MaxTierUpSeconds = 20;

    /// <summary>The timed calls of the two engines alternate in this many blocks, so that a slow phase of the machine hits both.</summary>
    private const int Blocks = 4;

    /// <summary>Calls of a fresh model timed one by one before the warm-up (the cold start).</summary>
    private const int FirstCalls = 10;

    private static int Main(string[] args)
    {
        Options options;
        try
        {
            options = Options.Parse(args);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or OverflowException)
        {
            Console.Error.WriteLine(e.Message);
            Console.Error.WriteLine(Options.Usage);
            return 2;
        }

        if (options.Help)
        {
            Console.WriteLine(Options.Usage);
            return 0;
        }

        if (options.ProfileShape is not null)
        {
            return Profile(options);
        }

        var shapes = options.Shapes.Count == 0 ? BenchCatalog.All.ToList() : options.Shapes.Select(BenchCatalog.Get).ToList();
        Peer? peer = options.PeerFile is null ? null : Peer.Read(options.PeerFile);

        // FMA peak and cache bandwidth of this core, measured first so that nothing else is warm or hot.
        Console.Error.WriteLine("measuring FMA peak and read bandwidth ...");
        double? peak512 = FmaPeak.Avx512Supported ? FmaPeak.MeasureGflops(wide: true, trials: 20, trialSeconds: 0.05) : null;
        double? peak256 = FmaPeak.Avx2Supported ? FmaPeak.MeasureGflops(wide: false, trials: 20, trialSeconds: 0.05) : null;
        double? peak = peak512 ?? peak256;
        var bandwidth = new List<(long Bytes, double GBs)>();
        foreach (long bytes in BandwidthSizes(shapes))
        {
            bandwidth.Add((bytes, CacheBandwidth.MeasureGBs(bytes)));
        }

        var results = new List<Result>();
        foreach (BenchShape shape in shapes)
        {
            results.Add(Run(shape, options));
        }

        Console.WriteLine(Report(options, shapes, results, peer, peak, peak512, peak256, bandwidth));
        return 0;
    }

    /// <summary>One shape: RnnGen, and ONNX Runtime for inference shapes, checked against each other, then timed alternately.</summary>
    private static Result Run(BenchShape shape, Options options)
    {
        IRnnModel<float> model = shape.CreateModel();
        Action rnnGen = shape.CreateRunner(model);

        // The first calls of a fresh model, JIT compilation included: how soon it runs at full speed.
        double[] firstCalls = new double[FirstCalls];
        for (int i = 0; i < firstCalls.Length; i++)
        {
            long t0 = Stopwatch.GetTimestamp();
            rnnGen();
            firstCalls[i] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
        }

        OnnxPeer? onnx = null;
        string? onnxError = null;
        double? difference = null;
        if (shape.HasInferencePeer && !options.NoOnnx)
        {
            try
            {
                int rows = shape.Batch * (shape.Work == Work.Step ? 1 : shape.Steps);
                float[] input = BenchCatalog.Fill(rows * shape.Input, 11);
                onnx = OnnxPeer.Create(shape, model.Parameters, options.Threads, input, options.OnnxDirectory);
                if (onnx.Source != "torch.onnx.export")
                {
                    difference = Agreement(shape, model, onnx, input);
                }
            }
            catch (Exception e) when (e is OnnxRuntimeException or DllNotFoundException or EntryPointNotFoundException or TypeInitializationException)
            {
                onnxError = e.GetType().Name + ": " + e.Message.Split('\n')[0];
                Console.Error.WriteLine($"ONNX Runtime unavailable for {shape.Key}: {onnxError}");
            }
        }

        try
        {
            Console.Error.Write($"{shape.Title,-28} {shape.Work,-9} warm-up ... ");
            Warmup rnnWarm = Warm(rnnGen, options, waitForJit: true);
            Warmup? onnxWarm = onnx is null ? null : Warm(onnx.Run, options, waitForJit: false);
            Timing rnnTiming = new(rnnWarm.Reps(options));
            Timing? onnxTiming = onnxWarm is null ? null : new(onnxWarm.Value.Reps(options));
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            for (int block = 0; block < Blocks; block++)
            {
                rnnTiming.RunBlock(rnnGen, block);
                if (onnx is not null)
                {
                    onnxTiming!.RunBlock(onnx.Run, block);
                }
            }

            var result = new Result(shape, rnnTiming.Summary(rnnWarm.Calls), onnxTiming?.Summary(onnxWarm!.Value.Calls), onnx?.Source, onnxError, difference, firstCalls);
            Console.Error.WriteLine(
                $"RnnGen {Ms(result.RnnGen.MedianMs)} ms ({result.RnnGen.Cores.ToString("F2", CultureInfo.InvariantCulture)} cores)" +
                (result.Onnx is null ? "" : $", ONNX Runtime {Ms(result.Onnx.MedianMs)} ms ({result.Onnx.Cores.ToString("F2", CultureInfo.InvariantCulture)} cores)"));
            return result;
        }
        finally
        {
            onnx?.Dispose();
        }
    }

    /// <summary>
    /// Largest |RnnGen − ONNX Runtime| over the output of one Forward (four Steps from a fresh stream for the
    /// streaming shape) on the same input and weights; the model and the peer are reset afterwards.
    /// </summary>
    private static double Agreement(BenchShape shape, IRnnModel<float> model, OnnxPeer onnx, float[] input)
    {
        float[] output = new float[onnx.Output.Length];
        if (shape.Work == Work.Step)
        {
            model.ResetState();
            onnx.ResetState();
            for (int s = 0; s < 4; s++)
            {
                model.Step(input, output);
                onnx.Run();
            }

            model.ResetState();
            onnx.ResetState();
        }
        else
        {
            model.Forward(input, output);
            onnx.Run();
        }

        double worst = 0;
        for (int i = 0; i < output.Length; i++)
        {
            worst = Math.Max(worst, Math.Abs((double)output[i] - onnx.Output[i]));
        }

        return worst;
    }

    /// <summary>Warm-up calls and the median of their second half (past the JIT, robust to preemption).</summary>
    private readonly record struct Warmup(int Calls, double EstimateSeconds)
    {
        public int Reps(Options options) =>
            (int)Math.Clamp(Math.Ceiling(options.TargetSeconds / Math.Max(EstimateSeconds, 1e-9)), options.MinReps, options.MaxReps);
    }

    private static Warmup Warm(Action run, Options options, bool waitForJit)
    {
        // Enough calls for tiered compilation (30 calls, then a background tier-1 compile with dynamic PGO) to
        // finish for the kernels and the generated methods: keep going until the JIT has been quiet (no compilation
        // on any thread) for TierUpCalls calls and a second. Native engines only need the plain warm-up.
        var clock = Stopwatch.StartNew();
        var times = new List<double>();
        TimeSpan jitSeen = System.Runtime.JitInfo.GetCompilationTime();
        int quietCalls = 0;
        double quietSince = 0;
        while (times.Count < options.WarmupIterations || clock.Elapsed.TotalSeconds < options.WarmupSeconds
            || ((quietCalls < TierUpCalls || (waitForJit && clock.Elapsed.TotalSeconds - quietSince < 1.0)) && clock.Elapsed.TotalSeconds < MaxTierUpSeconds))
        {
            long t0 = Stopwatch.GetTimestamp();
            run();
            times.Add(Stopwatch.GetElapsedTime(t0).TotalSeconds);
            TimeSpan jitNow = System.Runtime.JitInfo.GetCompilationTime();
            if (waitForJit && jitNow != jitSeen)
            {
                jitSeen = jitNow;
                quietCalls = 0;
                quietSince = clock.Elapsed.TotalSeconds;
            }
            else
            {
                quietCalls++;
            }
        }

        List<double> late = times.Skip(times.Count / 2).Order().ToList();
        return new Warmup(times.Count, late[late.Count / 2]);
    }

    /// <summary>The timed calls of one engine, run in blocks; CPU, wall and JIT time summed over the blocks.</summary>
    private sealed class Timing(int reps)
    {
        private readonly double[] _times = new double[reps];
        private int _done;
        private double _wall;
        private double _cpu;
        private double _jitMs;

        public void RunBlock(Action run, int block)
        {
            int end = (int)((long)(block + 1) * _times.Length / Blocks);
            using Process self = Process.GetCurrentProcess();
            TimeSpan cpu0 = self.TotalProcessorTime;
            TimeSpan jit0 = System.Runtime.JitInfo.GetCompilationTime();
            long wall0 = Stopwatch.GetTimestamp();
            for (; _done < end; _done++)
            {
                long t0 = Stopwatch.GetTimestamp();
                run();
                _times[_done] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
            }

            _wall += Stopwatch.GetElapsedTime(wall0).TotalSeconds;
            _jitMs += (System.Runtime.JitInfo.GetCompilationTime() - jit0).TotalMilliseconds;
            self.Refresh();
            _cpu += (self.TotalProcessorTime - cpu0).TotalSeconds;
        }

        public Summary Summary(int warmups)
        {
            double[] sorted = (double[])_times.Clone();
            Array.Sort(sorted);
            int n = sorted.Length;
            double median = n % 2 == 1 ? sorted[n / 2] : 0.5 * (sorted[(n / 2) - 1] + sorted[n / 2]);
            return new Summary(median, sorted[0], n, warmups, _wall > 0 ? _cpu / _wall : 0, _jitMs);
        }
    }

    /// <summary>--profile KEY --calls N: N calls of one shape's RnnGen work and nothing else (for callgrind or perf).</summary>
    private static int Profile(Options options)
    {
        BenchShape shape = BenchCatalog.Get(options.ProfileShape!);
        Action run = shape.CreateRunner();
        long start = Stopwatch.GetTimestamp();
        for (int i = 0; i < options.ProfileCalls; i++)
        {
            run();
        }

        double ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        Console.Error.WriteLine($"{shape.Key}: {options.ProfileCalls} calls, {ms.ToString("F1", CultureInfo.InvariantCulture)} ms");
        return 0;
    }

    /// <summary>Buffer sizes for the bandwidth table: L1-, L2- and L3-sized reads, and each streaming shape's weights.</summary>
    private static IEnumerable<long> BandwidthSizes(List<BenchShape> shapes)
    {
        var sizes = new SortedSet<long> { 32 << 10, 256 << 10, 1 << 20, 4 << 20, 16 << 20, 128 << 20 };
        foreach (BenchShape shape in shapes.Where(s => s.Work == Work.Step))
        {
            sizes.Add(shape.WeightBytes);
        }

        return sizes;
    }

    private static string Report(Options options, List<BenchShape> shapes, List<Result> results, Peer? peer, double? peak, double? peak512, double? peak256, List<(long Bytes, double GBs)> bandwidth)
    {
        CultureInfo inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        string? rnnGenThreads = Environment.GetEnvironmentVariable("RNNGEN_THREADS");
        int threads = options.Threads;
        double? peakN = peak * threads;
        string onnxVersion = results.Any(r => r.Onnx is not null) ? OnnxPeer.Version : "n/a";

        sb.AppendLine(inv, $"## RnnGen vs ONNX Runtime and PyTorch, {threads} thread{(threads == 1 ? "" : "s")}");
        sb.AppendLine();
        sb.AppendLine(inv, $"- machine: {CpuModel()}, {Environment.ProcessorCount} logical CPUs visible to this process (taskset affinity), {RuntimeInformation.OSDescription}");
        sb.AppendLine(inv, $"- RnnGen: .NET {Environment.Version} ({(RuntimeFeature.IsDynamicCodeCompiled ? "JIT" : "Native AOT")}), Vector512 accelerated: {Vector512.IsHardwareAccelerated}, Vector256: {Vector256.IsHardwareAccelerated}; RNNGEN_THREADS={rnnGenThreads ?? "(unset)"}");
        sb.AppendLine(inv, $"- measured 1-core FMA peak: Vector512 {Fmt(peak512, "F1")} GFLOP/s, Vector256 (AVX2) {Fmt(peak256, "F1")} GFLOP/s ({FmaPeak.Chains} independent FMA chains, GFLOP/s = 2·lanes·FMA/s)");
        sb.AppendLine(inv, $"- ONNX Runtime {onnxVersion} (C#, Microsoft.ML.OnnxRuntime): IntraOpNumThreads = {threads}, sequential, ORT_ENABLE_ALL, inputs and outputs bound to preallocated buffers; {(options.NoOnnx ? "not run (--no-onnx)" : OnnxSources(results))}");
        if (peer is null)
        {
            sb.AppendLine(inv, $"- PyTorch: {options.PeerStatus ?? "not run"}");
        }
        else
        {
            foreach (KeyValuePair<string, string> meta in peer.Meta)
            {
                sb.AppendLine(inv, $"- PyTorch {meta.Key}: {meta.Value}");
            }
        }

        sb.AppendLine("- time: median ms per call; ratio = peer / RnnGen (above 1: RnnGen is faster); GFLOP/s from matrix-product FLOPs only");
        sb.AppendLine("  (T·B·D·2·G·H·(I+H), G = 4 LSTM, 3 GRU, 1 RNN, D = 2 bidirectional; a training step counts 3× forward)");
        sb.AppendLine();
        string peakHeader = threads == 1 ? "% of 1-core FMA peak" : $"% of {threads}× 1-core FMA peak";
        sb.AppendLine(inv, $"| Shape | Work | RnnGen (ms) | ONNX Runtime (ms) | Ratio ORT/RnnGen | PyTorch (ms) | Ratio PyTorch/RnnGen | RnnGen GFLOP/s | {peakHeader} |");
        sb.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (Result r in results)
        {
            PeerResult? p = peer?.Find(r.Shape.Key);
            double gflops = r.Shape.Flops / (r.RnnGen.MedianMs * 1e-3) / 1e9;
            string onnxMs = r.Onnx is null ? (r.Shape.HasInferencePeer ? "n/a" : "—") : Ms(r.Onnx.MedianMs);
            string onnxRatio = r.Onnx is null ? (r.Shape.HasInferencePeer ? "n/a" : "—") : (r.Onnx.MedianMs / r.RnnGen.MedianMs).ToString("F2", inv);
            string peerMs = p is null ? "n/a" : Ms(p.MedianMs);
            string ratio = p is null ? "n/a" : (p.MedianMs / r.RnnGen.MedianMs).ToString("F2", inv);
            string ofPeak = peakN is null ? "n/a" : (100 * gflops / peakN.Value).ToString("F1", inv) + " %";
            sb.AppendLine(inv, $"| {r.Shape.Title} | {r.Shape.WorkTitle} | {Ms(r.RnnGen.MedianMs)} | {onnxMs} | {onnxRatio} | {peerMs} | {ratio} | {gflops.ToString("F1", inv)} | {ofPeak} |");
        }

        AppendStreaming(sb, results, bandwidth);
        sb.AppendLine();
        sb.AppendLine("Read bandwidth of one core (a buffer of this size summed over and over with vector loads; best of 9 trials):");
        sb.AppendLine();
        sb.AppendLine("| Buffer | GB/s |");
        sb.AppendLine("|---:|---:|");
        foreach ((long bytes, double gbs) in bandwidth)
        {
            sb.AppendLine(inv, $"| {Bytes(bytes)} | {gbs.ToString("F1", inv)} |");
        }

        sb.AppendLine();
        sb.AppendLine("Details: timed repetitions (after warm-up calls), fastest call, cores used (process CPU time / wall time over the timed calls), RnnGen's JIT compile time during its timed calls (0 = fully warmed up), and the largest |RnnGen − ONNX Runtime| difference of the outputs on the same input and weights.");
        sb.AppendLine();
        sb.AppendLine("| Shape | Work | GFLOP | RnnGen reps (warm-up) | min ms | cores | JIT ms | ORT reps (warm-up) | min ms | cores | max abs diff | PyTorch reps (warm-up) | min ms | cores |");
        sb.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (Result r in results)
        {
            PeerResult? p = peer?.Find(r.Shape.Key);
            Summary g = r.RnnGen;
            string onnxCells = r.Onnx is null ? "n/a | n/a | n/a |" : $"{r.Onnx.Reps} ({r.Onnx.Warmups}) | {Ms(r.Onnx.MinMs)} | {r.Onnx.Cores.ToString("F2", inv)} |";
            string diff = r.Difference is null ? (r.OnnxSource == "torch.onnx.export" ? "(torch's weights)" : "n/a") : r.Difference.Value.ToString("G2", inv);
            string peerCells = p is null ? "n/a | n/a | n/a |" : $"{p.Reps} ({p.Warmups}) | {Ms(p.MinMs)} | {p.Cores.ToString("F2", inv)} |";
            string work = r.Shape.Work switch { Work.Forward => "Forward", Work.Step => "Step", _ => "Train step" };
            sb.AppendLine(inv, $"| {r.Shape.Title} | {work} | {(r.Shape.Flops / 1e9).ToString("F4", inv)} | {g.Reps} ({g.Warmups}) | {Ms(g.MinMs)} | {g.Cores.ToString("F2", inv)} | {g.JitMs.ToString("F1", inv)} | {onnxCells} {diff} | {peerCells}");
        }

        sb.AppendLine();
        sb.AppendLine(inv, $"Cold start: RnnGen's first {FirstCalls} calls on a fresh model, one by one (JIT compilation included, {(RuntimeFeature.IsDynamicCodeCompiled ? "tiered JIT" : "Native AOT: nothing to compile")}; kernels shared with an earlier shape are already compiled), against the warmed-up median.");
        sb.AppendLine();
        sb.AppendLine("| Shape | Work | call 1 (ms) | call 2 (ms) | median of calls 3-10 (ms) | warmed-up median (ms) | calls 3-10 / warmed up |");
        sb.AppendLine("|---|---|---:|---:|---:|---:|---:|");
        foreach (Result r in results)
        {
            double[] later = r.FirstCalls.Skip(2).Order().ToArray();
            double laterMedian = later.Length == 0 ? double.NaN : later[later.Length / 2];
            string work = r.Shape.Work switch { Work.Forward => "Forward", Work.Step => "Step", _ => "Train step" };
            sb.AppendLine(inv, $"| {r.Shape.Title} | {work} | {Ms(r.FirstCalls[0])} | {Ms(r.FirstCalls[1])} | {Ms(laterMedian)} | {Ms(r.RnnGen.MedianMs)} | {(laterMedian / r.RnnGen.MedianMs).ToString("F2", inv)} |");
        }

        foreach (Result r in results.Where(r => r.OnnxError is not null))
        {
            sb.AppendLine();
            sb.AppendLine(inv, $"Note: ONNX Runtime failed on {r.Shape.Key}: {r.OnnxError}");
        }

        double maxCores = results.Count == 0 ? 0 : results.Max(r => r.RnnGen.Cores);
        double minCores = results.Count == 0 ? 1 : results.Min(r => r.RnnGen.Cores);
        if (minCores < 0.9)
        {
            sb.AppendLine();
            sb.AppendLine(inv, $"Note: RnnGen's cores fell to {minCores.ToString("F2", inv)} on some shape: other processes shared the pinned core(s) during this run (its single-threaded code otherwise reads ≈ 1.00), so times are inflated and noisy; rerun on an idle machine.");
        }

        if (threads > 1)
        {
            sb.AppendLine();
            string note = maxCores < 1.2
                ? $"Note: RNNGEN_THREADS={rnnGenThreads ?? "(unset)"} (RnnThreads.Count = {RnnThreads.Count}), but RnnGen used at most {maxCores.ToString("F2", inv)} cores on any shape: either every product was too small to split or other processes held the other core(s), so its column is close to a 1-core result while the % column compares it with {threads} cores' peak."
                : $"Note: RNNGEN_THREADS={rnnGenThreads ?? "(unset)"} (RnnThreads.Count = {RnnThreads.Count}); RnnGen used up to {maxCores.ToString("F2", inv)} cores.";
            sb.AppendLine(note);
        }

        if (peer is not null)
        {
            var missing = shapes.Where(s => peer.Find(s.Key) is null).Select(s => s.Key).ToList();
            if (missing.Count > 0)
            {
                sb.AppendLine();
                sb.AppendLine(inv, $"Note: the PyTorch results have no entry for {string.Join(", ", missing)}.");
            }
        }

        return sb.ToString();
    }

    /// <summary>The streaming rows against the time to read their weights once at the measured bandwidth of that size.</summary>
    private static void AppendStreaming(StringBuilder sb, List<Result> results, List<(long Bytes, double GBs)> bandwidth)
    {
        CultureInfo inv = CultureInfo.InvariantCulture;
        foreach (Result r in results.Where(r => r.Shape.Work == Work.Step))
        {
            long bytes = r.Shape.WeightBytes;
            double gbs = bandwidth.First(b => b.Bytes == bytes).GBs;
            double readUs = bytes / (gbs * 1e9) * 1e6;
            double stepUs = r.RnnGen.MedianMs * 1e3;
            sb.AppendLine();
            string onnx = r.Onnx is null ? "" : string.Create(inv, $" ONNX Runtime: {(r.Onnx.MedianMs * 1e3).ToString("F2", inv)} µs per step ({(r.Onnx.MedianMs / r.RnnGen.MedianMs).ToString("F1", inv)}× RnnGen).");
            sb.AppendLine(inv, $"Streaming {r.Shape.Title}: one Step takes {stepUs.ToString("F2", inv)} µs; reading its weights W_ih and W_hh once ({Bytes(bytes)}) at this core's measured {gbs.ToString("F1", inv)} GB/s for that size takes {readUs.ToString("F2", inv)} µs: the step is {(stepUs / readUs).ToString("F2", inv)}× that.{onnx}");
        }
    }

    private static string OnnxSources(List<Result> results)
    {
        var sources = results.Where(r => r.OnnxSource is not null).Select(r => r.OnnxSource!).Distinct().ToList();
        if (sources.Count == 0)
        {
            return "no inference shape ran";
        }

        return "models: " + string.Join(" / ", sources.Select(s => s == "torch.onnx.export"
            ? "exported by torch.onnx.export (pytorch_peer.py --export-onnx, torch's own weights)"
            : "the graph torch.onnx.export writes (opset 14), built by RnnGen.Compare with RnnGen's weights"));
    }

    private static string Ms(double ms) => ms.ToString(ms >= 1 ? "F3" : ms >= 0.01 ? "F4" : "F5", CultureInfo.InvariantCulture);

    private static string Bytes(long bytes) => bytes >= 1 << 20 && bytes % (1 << 20) == 0 ? $"{bytes >> 20} MiB" : bytes >= 1 << 10 ? $"{(bytes / 1024.0).ToString("0.#", CultureInfo.InvariantCulture)} KiB" : $"{bytes} B";

    private static string Fmt(double? value, string format) => value is null ? "n/a" : value.Value.ToString(format, CultureInfo.InvariantCulture);

    private static string CpuModel()
    {
        try
        {
            string? model = null, family = null, number = null;
            foreach (string line in File.ReadLines("/proc/cpuinfo"))
            {
                string value = line.Contains(':', StringComparison.Ordinal) ? line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim() : "";
                if (model is null && line.StartsWith("model name", StringComparison.Ordinal))
                {
                    model = value;
                }
                else if (family is null && line.StartsWith("cpu family", StringComparison.Ordinal))
                {
                    family = value;
                }
                else if (number is null && line.StartsWith("model\t", StringComparison.Ordinal))
                {
                    number = value;
                }
            }

            if (model is not null)
            {
                return family is null ? model : $"{model} (family {family}, model {number})";
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return RuntimeInformation.ProcessArchitecture.ToString();
    }

    private sealed record Summary(double MedianMs, double MinMs, int Reps, int Warmups, double Cores, double JitMs);

    private sealed record Result(BenchShape Shape, Summary RnnGen, Summary? Onnx, string? OnnxSource, string? OnnxError, double? Difference, double[] FirstCalls);

    private sealed record PeerResult(string Key, double MedianMs, double MinMs, int Reps, int Warmups, double Cores);

    /// <summary>pytorch_peer.py's output: "# name: value" lines, then "key median_ms min_ms reps warmups cores" rows (tab-separated).</summary>
    private sealed class Peer
    {
        public List<KeyValuePair<string, string>> Meta { get; } = [];

        private Dictionary<string, PeerResult> Rows { get; } = [];

        public PeerResult? Find(string key) => Rows.GetValueOrDefault(key);

        public static Peer Read(string path)
        {
            var peer = new Peer();
            foreach (string raw in File.ReadLines(path))
            {
                string line = raw.Trim();
                if (line.Length == 0)
                {
                    continue;
                }

                if (line.StartsWith('#'))
                {
                    int colon = line.IndexOf(':', StringComparison.Ordinal);
                    if (colon > 0)
                    {
                        peer.Meta.Add(new(line[1..colon].Trim(), line[(colon + 1)..].Trim()));
                    }

                    continue;
                }

                string[] f = line.Split('\t');
                if (f.Length < 6)
                {
                    throw new FormatException($"{path}: bad row '{line}'.");
                }

                CultureInfo inv = CultureInfo.InvariantCulture;
                peer.Rows[f[0]] = new PeerResult(f[0], double.Parse(f[1], inv), double.Parse(f[2], inv), int.Parse(f[3], inv), int.Parse(f[4], inv), double.Parse(f[5], inv));
            }

            return peer;
        }
    }

    private sealed class Options
    {
        public static readonly string Usage =
            "usage: RnnGen.Compare [--threads N] [--peer results.tsv] [--peer-status TEXT] [--shapes key,key]\n" +
            "                      [--onnx-dir DIR] [--no-onnx]\n" +
            "                      [--warmup-iters 3] [--warmup-seconds 2] [--target-seconds 3] [--min-reps 5] [--max-reps 1000]\n" +
            "       RnnGen.Compare --profile KEY [--calls N]   (N calls of one shape, untimed: for callgrind or perf)\n" +
            "shapes: " + string.Join(", ", BenchCatalog.All.Select(s => s.Key));

        public bool Help { get; private set; }

        public int Threads { get; private set; } = 1;

        public string? PeerFile { get; private set; }

        public string? PeerStatus { get; private set; }

        public string? OnnxDirectory { get; private set; }

        public bool NoOnnx { get; private set; }

        public List<string> Shapes { get; } = [];

        public int WarmupIterations { get; private set; } = 3;

        public double WarmupSeconds { get; private set; } = 2.0;

        public double TargetSeconds { get; private set; } = 3.0;

        public int MinReps { get; private set; } = 5;

        public int MaxReps { get; private set; } = 1000;

        public string? ProfileShape { get; private set; }

        public int ProfileCalls { get; private set; } = 100;

        public static Options Parse(string[] args)
        {
            var o = new Options();
            for (int i = 0; i < args.Length; i++)
            {
                string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
                CultureInfo inv = CultureInfo.InvariantCulture;
                switch (args[i])
                {
                    case "-h" or "--help": o.Help = true; break;
                    case "--threads": o.Threads = Math.Max(1, int.Parse(Next(), inv)); break;
                    case "--peer": o.PeerFile = Next(); break;
                    case "--peer-status": o.PeerStatus = Next(); break;
                    case "--onnx-dir": o.OnnxDirectory = Next(); break;
                    case "--no-onnx": o.NoOnnx = true; break;
                    case "--shapes": o.Shapes.AddRange(Next().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)); break;
                    case "--warmup-iters": o.WarmupIterations = int.Parse(Next(), inv); break;
                    case "--warmup-seconds": o.WarmupSeconds = double.Parse(Next(), inv); break;
                    case "--target-seconds": o.TargetSeconds = double.Parse(Next(), inv); break;
                    case "--min-reps": o.MinReps = Math.Max(1, int.Parse(Next(), inv)); break;
                    case "--max-reps": o.MaxReps = int.Parse(Next(), inv); break;
                    case "--profile": o.ProfileShape = Next(); break;
                    case "--calls": o.ProfileCalls = Math.Max(0, int.Parse(Next(), inv)); break;
                    default: throw new ArgumentException($"Unknown argument '{args[i]}'.");
                }
            }

            foreach (string key in o.Shapes)
            {
                BenchCatalog.Get(key); // an unknown key fails here, with the list in the usage text
            }

            o.MaxReps = Math.Max(o.MaxReps, o.MinReps);
            return o;
        }
    }
}
