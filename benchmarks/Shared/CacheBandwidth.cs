using System;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace RnnGen.Bench
{
    /// <summary>
    /// Read bandwidth of the core this runs on for a buffer of a given size, repeatedly summed with the widest
    /// vectors the hardware accelerates (eight independent accumulators, 64-byte aligned, nothing else in the
    /// loop): the best a kernel that streams weights of that size once per call can do. A buffer that fits a
    /// cache level is read from it after the first pass.
    /// </summary>
    public static class CacheBandwidth
    {
        /// <summary>Best GB/s over <paramref name="trials"/> trials of about <paramref name="trialSeconds"/> each, reading <paramref name="bytes"/> per pass.</summary>
        public static unsafe double MeasureGBs(long bytes, int trials = 9, double trialSeconds = 0.02)
        {
            long floats = Math.Max(1024, bytes / 4 / 128 * 128);
            float* data = (float*)NativeMemory.AlignedAlloc((nuint)(floats * 4), 64);
            try
            {
                new Span<float>(data, (int)floats).Fill(1e-3f);
                float sink = Pass(data, floats);
                var clock = Stopwatch.StartNew();
                long passes = 0;
                while (clock.Elapsed.TotalSeconds < trialSeconds)
                {
                    sink += Pass(data, floats);
                    passes++;
                }

                double best = 0;
                for (int trial = 0; trial < trials; trial++)
                {
                    long start = Stopwatch.GetTimestamp();
                    for (long p = 0; p < passes; p++)
                    {
                        sink += Pass(data, floats);
                    }

                    double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
                    best = Math.Max(best, passes * floats * 4.0 / seconds / 1e9);
                }

                GC.KeepAlive(sink);
                return best;
            }
            finally
            {
                NativeMemory.AlignedFree(data);
            }
        }

        /// <summary>Sum of <paramref name="count"/> floats (a multiple of 128), read once in order.</summary>
        [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
        private static unsafe float Pass(float* data, long count)
        {
            if (Vector512.IsHardwareAccelerated)
            {
                Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
                for (long i = 0; i < count; i += 128)
                {
                    float* p = data + i;
                    a0 += Vector512.LoadAligned(p);
                    a1 += Vector512.LoadAligned(p + 16);
                    a2 += Vector512.LoadAligned(p + 32);
                    a3 += Vector512.LoadAligned(p + 48);
                    a4 += Vector512.LoadAligned(p + 64);
                    a5 += Vector512.LoadAligned(p + 80);
                    a6 += Vector512.LoadAligned(p + 96);
                    a7 += Vector512.LoadAligned(p + 112);
                }

                return Vector512.Sum(((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7)));
            }

            Vector256<float> b0 = default, b1 = default, b2 = default, b3 = default, b4 = default, b5 = default, b6 = default, b7 = default;
            for (long i = 0; i < count; i += 64)
            {
                float* p = data + i;
                b0 += Vector256.LoadAligned(p);
                b1 += Vector256.LoadAligned(p + 8);
                b2 += Vector256.LoadAligned(p + 16);
                b3 += Vector256.LoadAligned(p + 24);
                b4 += Vector256.LoadAligned(p + 32);
                b5 += Vector256.LoadAligned(p + 40);
                b6 += Vector256.LoadAligned(p + 48);
                b7 += Vector256.LoadAligned(p + 56);
            }

            return Vector256.Sum(((b0 + b1) + (b2 + b3)) + ((b4 + b5) + (b6 + b7)));
        }
    }
}
