using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Text;
using RnnGen.Bench;

namespace RnnGen.Compare;

/// <summary>
/// Times every issue-4 shape with RnnGen and prints the markdown comparison table.
/// Methodology (pytorch_peer.py uses the same): per shape, warm up for at least --warmup-iters calls and
/// --warmup-seconds (and, up to 20 s, until 35 calls and 1 s pass with no JIT compilation; PyTorch: 35 calls, up to 10 s); then time reps = clamp(ceil(--target-seconds / median late warm-up call), --min-reps, --max-reps)
/// calls one by one and report the median. Process CPU time / wall time over the timed calls gives the
/// cores actually used.
/// </summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        Options options;
        try
        {
            options = Options.Parse(args);
        }
        catch (ArgumentException e)
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

        var shapes = options.Shapes.Count == 0 ? BenchCatalog.All.ToList() : options.Shapes.Select(BenchCatalog.Get).ToList();
        Peer? peer = options.PeerFile is null ? null : Peer.Read(options.PeerFile);

        // FMA peak of this core, measured first so that nothing else is warm or hot.
        Console.Error.WriteLine("measuring FMA peak ...");
        double? peak512 = FmaPeak.Avx512Supported ? FmaPeak.MeasureGflops(wide: true, trials: 20, trialSeconds: 0.05) : null;
        double? peak256 = FmaPeak.Avx2Supported ? FmaPeak.MeasureGflops(wide: false, trials: 20, trialSeconds: 0.05) : null;
        double? peak = peak512 ?? peak256;

        var results = new List<Result>();
        foreach (BenchShape shape in shapes)
        {
            Console.Error.Write($"RnnGen  {shape.Title,-24} {shape.Work,-9} ... ");
            Action run = shape.CreateRunner();
            Result result = Measure(shape, run, options);
            results.Add(result);
            Console.Error.WriteLine($"{result.MedianMs.ToString("F3", CultureInfo.InvariantCulture)} ms (median of {result.Reps}, {result.Cores.ToString("F2", CultureInfo.InvariantCulture)} cores)");
        }

        Console.WriteLine(Report(options, shapes, results, peer, peak, peak512, peak256));
        return 0;
    }

    /// <summary>
    /// Calls without any JIT activity that end the warm-up, so that methods called once per call (Forward,
    /// the generated step methods) have passed the tiered JIT's call-count thresholds and run their final
    /// tier-1 code; given up after <see cref="MaxTierUpSeconds"/> for slow shapes, whose time is all in the
    /// (long since tier-1) kernels. The details table shows any JIT time left inside the timed calls.
    /// </summary>
    private const int TierUpCalls = 35;

    private const double MaxTierUpSeconds = 20;

    private static Result Measure(BenchShape shape, Action run, Options options)
    {
        // Warm-up: enough calls for tiered compilation (30 calls, then a background tier-1 compile with
        // dynamic PGO) to finish for the per-step kernels and the generated step methods.
        // Then keep going until the JIT has been quiet (no compilation on any thread) for TierUpCalls calls and
        // a second: tier-0 -> instrumented tier -> tier-1 takes two rounds of 30 calls plus background delays.
        var clock = Stopwatch.StartNew();
        var warmupTimes = new List<double>();
        TimeSpan jitSeen = System.Runtime.JitInfo.GetCompilationTime();
        int quietCalls = 0;
        double quietSince = 0;
        while (warmupTimes.Count < options.WarmupIterations || clock.Elapsed.TotalSeconds < options.WarmupSeconds
            || ((quietCalls < TierUpCalls || clock.Elapsed.TotalSeconds - quietSince < 1.0) && clock.Elapsed.TotalSeconds < MaxTierUpSeconds))
        {
            long t0 = Stopwatch.GetTimestamp();
            run();
            warmupTimes.Add(Stopwatch.GetElapsedTime(t0).TotalSeconds);
            TimeSpan jitNow = System.Runtime.JitInfo.GetCompilationTime();
            if (jitNow != jitSeen)
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

        // Calls per timed run from the median warm-up call of the second half (past the JIT, robust to preemption).
        int warmups = warmupTimes.Count;
        List<double> late = warmupTimes.Skip(warmups / 2).Order().ToList();
        double estimate = late[late.Count / 2];
        int reps = (int)Math.Clamp(Math.Ceiling(options.TargetSeconds / Math.Max(estimate, 1e-9)), options.MinReps, options.MaxReps);
        var times = new double[reps];
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        using Process self = Process.GetCurrentProcess();
        self.Refresh();
        TimeSpan cpu0 = self.TotalProcessorTime;
        TimeSpan jit0 = System.Runtime.JitInfo.GetCompilationTime();
        long wall0 = Stopwatch.GetTimestamp();
        for (int i = 0; i < reps; i++)
        {
            long t0 = Stopwatch.GetTimestamp();
            run();
            times[i] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
        }

        double wall = Stopwatch.GetElapsedTime(wall0).TotalSeconds;
        double jitMs = (System.Runtime.JitInfo.GetCompilationTime() - jit0).TotalMilliseconds;
        self.Refresh();
        double cpu = (self.TotalProcessorTime - cpu0).TotalSeconds;
        Array.Sort(times);
        double median = reps % 2 == 1 ? times[reps / 2] : 0.5 * (times[reps / 2 - 1] + times[reps / 2]);
        return new Result(shape, median, times[0], reps, warmups, cpu / wall, jitMs);
    }

    private static string Report(Options options, List<BenchShape> shapes, List<Result> results, Peer? peer, double? peak, double? peak512, double? peak256)
    {
        CultureInfo inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        string? rnnGenThreads = Environment.GetEnvironmentVariable("RNNGEN_THREADS");
        int threads = options.Threads;
        double? peakN = peak * threads;

        sb.AppendLine(inv, $"## RnnGen vs PyTorch, {threads} thread{(threads == 1 ? "" : "s")}");
        sb.AppendLine();
        sb.AppendLine(inv, $"- machine: {CpuModel()}, {Environment.ProcessorCount} logical CPUs visible to this process (taskset affinity), {RuntimeInformation.OSDescription}");
        sb.AppendLine(inv, $"- RnnGen: .NET {Environment.Version}, Vector512 accelerated: {Vector512.IsHardwareAccelerated}, Vector256: {Vector256.IsHardwareAccelerated}; RNNGEN_THREADS={rnnGenThreads ?? "(unset)"}");
        sb.AppendLine(inv, $"- measured 1-core FMA peak: Vector512 {Fmt(peak512, "F1")} GFLOP/s, Vector256 (AVX2) {Fmt(peak256, "F1")} GFLOP/s ({FmaPeak.Chains} independent FMA chains, GFLOP/s = 2·lanes·FMA/s)");
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

        sb.AppendLine("- time: median ms per call; ratio = PyTorch / RnnGen (≥ 1: RnnGen faster); GFLOP/s from matrix-product FLOPs only");
        sb.AppendLine("  (forward T·B·2·G·H·(I+H), G = 4 LSTM, 3 GRU, 1 RNN; a training step counts 3× forward)");
        sb.AppendLine();
        string peakHeader = threads == 1 ? "% of 1-core FMA peak" : $"% of {threads}× 1-core FMA peak";
        sb.AppendLine(inv, $"| Shape | Work | RnnGen (ms) | PyTorch (ms) | Ratio PyTorch/RnnGen | RnnGen GFLOP/s | {peakHeader} |");
        sb.AppendLine("|---|---|---:|---:|---:|---:|---:|");
        foreach (Result r in results)
        {
            PeerResult? p = peer?.Find(r.Shape.Key);
            double gflops = r.Shape.Flops / (r.MedianMs * 1e-3) / 1e9;
            string peerMs = p is null ? "n/a" : p.MedianMs.ToString("F3", inv);
            string ratio = p is null ? "n/a" : (p.MedianMs / r.MedianMs).ToString("F2", inv);
            string ofPeak = peakN is null ? "n/a" : (100 * gflops / peakN.Value).ToString("F1", inv) + " %";
            sb.AppendLine(inv, $"| {r.Shape.Title} | {r.Shape.WorkTitle} | {r.MedianMs.ToString("F3", inv)} | {peerMs} | {ratio} | {gflops.ToString("F1", inv)} | {ofPeak} |");
        }

        sb.AppendLine();
        sb.AppendLine("Details: timed repetitions (after warm-up calls), cores used (process CPU time / wall time over the timed calls), and RnnGen's JIT compile time during the timed calls (0 = fully warmed up).");
        sb.AppendLine();
        sb.AppendLine("| Shape | Work | GFLOP | RnnGen reps (warm-up) | RnnGen min ms | RnnGen cores | RnnGen JIT ms | PyTorch reps (warm-up) | PyTorch min ms | PyTorch cores |");
        sb.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (Result r in results)
        {
            PeerResult? p = peer?.Find(r.Shape.Key);
            string peerCells = p is null ? "n/a | n/a | n/a |" : $"{p.Reps} ({p.Warmups}) | {p.MinMs.ToString("F3", inv)} | {p.Cores.ToString("F2", inv)} |";
            sb.AppendLine(inv, $"| {r.Shape.Title} | {(r.Shape.Work == Work.Forward ? "Forward" : "Train step")} | {(r.Shape.Flops / 1e9).ToString("F3", inv)} | {r.Reps} ({r.Warmups}) | {r.MinMs.ToString("F3", inv)} | {r.Cores.ToString("F2", inv)} | {r.JitMs.ToString("F1", inv)} | {peerCells}");
        }

        double maxCores = results.Count == 0 ? 0 : results.Max(r => r.Cores);
        double minCores = results.Count == 0 ? 1 : results.Min(r => r.Cores);
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

    private static string Fmt(double? value, string format) => value is null ? "n/a" : value.Value.ToString(format, CultureInfo.InvariantCulture);

    private static string CpuModel()
    {
        try
        {
            foreach (string line in File.ReadLines("/proc/cpuinfo"))
            {
                if (line.StartsWith("model name", StringComparison.Ordinal))
                {
                    return line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
                }
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

    private sealed record Result(BenchShape Shape, double MedianMs, double MinMs, int Reps, int Warmups, double Cores, double JitMs);

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
        public const string Usage =
            "usage: RnnGen.Compare [--threads N] [--peer results.tsv] [--peer-status TEXT] [--shapes key,key]\n" +
            "                      [--warmup-iters 3] [--warmup-seconds 2] [--target-seconds 3] [--min-reps 5] [--max-reps 1000]\n" +
            "shapes: " + "lstm_h256_b1_t150_fwd, lstm_h512_b1_t25_fwd, lstm_h512_b4_t25_fwd, gru_h1024_b1_t100_fwd, rnn_relu_h64_b1_t96_fwd,\n" +
            "        lstm_h512_b64_t25_train, lstm_h256_b32_t150_train, gru_h512_b32_t50_train";

        public bool Help { get; private set; }

        public int Threads { get; private set; } = 1;

        public string? PeerFile { get; private set; }

        public string? PeerStatus { get; private set; }

        public List<string> Shapes { get; } = [];

        public int WarmupIterations { get; private set; } = 3;

        public double WarmupSeconds { get; private set; } = 2.0;

        public double TargetSeconds { get; private set; } = 3.0;

        public int MinReps { get; private set; } = 5;

        public int MaxReps { get; private set; } = 1000;

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
                    case "--shapes": o.Shapes.AddRange(Next().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)); break;
                    case "--warmup-iters": o.WarmupIterations = int.Parse(Next(), inv); break;
                    case "--warmup-seconds": o.WarmupSeconds = double.Parse(Next(), inv); break;
                    case "--target-seconds": o.TargetSeconds = double.Parse(Next(), inv); break;
                    case "--min-reps": o.MinReps = Math.Max(1, int.Parse(Next(), inv)); break;
                    case "--max-reps": o.MaxReps = int.Parse(Next(), inv); break;
                    default: throw new ArgumentException($"Unknown argument '{args[i]}'.");
                }
            }

            o.MaxReps = Math.Max(o.MaxReps, o.MinReps);
            return o;
        }
    }
}
