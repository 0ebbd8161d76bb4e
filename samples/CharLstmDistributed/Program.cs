// The main job (samples/CharLstm: the same model declaration and the same novel) trained data-parallel on
// several processes:
//
//   dotnet build -c Release samples/CharLstmDistributed
//   mpirun -np 2 samples/CharLstmDistributed/bin/Release/net10.0/CharLstmDistributed [--steps 120]
//
// Every rank holds a replica of the model and draws its own 32 random windows per step; the gradients are
// averaged over all ranks (a global batch of 32 × ranks), every replica takes the same Adam step, and rank 0
// prints the loss over the whole global batch and writes the checkpoint, which samples/CharLstm's CharModel
// loads with Parameters.Load (the same declaration).
using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using CharLstm;
using RnnGen;
using RnnGen.Distributed;

int steps = args.Length > 1 && args[0] == "--steps" ? int.Parse(args[1], CultureInfo.InvariantCulture) : 120;
if (!DistributedContext.IsLaunchedByMpi)
{
    Console.Error.WriteLine("Start this sample with mpirun, one process per replica: mpirun -np 2 " + Environment.ProcessPath
        + " (as root also set OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1). samples/CharLstm trains the same model in one process.");
    return 2;
}

using DistributedContext context = DistributedContext.Initialize();
string text = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "pride-and-prejudice.txt")).Replace("\r", "");
var vocabulary = new Vocabulary(text);
int[] corpus = text.Select(c => vocabulary[c]).ToArray();

const int B = CharModel.BatchSize, T = CharModel.SequenceLength;
var model = new CharModel(seed: 42);

// Checks that every rank built the same model with the same seed, then copies rank 0's parameters.
var parallel = new DataParallel(context, model.Parameters, model.Gradients);
var optimizer = new Adam(learningRate: 3e-3f);
if (context.IsRoot)
{
    Console.WriteLine($"{context.Size} ranks × batch {B} = global batch {context.Size * B}; T = {T}; {model.Parameters.TotalLength:N0} parameters, "
        + $"{parallel.GradientBytes:N0} bytes of gradients all-reduced per step; RNNGEN_THREADS = {RnnThreads.Count} per rank; {context.LibraryVersion.Split(',')[0]}");
}

// Each rank its own stream of windows: the shards of a global batch must differ.
var random = new Random(7 + 7919 * context.Rank);
var inputs = new int[B * T];
var targets = new int[B * T];
var logits = new float[B * T * CharModel.OutputSize];
const int warmup = 5;
long compute = 0, reduce = 0, update = 0, timedStart = 0;

// CPU time of forward+backward as well as wall time: on a shared machine the wall time also counts the time
// other programs held the core, the CPU time only this rank's work.
using Process self = Process.GetCurrentProcess();
TimeSpan computeCpu = TimeSpan.Zero;
var clock = Stopwatch.StartNew();
double average = 0;
for (int step = 1; step <= steps; step++)
{
    timedStart = step == warmup + 1 ? Stopwatch.GetTimestamp() : timedStart;
    for (int b = 0; b < B; b++)
    {
        int start = random.Next(corpus.Length - T - 1);
        corpus.AsSpan(start, T).CopyTo(inputs.AsSpan(b * T));
        corpus.AsSpan(start + 1, T).CopyTo(targets.AsSpan(b * T));
    }

    TimeSpan cpu0 = self.TotalProcessorTime;
    long t0 = Stopwatch.GetTimestamp();
    model.Forward(inputs, logits);
    float localLoss = model.Loss(targets);
    model.ZeroGradients();
    model.Backward();
    long t1 = Stopwatch.GetTimestamp();
    TimeSpan cpu1 = self.TotalProcessorTime;

    // Full windows: every rank's loss averages B·T positions (with ragged lengths pass CountLossTerms(lengths, B, T)).
    double loss = parallel.AllReduceGradients(localLoss, (long)B * T);
    long t2 = Stopwatch.GetTimestamp();

    // Clip the averaged gradients, as one process with the global batch would.
    GradientClipping.ClipByGlobalNorm(model.Gradients, maxNorm: 1f);
    optimizer.Step(model.Parameters, model.Gradients);
    long t3 = Stopwatch.GetTimestamp();
    if (step > warmup)
    {
        computeCpu += cpu1 - cpu0;
        compute += t1 - t0;
        reduce += t2 - t1;
        update += t3 - t2;
    }

    average = step == 1 ? loss : 0.9 * average + 0.1 * loss;
    if (context.IsRoot && (step == 1 || step % 20 == 0 || step == steps))
    {
        Console.WriteLine($"step {step,4}  loss {loss:F3}  (smoothed {average:F3}, {Math.Exp(average):F1} perplexity)  {clock.Elapsed.TotalSeconds,6:F1} s");
    }
}

// The slowest rank sets the pace: report the largest time of each phase over the ranks.
Span<long> times = [compute, reduce, update, Stopwatch.GetTimestamp() - timedStart, (long)(computeCpu.TotalSeconds * Stopwatch.Frequency)];
context.AllReduceMax(times);
int timed = Math.Max(steps - warmup, 1);
double Milliseconds(long ticks) => ticks * 1000.0 / Stopwatch.Frequency / timed;
if (context.IsRoot)
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"per step (steps {warmup + 1}..{steps}, slowest rank): forward+backward {Milliseconds(times[0]):F2} ms ({Milliseconds(times[4]):F2} ms CPU), all-reduce {Milliseconds(times[1]):F2} ms, "
        + $"clip+Adam {Milliseconds(times[2]):F2} ms; wall {Milliseconds(times[3]):F2} ms per step"));
}

// Replicas must still be bitwise equal; then rank 0 alone writes the checkpoint (the others wait for it).
parallel.VerifyReplicas();
string checkpoint = Path.Combine(Path.GetTempPath(), "rnngen-charlstm-distributed.safetensors");
parallel.SaveCheckpoint(checkpoint);
if (context.IsRoot)
{
    Console.WriteLine($"Saved {model.Parameters.TotalLength:N0} parameters to {checkpoint} (loads into samples/CharLstm's CharModel)");
}

return 0;
