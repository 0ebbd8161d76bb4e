using System;
using System.Collections.Generic;
using System.Runtime.Intrinsics;
using RnnGen.Kernels;
using Xunit;

namespace RnnGen.Tests.Kernels;

/// <summary>
/// <see cref="GemmBlocked.RunPacked{TOps, TV}"/> at every vector width this process runs, on a <see cref="PackedMatrix"/>
/// laid out for that width (<see cref="Gemm.AxPacked"/> reaches only the widest): against <see cref="GemmReference"/>,
/// bit for bit against the unpacked <see cref="GemmBlocked.Run{TOps, TV}"/> (the packed kernel claims the same order),
/// with edge tiles in every dimension, several depth blocks, and column ranges as the parallel split cuts them.
/// </summary>
public sealed unsafe class PackedWidthTests
{
    public static TheoryData<int, bool> Cases()
    {
        var data = new TheoryData<int, bool>();
        foreach (int width in KernelWidths.Supported)
        {
            data.Add(width, false);
            data.Add(width, true);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void RunPackedMatchesTheReferenceAndTheUnpackedKernelOnEdgeShapes(int width, bool transposed)
    {
        var random = new Random((17 * width) + (transposed ? 1 : 0));
        foreach ((int m, int n, int k) in Shapes(width))
        {
            foreach (bool accumulate in new[] { false, true })
            {
                int extra = random.Next(3) == 0 ? random.Next(1, 9) : 0;
                Check(width, m, n, k, transposed, accumulate, extra, random);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void PanelsFollowTheBlockedKernelsLayout(int width, bool transposed)
    {
        var random = new Random(width);
        int nr = 2 * width;
        foreach ((int k, int n) in new[] { (1, 1), (3, nr - 1), (9, nr + 1), (40, (3 * nr) + 5), (300, 7), (513, nr), (5, 1030) })
        {
            float[] b = Noise(random, k * n, 1f);
            var packed = new PackedMatrix(k, n, width);
            Assert.Equal(nr, packed.PanelWidth);
            packed.Pack(b, transposed);
            int kcMax = GemmBlocked.DepthBlock(k), padded = packed.PaddedColumns;
            Assert.Equal((n + nr - 1) / nr * nr, padded);
            for (int pc = 0; pc < k; pc += kcMax)
            {
                int kc = Math.Min(kcMax, k - pc);
                for (int p = 0; p < kc; p++)
                {
                    for (int j = 0; j < padded; j++)
                    {
                        // Depth block pc, panel j / nr, row p of the block, column j % nr.
                        float actual = packed.Data[((nint)pc * padded) + ((nint)(j / nr) * nr * kc) + (p * nr) + (j % nr)];
                        float expected = j >= n ? 0f : transposed ? b[(j * k) + pc + p] : b[((pc + p) * n) + j];
                        if (BitConverter.SingleToInt32Bits(actual) != BitConverter.SingleToInt32Bits(expected))
                        {
                            Assert.Fail($"width {width}, k={k} n={n}{(transposed ? " (transposed)" : "")}: B({pc + p}, {j}) packed as {actual:R}, expected {expected:R}");
                        }
                    }
                }
            }
        }
    }

    [Fact]
    public void AKernelRefusesPanelsLaidOutForAnotherWidth()
    {
        var packed = new PackedMatrix(3, 5, 8);
        packed.Pack(new float[15], transposed: false);
        float[] a = new float[3], c = new float[5];
        fixed (float* pa = a, pc = c)
        {
            float* cp = pc, ap = pa;
            var error = Assert.Throws<ArgumentException>(() => GemmBlocked.RunPacked<Vec128Ops, Vector128<float>>(1, 3, ap, 3, packed, 0, 5, cp, 5, false));
            Assert.Contains("16 columns", error.Message);
        }

        Assert.Throws<ArgumentOutOfRangeException>(() => new PackedMatrix(3, 5, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => new PackedMatrix(3, 5, 32));
        Assert.Equal(2 * Gemm.VectorWidth, new PackedMatrix(3, 5).PanelWidth);
    }

    /// <summary>
    /// Rows around the micro-tile (6) and the row block (144); columns around one and two vectors (the panel) and past
    /// the packing's column block (1024); depths around one vector and across two and three depth blocks (256).
    /// </summary>
    private static IEnumerable<(int M, int N, int K)> Shapes(int w)
    {
        int[] depths = [1, 3, w + 1, 37, 257];
        int[] columns = [1, 3, w - 1, w + 1, 2 * w, (2 * w) + 1, (3 * w) + 5];
        foreach (int m in new[] { 1, 5, 6, 7, 13 })
        {
            foreach (int n in columns)
            {
                yield return (m, n, depths[(m + n) % depths.Length]);
            }

            foreach (int k in depths)
            {
                yield return (m, columns[(m + k) % columns.Length], k);
            }
        }

        yield return (150, (2 * w) + 3, 40); // two row blocks, the second partial
        yield return (7, (3 * w) + 1, 513);  // three depth blocks
        yield return (3, 1030, 9);           // two column blocks when packed
    }

    private static void Check(int width, int m, int n, int k, bool transposed, bool accumulate, int extra, Random random)
    {
        int lda = k + extra, ldc = n + extra;
        float[] a = Noise(random, ((m - 1) * lda) + k, 1f);
        float[] b = Noise(random, k * n, 2f);
        float[] c0 = Noise(random, (m * ldc) + 8, 3f); // slack between rows and past the end must survive
        var packed = new PackedMatrix(k, n, width);
        packed.Pack(b, transposed);

        float[] expected = (float[])c0.Clone();
        if (transposed)
        {
            GemmReference.AxBt(m, n, k, a, lda, b, k, expected, ldc, accumulate);
        }
        else
        {
            GemmReference.AxB(m, n, k, a, lda, b, n, expected, ldc, accumulate);
        }

        float[] unpacked = (float[])c0.Clone();
        fixed (float* pa = a, pb = b, pc = unpacked)
        {
            RunUnpacked(width, m, n, k, pa, lda, pb, transposed ? k : n, transposed, pc, ldc, accumulate);
        }

        string shape = $"width {width}, m={m} n={n} k={k}{(transposed ? " Bᵀ" : "")} ld+={extra} acc={accumulate}";
        int panels = packed.PaddedColumns / packed.PanelWidth;
        foreach (int parts in new[] { 1, 2, 3 })
        {
            // The column ranges PackedProduct hands its parts: whole panels, the last one cut at n.
            float[] c = (float[])c0.Clone();
            for (int part = 0; part < parts; part++)
            {
                int from = (int)((long)part * panels / parts) * packed.PanelWidth;
                int to = Math.Min(n, (int)((long)(part + 1) * panels / parts) * packed.PanelWidth);
                if (to > from)
                {
                    fixed (float* pa = a, pc = c)
                    {
                        RunPacked(width, m, k, pa, lda, packed, from, to, pc, ldc, accumulate);
                    }
                }
            }

            for (int i = 0; i < c.Length; i++)
            {
                if (BitConverter.SingleToInt32Bits(c[i]) != BitConverter.SingleToInt32Bits(unpacked[i]))
                {
                    Assert.Fail($"{shape}, {parts} parts: c[{i}] (row {i / ldc}, col {i % ldc}) = {c[i]:R}, the unpacked kernel gives {unpacked[i]:R}");
                }
            }

            // As GemmWidthTests: float accumulation error grows like sqrt(k)·eps·|a|·|b|; |A| ≤ 1, |B| ≤ 2, |C| ≤ 3.
            double tolerance = (4e-6 * Math.Sqrt(k) * 2.0) + (accumulate ? 3e-6 : 0);
            for (int i = 0; i < c.Length; i++)
            {
                if (!(Math.Abs(c[i] - expected[i]) <= tolerance))
                {
                    Assert.Fail($"{shape}, {parts} parts: c[{i}] (row {i / ldc}, col {i % ldc}) = {c[i]:R}, expected {expected[i]:R}");
                }
            }
        }

        if (panels > 2)
        {
            // One middle range alone writes exactly its columns.
            float[] c = (float[])c0.Clone();
            int from = packed.PanelWidth, to = Math.Min(n, 2 * packed.PanelWidth);
            fixed (float* pa = a, pc = c)
            {
                RunPacked(width, m, k, pa, lda, packed, from, to, pc, ldc, accumulate);
            }

            for (int i = 0; i < c.Length; i++)
            {
                int row = i / ldc, column = i % ldc;
                float want = row < m && column >= from && column < to ? unpacked[i] : c0[i];
                if (BitConverter.SingleToInt32Bits(c[i]) != BitConverter.SingleToInt32Bits(want))
                {
                    Assert.Fail($"{shape}, columns [{from}, {to}) alone: c[{i}] (row {row}, col {column}) = {c[i]:R}, expected {want:R}");
                }
            }
        }
    }

    private static void RunPacked(int width, int m, int k, float* a, int lda, PackedMatrix b, int from, int to, float* c, int ldc, bool accumulate)
    {
        switch (width)
        {
            case 16:
                GemmBlocked.RunPacked<Vec512Ops, Vector512<float>>(m, k, a, lda, b, from, to, c, ldc, accumulate);
                break;
            case 8:
                GemmBlocked.RunPacked<Vec256Ops, Vector256<float>>(m, k, a, lda, b, from, to, c, ldc, accumulate);
                break;
            default:
                GemmBlocked.RunPacked<Vec128Ops, Vector128<float>>(m, k, a, lda, b, from, to, c, ldc, accumulate);
                break;
        }
    }

    private static void RunUnpacked(int width, int m, int n, int k, float* a, int lda, float* b, int ldb, bool transposed, float* c, int ldc, bool accumulate)
    {
        switch (width)
        {
            case 16:
                GemmBlocked.Run<Vec512Ops, Vector512<float>>(m, n, k, a, lda, false, b, ldb, transposed, c, ldc, accumulate);
                break;
            case 8:
                GemmBlocked.Run<Vec256Ops, Vector256<float>>(m, n, k, a, lda, false, b, ldb, transposed, c, ldc, accumulate);
                break;
            default:
                GemmBlocked.Run<Vec128Ops, Vector128<float>>(m, n, k, a, lda, false, b, ldb, transposed, c, ldc, accumulate);
                break;
        }
    }

    private static float[] Noise(Random random, int length, float scale)
    {
        var values = new float[length];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (float)((random.NextDouble() * 2) - 1) * scale;
        }

        return values;
    }
}
