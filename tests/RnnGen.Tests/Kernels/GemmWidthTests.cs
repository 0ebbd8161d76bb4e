using System;
using System.Collections.Generic;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using RnnGen.Kernels;
using Xunit;

namespace RnnGen.Tests.Kernels;

/// <summary>
/// Every vector width of the GEMM kernels this process can run (512-bit where Vector512 is accelerated, 256-bit with
/// AVX2 + FMA, 128-bit always), called directly through their <see cref="IVecOps{TV}"/> instantiation rather than
/// through <see cref="Gemm"/>'s dispatch, which picks only the widest. So one ordinary test run checks the
/// narrower kernels too, against <see cref="GemmReference"/>, on shapes with edge tiles in every dimension.
/// </summary>
public sealed unsafe class GemmWidthTests
{
    public enum Width
    {
        Bits512,
        Bits256,
        Bits128,
    }

    public enum Kernel
    {
        SmallAxBt,
        SmallAxB,
        BlockedAxBt,
        BlockedAxB,
        BlockedAtxB,
    }

    /// <summary>The widths this process runs, each with every kernel.</summary>
    public static TheoryData<Width, Kernel> Cases()
    {
        var data = new TheoryData<Width, Kernel>();
        foreach (Width width in SupportedWidths())
        {
            foreach (Kernel kernel in Enum.GetValues<Kernel>())
            {
                data.Add(width, kernel);
            }
        }

        return data;
    }

    public static TheoryData<Width> Widths()
    {
        var data = new TheoryData<Width>();
        foreach (Width width in SupportedWidths())
        {
            data.Add(width);
        }

        return data;
    }

    [Fact]
    public void TheWidestWidthIsTheOneGemmDispatchesTo()
    {
        int widest = Floats(SupportedWidths()[0]);
        Assert.Equal(Gemm.VectorWidth, widest);
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void VectorOperationsMatchScalarArithmetic(Width width)
    {
        switch (width)
        {
            case Width.Bits512:
                CheckOps<Vec512Ops, Vector512<float>>(16);
                break;
            case Width.Bits256:
                CheckOps<Vec256Ops, Vector256<float>>(8);
                break;
            default:
                CheckOps<Vec128Ops, Vector128<float>>(4);
                break;
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void KernelMatchesReferenceOnEdgeShapes(Width width, Kernel kernel)
    {
        var random = new Random(31 * (int)width + (int)kernel);
        foreach ((int m, int n, int k) in Shapes(kernel, Floats(width)))
        {
            foreach (bool accumulate in new[] { false, true })
            {
                Check(width, kernel, m, n, k, extraLd: random.Next(3) == 0 ? random.Next(1, 9) : 0, accumulate, random);
            }
        }
    }

    /// <summary>
    /// Rows around the micro-tile (6) and row block (144) or the small kernels' row groups (4, 2, 1); columns around
    /// 4, one and two vectors, the panel width (2 vectors) and the column block (1024); depths around one and two
    /// vectors and the depth block (256).
    /// </summary>
    private static IEnumerable<(int M, int N, int K)> Shapes(Kernel kernel, int w)
    {
        int[] depths = [1, 3, w - 1, w, w + 1, 2 * w + 3, 37];
        int[] columns = [1, 3, 4, 5, w - 1, w + 1, 2 * w, 2 * w + 1, 3 * w + 5];
        bool small = kernel is Kernel.SmallAxBt or Kernel.SmallAxB;
        int[] rows = small ? [1, 2, 3, 4, 5, 6, 7, 9] : [1, 5, 6, 7, 13];
        foreach (int m in rows)
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

        if (!small)
        {
            yield return (150, 2 * w + 3, 40); // two row blocks, the second partial
            yield return (8, 1030, 9);         // two column blocks
            yield return (7, 3 * w + 1, 513);  // three depth blocks
        }
        else
        {
            yield return (4, 4 * w + 3, 300);  // a long depth
        }
    }

    private static void Check(Width width, Kernel kernel, int m, int n, int k, int extraLd, bool accumulate, Random random)
    {
        bool aTransposed = kernel == Kernel.BlockedAtxB;
        bool bTransposed = kernel is Kernel.SmallAxBt or Kernel.BlockedAxBt;
        (int aRows, int aCols) = aTransposed ? (k, m) : (m, k);
        (int bRows, int bCols) = bTransposed ? (n, k) : (k, n);
        int lda = aCols + extraLd, ldb = bCols + (extraLd / 2), ldc = n + extraLd;
        float[] a = Noise(random, ((aRows - 1) * lda) + aCols, 1f);
        float[] b = Noise(random, ((bRows - 1) * ldb) + bCols, 2f);

        // C with slack between rows and past the end: it must survive untouched.
        float[] c = Noise(random, (m * ldc) + 8, 3f);
        float[] expected = (float[])c.Clone();
        switch ((aTransposed, bTransposed))
        {
            case (true, _):
                GemmReference.AtxB(m, n, k, a, lda, b, ldb, expected, ldc, accumulate);
                break;
            case (_, true):
                GemmReference.AxBt(m, n, k, a, lda, b, ldb, expected, ldc, accumulate);
                break;
            default:
                GemmReference.AxB(m, n, k, a, lda, b, ldb, expected, ldc, accumulate);
                break;
        }

        fixed (float* pa = a, pb = b, pc = c)
        {
            switch (width)
            {
                case Width.Bits512:
                    Run<Vec512Ops, Vector512<float>>(kernel, m, n, k, pa, lda, pb, ldb, pc, ldc, accumulate);
                    break;
                case Width.Bits256:
                    Run<Vec256Ops, Vector256<float>>(kernel, m, n, k, pa, lda, pb, ldb, pc, ldc, accumulate);
                    break;
                default:
                    Run<Vec128Ops, Vector128<float>>(kernel, m, n, k, pa, lda, pb, ldb, pc, ldc, accumulate);
                    break;
            }
        }

        // As GemmTests: float accumulation error grows like sqrt(k)·eps·|a|·|b|; |A| ≤ 1, |B| ≤ 2, |C| ≤ 3.
        double tolerance = (4e-6 * Math.Sqrt(k) * 2.0) + (accumulate ? 3e-6 : 0);
        for (int i = 0; i < c.Length; i++)
        {
            if (!(Math.Abs(c[i] - expected[i]) <= tolerance))
            {
                Assert.Fail($"{kernel} at {width}, m={m} n={n} k={k} ld+={extraLd} acc={accumulate}: c[{i}] (row {i / ldc}, col {i % ldc}) = {c[i]:R}, expected {expected[i]:R}");
            }
        }
    }

    private static void Run<TOps, TV>(Kernel kernel, int m, int n, int k, float* a, int lda, float* b, int ldb, float* c, int ldc, bool accumulate)
        where TOps : struct, IVecOps<TV>
        where TV : struct
    {
        switch (kernel)
        {
            case Kernel.SmallAxBt:
                GemmSmallM.AxBt<TOps, TV>(m, n, k, a, lda, b, ldb, c, ldc, accumulate);
                break;
            case Kernel.SmallAxB:
                GemmSmallM.AxB<TOps, TV>(m, n, k, a, lda, b, ldb, c, ldc, accumulate);
                break;
            case Kernel.BlockedAxBt:
                GemmBlocked.Run<TOps, TV>(m, n, k, a, lda, false, b, ldb, true, c, ldc, accumulate);
                break;
            case Kernel.BlockedAxB:
                GemmBlocked.Run<TOps, TV>(m, n, k, a, lda, false, b, ldb, false, c, ldc, accumulate);
                break;
            default:
                GemmBlocked.Run<TOps, TV>(m, n, k, a, lda, true, b, ldb, false, c, ldc, accumulate);
                break;
        }
    }

    /// <summary>Count, Load/Store, Broadcast, Fma, Add, Sum and Sum4 of one width against float and double arithmetic.</summary>
    private static void CheckOps<TOps, TV>(int floats)
        where TOps : struct, IVecOps<TV>
        where TV : struct
    {
        Assert.Equal(floats, TOps.Count);
        var random = new Random(floats);
        float[] x = Noise(random, 4 * floats, 2f), y = Noise(random, floats, 2f), z = Noise(random, floats, 2f);
        var result = new float[floats];
        fixed (float* px = x, py = y, pz = z, pr = result)
        {
            TOps.Store(pr, TOps.Load(px));
            Assert.Equal(x.AsSpan(0, floats).ToArray(), result);

            TOps.Store(pr, TOps.Broadcast(1.25f));
            Assert.All(result, v => Assert.Equal(1.25f, v));

            TOps.Store(pr, TOps.Zero);
            Assert.All(result, v => Assert.Equal(0f, v));

            TOps.Store(pr, TOps.Fma(TOps.Load(px), TOps.Load(py), TOps.Load(pz)));
            for (int i = 0; i < floats; i++)
            {
                double exact = ((double)x[i] * y[i]) + z[i];
                Assert.True(Math.Abs(result[i] - exact) <= 1e-6 * 8, $"Fma lane {i}: {result[i]:R}, expected {exact:R}");
            }

            TOps.Store(pr, TOps.Add(TOps.Load(px), TOps.Load(py)));
            for (int i = 0; i < floats; i++)
            {
                Assert.Equal(x[i] + y[i], result[i]);
            }

            Assert.True(Math.Abs(TOps.Sum(TOps.Load(py)) - Sum(y, 0, floats)) <= 1e-6 * 2 * floats, "Sum");

            Vector128<float> sums = TOps.Sum4(TOps.Load(px), TOps.Load(px + floats), TOps.Load(px + (2 * floats)), TOps.Load(px + (3 * floats)));
            for (int s = 0; s < 4; s++)
            {
                double exact = Sum(x, s * floats, floats);
                Assert.True(Math.Abs(sums[s] - exact) <= 1e-6 * 2 * floats, $"Sum4[{s}] = {sums[s]:R}, expected {exact:R}");
            }
        }
    }

    private static double Sum(float[] values, int from, int count)
    {
        double s = 0;
        for (int i = from; i < from + count; i++)
        {
            s += values[i];
        }

        return s;
    }

    private static List<Width> SupportedWidths()
    {
        var widths = new List<Width>();
        if (Vector512.IsHardwareAccelerated)
        {
            widths.Add(Width.Bits512);
        }

        if (Avx2.IsSupported && Fma.IsSupported)
        {
            widths.Add(Width.Bits256);
        }

        widths.Add(Width.Bits128);
        return widths;
    }

    private static int Floats(Width width) => width switch
    {
        Width.Bits512 => 16,
        Width.Bits256 => 8,
        _ => 4,
    };

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
