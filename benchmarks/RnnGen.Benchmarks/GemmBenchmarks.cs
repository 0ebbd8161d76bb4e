using System;
using System.Collections.Generic;
using BenchmarkDotNet.Attributes;
using RnnGen.Kernels;

namespace RnnGen.Benchmarks;

/// <summary>One matrix product for <see cref="GemmBenchmarks"/>: C[m,n] = op(A)·op(B) through the public <see cref="Gemm"/> entry point.</summary>
public sealed record GemmShape(string Kind, int M, int N, int K)
{
    public double Flops => 2.0 * M * N * K;

    public override string ToString() => $"{Kind} {M}x{N}x{K}";
}

/// <summary>
/// The products a training step is made of, at 1 and 2 threads (<see cref="RnnThreads.Count"/>): the big
/// all-steps products (input projection with its transposed-B packing, a weight gradient), one recurrent step
/// forward and backward, and GEMV-sized steps (the last one too small to split). One operation = one product.
/// </summary>
public class GemmBenchmarks
{
    private float[] _a = [];
    private float[] _b = [];
    private float[] _c = [];
    private int _previousThreads;

    public static IEnumerable<GemmShape> Products =>
    [
        new("AxBt", 1600, 2048, 512), // LSTM H=512 B=64 T=25: input projection X·W_ihᵀ over all steps
        new("AtxB", 2048, 512, 1600), // its weight gradient dGatesᵀ·X
        new("AxBt", 64, 2048, 512),   // one recurrent step h·W_hhᵀ, B = 64
        new("AxB", 64, 512, 2048),    // one backward step dGates·W_hh, B = 64
        new("AxBt", 4, 2048, 512),    // forward step, B = 4, H = 512
        new("AxBt", 1, 1024, 256),    // forward step, B = 1, H = 256
        new("AxBt", 1, 256, 64),      // forward step, B = 1, H = 64: stays on one thread
    ];

    [ParamsSource(nameof(Products))]
    public GemmShape Product { get; set; } = new("AxBt", 1, 1, 1);

    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(1);
        _a = Noise(rng, Product.M * Product.K);
        _b = Noise(rng, Product.N * Product.K);
        _c = new float[Product.M * Product.N];
        _previousThreads = RnnThreads.Count;
        RnnThreads.Count = Threads;
    }

    [GlobalCleanup]
    public void Cleanup() => RnnThreads.Count = _previousThreads;

    [Benchmark]
    public void Multiply()
    {
        (int m, int n, int k) = (Product.M, Product.N, Product.K);
        switch (Product.Kind)
        {
            case "AxBt":
                Gemm.AxBt(m, n, k, _a, k, _b, k, _c, n, accumulate: false);
                break;
            case "AxB":
                Gemm.AxB(m, n, k, _a, k, _b, n, _c, n, accumulate: false);
                break;
            default:
                Gemm.AtxB(m, n, k, _a, m, _b, n, _c, n, accumulate: false);
                break;
        }
    }

    private static float[] Noise(Random rng, int length)
    {
        var x = new float[length];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = (float)((rng.NextDouble() * 2) - 1);
        }

        return x;
    }
}
