// Inference with a generated LSTM, meant to be published as a Native AOT executable:
// writes a checkpoint (or loads the one given), runs Forward on a fixed input, prints a checksum of
// the output and the time per Forward. The same program run by the JIT prints the same numbers,
// which .ci/run checks (see samples/AotInference/README.md).
using System;
using System.Globalization;
using System.IO;
using System.Numerics;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using AotInference;
using RnnGen;

var options = Options.Parse(args);
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;

// The weights come from a safetensors file, as a model trained elsewhere (here or in PyTorch) would.
// Without --weights the program writes its demonstration weights (seed 2024) to a temporary file first.
if (options.WriteWeights is not null)
{
    new Tagger(seed: 2024).Parameters.Save(options.WriteWeights);
    return 0;
}

string weights = options.Weights ?? Path.Combine(Path.GetTempPath(), $"rnngen-aot-inference-{Environment.ProcessId}.safetensors");
if (options.Weights is null)
{
    new Tagger(seed: 2024).Parameters.Save(weights);
}

var model = new Tagger();
model.Parameters.Load(weights);
if (options.Weights is null)
{
    File.Delete(weights);
}

// A fixed input from an integer hash: exact in every build, no math library involved.
var input = new float[Tagger.BatchSize * Tagger.SequenceLength * Tagger.InputSize];
for (int i = 0; i < input.Length; i++)
{
    uint h = unchecked((uint)(i + 1) * 2654435761u);
    input[i] = (h >> 8) / 16777216f - 0.5f;
}

var output = new float[Tagger.BatchSize * Tagger.SequenceLength * Tagger.OutputSize];
model.Forward(input, output);

Console.WriteLine($"kernels: {Kernels()}, Vector<float>.Count = {Vector<float>.Count}, threads = {RnnThreads.Count}");
Console.WriteLine($"output [{Tagger.BatchSize},{Tagger.SequenceLength},{Tagger.OutputSize}]: sum {Sum(output).ToString("R", CultureInfo.InvariantCulture)}, bits {Fnv1a(output):x16}");
Console.WriteLine($"last step: {string.Join(' ', Array.ConvertAll(output[^Tagger.OutputSize..], v => v.ToString("R", CultureInfo.InvariantCulture)))}");
if (options.Dump is not null)
{
    File.WriteAllLines(options.Dump, Array.ConvertAll(output, v => v.ToString("R", CultureInfo.InvariantCulture)));
}

if (options.Repeat > 0)
{
    Console.WriteLine(Timing.Measure(() => model.Forward(input, output), options.Repeat));
}

return 0;

static string Kernels() =>
    Vector512.IsHardwareAccelerated ? "AVX-512"
    : Avx2.IsSupported && Fma.IsSupported ? "AVX2+FMA"
    : "portable 128-bit";

// Summed in double, in order: a readable digest that the JIT and AOT builds must print alike.
static double Sum(ReadOnlySpan<float> values)
{
    double sum = 0;
    foreach (float v in values)
    {
        sum += v;
    }

    return sum;
}

// FNV-1a over the raw bits: equal only when every output is bitwise equal.
static ulong Fnv1a(ReadOnlySpan<float> values)
{
    ulong hash = 14695981039346656037ul;
    foreach (float v in values)
    {
        hash = unchecked((hash ^ BitConverter.SingleToUInt32Bits(v)) * 1099511628211ul);
    }

    return hash;
}
