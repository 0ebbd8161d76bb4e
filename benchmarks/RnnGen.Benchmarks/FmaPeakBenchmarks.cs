using BenchmarkDotNet.Attributes;
using RnnGen.Bench;

namespace RnnGen.Benchmarks;

/// <summary>
/// Peak FMA throughput of one core: 12 independent FMA chains (see <see cref="FmaPeak"/>).
/// One operation = one vector FMA; GFLOP/s = 2 · lanes / (ns per FMA). Run pinned for a clean number
/// (taskset -c 0, or BenchmarkDotNet's --affinity 1).
/// </summary>
public class FmaPeakBenchmarks
{
    private const long Iterations = 1 << 20;
    private const int Fmas = (int)(Iterations * FmaPeak.Chains);

    [Benchmark(OperationsPerInvoke = Fmas)]
    [FlopsPerOperation(2 * 16)]
    public float Vector512Fma() => FmaPeak.Avx512Supported ? FmaPeak.Vector512Chains(Iterations) : float.NaN;

    [Benchmark(OperationsPerInvoke = Fmas)]
    [FlopsPerOperation(2 * 8)]
    public float Vector256Fma() => FmaPeak.Avx2Supported ? FmaPeak.Vector256Chains(Iterations) : float.NaN;
}
