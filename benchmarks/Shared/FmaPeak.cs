using System;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace RnnGen.Bench
{
    /// <summary>
    /// Peak single-precision FMA throughput of the core this runs on: <see cref="Chains"/> independent
    /// accumulator chains (more than latency × FMA pipes, 4 × 2 on Zen 4/5), one vector FMA each per loop
    /// iteration, nothing else in the loop but the counter. GFLOP/s = 2 · lanes · FMAs / s.
    /// </summary>
    public static class FmaPeak
    {
        /// <summary>Independent accumulators per loop iteration.</summary>
        public const int Chains = 12;

        /// <summary>FMAs executed by one call of a kernel: iterations × <see cref="Chains"/>.</summary>
        public static long FmaCount(long iterations) => iterations * Chains;

        public static bool Avx512Supported => Avx512F.IsSupported;

        public static bool Avx2Supported => Fma.IsSupported && Avx2.IsSupported;

        /// <summary>Runs <paramref name="iterations"/> × 12 Vector512 FMAs (vfmadd on zmm); returns a value that depends on all of them.</summary>
        [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
        public static float Vector512Chains(long iterations)
        {
            if (!Avx512F.IsSupported)
            {
                throw new PlatformNotSupportedException("AVX-512F is not supported on this machine.");
            }

            // acc = acc·m + a converges to a / (1 - m) ≈ 1.7: no overflow, no denormals.
            Vector512<float> m = Vector512.Create(0.99999994f);
            Vector512<float> a = Vector512.Create(1e-7f);
            Vector512<float> c0 = Vector512.Create(1f), c1 = Vector512.Create(2f), c2 = Vector512.Create(3f), c3 = Vector512.Create(4f);
            Vector512<float> c4 = Vector512.Create(5f), c5 = Vector512.Create(6f), c6 = Vector512.Create(7f), c7 = Vector512.Create(8f);
            Vector512<float> c8 = Vector512.Create(9f), c9 = Vector512.Create(10f), c10 = Vector512.Create(11f), c11 = Vector512.Create(12f);
            for (long i = 0; i < iterations; i++)
            {
                c0 = Avx512F.FusedMultiplyAdd(c0, m, a);
                c1 = Avx512F.FusedMultiplyAdd(c1, m, a);
                c2 = Avx512F.FusedMultiplyAdd(c2, m, a);
                c3 = Avx512F.FusedMultiplyAdd(c3, m, a);
                c4 = Avx512F.FusedMultiplyAdd(c4, m, a);
                c5 = Avx512F.FusedMultiplyAdd(c5, m, a);
                c6 = Avx512F.FusedMultiplyAdd(c6, m, a);
                c7 = Avx512F.FusedMultiplyAdd(c7, m, a);
                c8 = Avx512F.FusedMultiplyAdd(c8, m, a);
                c9 = Avx512F.FusedMultiplyAdd(c9, m, a);
                c10 = Avx512F.FusedMultiplyAdd(c10, m, a);
                c11 = Avx512F.FusedMultiplyAdd(c11, m, a);
            }

            Vector512<float> sum = ((c0 + c1) + (c2 + c3)) + ((c4 + c5) + (c6 + c7)) + ((c8 + c9) + (c10 + c11));
            return Vector512.Sum(sum);
        }

        /// <summary>Runs <paramref name="iterations"/> × 12 Vector256 FMAs (AVX2/FMA3 vfmadd on ymm); returns a value that depends on all of them.</summary>
        [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
        public static float Vector256Chains(long iterations)
        {
            if (!Fma.IsSupported)
            {
                throw new PlatformNotSupportedException("FMA3 is not supported on this machine.");
            }

            Vector256<float> m = Vector256.Create(0.99999994f);
            Vector256<float> a = Vector256.Create(1e-7f);
            Vector256<float> c0 = Vector256.Create(1f), c1 = Vector256.Create(2f), c2 = Vector256.Create(3f), c3 = Vector256.Create(4f);
            Vector256<float> c4 = Vector256.Create(5f), c5 = Vector256.Create(6f), c6 = Vector256.Create(7f), c7 = Vector256.Create(8f);
            Vector256<float> c8 = Vector256.Create(9f), c9 = Vector256.Create(10f), c10 = Vector256.Create(11f), c11 = Vector256.Create(12f);
            for (long i = 0; i < iterations; i++)
            {
                c0 = Fma.MultiplyAdd(c0, m, a);
                c1 = Fma.MultiplyAdd(c1, m, a);
                c2 = Fma.MultiplyAdd(c2, m, a);
                c3 = Fma.MultiplyAdd(c3, m, a);
                c4 = Fma.MultiplyAdd(c4, m, a);
                c5 = Fma.MultiplyAdd(c5, m, a);
                c6 = Fma.MultiplyAdd(c6, m, a);
                c7 = Fma.MultiplyAdd(c7, m, a);
                c8 = Fma.MultiplyAdd(c8, m, a);
                c9 = Fma.MultiplyAdd(c9, m, a);
                c10 = Fma.MultiplyAdd(c10, m, a);
                c11 = Fma.MultiplyAdd(c11, m, a);
            }

            Vector256<float> sum = ((c0 + c1) + (c2 + c3)) + ((c4 + c5) + (c6 + c7)) + ((c8 + c9) + (c10 + c11));
            return Vector256.Sum(sum);
        }

        /// <summary>
        /// Measures one kernel on the calling thread: a short warm-up, then <paramref name="trials"/> timed
        /// runs of about <paramref name="trialSeconds"/> each; returns the best GFLOP/s (a peak, so the maximum).
        /// </summary>
        public static double MeasureGflops(bool wide, int trials = 7, double trialSeconds = 0.1)
        {
            Func<long, float> kernel = wide ? Vector512Chains : Vector256Chains;
            int lanes = wide ? 16 : 8;
            const long chunk = 1 << 20;
            float sink = 0;

            // Calibrate: how many chunks fill one trial.
            var clock = Stopwatch.StartNew();
            int chunks = 0;
            while (clock.Elapsed.TotalSeconds < trialSeconds)
            {
                sink += kernel(chunk);
                chunks++;
            }

            double best = 0;
            for (int trial = 0; trial < trials; trial++)
            {
                long start = Stopwatch.GetTimestamp();
                for (int i = 0; i < chunks; i++)
                {
                    sink += kernel(chunk);
                }

                double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
                best = Math.Max(best, 2.0 * lanes * FmaCount(chunk) * chunks / seconds / 1e9);
            }

            GC.KeepAlive(sink);
            return best;
        }
    }
}
