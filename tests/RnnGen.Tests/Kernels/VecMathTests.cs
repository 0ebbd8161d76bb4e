using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.Intrinsics;
using RnnGen.Kernels;
using Xunit;
using Xunit.Abstractions;

namespace RnnGen.Tests.Kernels;

/// <summary>
/// <see cref="VecMath"/>'s exp, sigmoid and tanh at every width this process accelerates and at the scalar instance,
/// against Math.Exp and Math.Tanh in double over a dense range (−100..100 on a 1/1024 grid plus random points),
/// denormal-prone inputs, the clamp edges, ±Inf and NaN: each width gives the scalar bits, the error stays under the
/// bounds measured here (with a little room), nothing comes out denormal, and the saturated ends are exact.
/// </summary>
public sealed unsafe class VecMathTests(ITestOutputHelper output)
{
    // Measured here (the same bits at every width): exp 1.16e-7 relative, sigmoid 1.88e-7 relative, tanh 1.13e-7 absolute
    // and 1.58e-7 relative from |x| = 0.5; asserted with about 30% room.
    private const double ExpRelative = 1.5e-7;
    private const double SigmoidRelative = 2.5e-7;
    private const double TanhAbsolute = 1.5e-7;
    private const double TanhRelativeFromHalf = 2e-7;

    public enum Function
    {
        Exp,
        Sigmoid,
        Tanh,
    }

    public static TheoryData<Function> Functions() => new() { Function.Exp, Function.Sigmoid, Function.Tanh };

    private static readonly float[] Inputs = MakeInputs();

    [Theory]
    [MemberData(nameof(Functions))]
    public void EveryWidthGivesTheScalarBits(Function function)
    {
        output.WriteLine(VectorWidths.Describe());
        float[] scalar = Apply<ScalarOps, float>(function, Inputs);
        foreach (string width in VectorWidths.Accelerated)
        {
            float[] vector = ApplyAt(width, function, Inputs);
            for (int i = 0; i < Inputs.Length; i++)
            {
                bool same = float.IsNaN(scalar[i])
                    ? float.IsNaN(vector[i])
                    : VectorWidths.FuseAlike
                        ? BitConverter.SingleToInt32Bits(scalar[i]) == BitConverter.SingleToInt32Bits(vector[i])
                        : Math.Abs(scalar[i] - vector[i]) <= 1e-6 * Math.Max(1, Math.Abs(scalar[i]));
                Check(same, () => $"{function}({Inputs[i]:R}) at {width} = {vector[i]:R}, ScalarOps gives {scalar[i]:R}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Functions))]
    public void AccurateWithinTheBoundAtEveryWidth(Function function)
    {
        foreach (string width in VectorWidths.Accelerated.Append(WidthScalar.Name))
        {
            float[] y = ApplyAt(width, function, Inputs);
            float[] clamped = ApplyAt(width, function, [-87f, 88f]);
            double worstRelative = 0, worstAbsolute = 0;
            for (int i = 0; i < Inputs.Length; i++)
            {
                float x = Inputs[i];
                if (!float.IsFinite(x))
                {
                    continue;
                }

                double exact = Exact(function, x);
                double error = Math.Abs(y[i] - exact);
                string At() => $"{function}({x:R}) at {width} = {y[i]:R}, exact {exact:R}";
                switch (function)
                {
                    case Function.Exp when x is >= -87f and <= 88f:
                    case Function.Sigmoid when x is >= -40f and <= 40f:
                        worstRelative = Math.Max(worstRelative, error / exact);
                        Check(error <= (function == Function.Exp ? ExpRelative : SigmoidRelative) * exact, At);
                        break;
                    case Function.Exp:
                        // Clamped to [−87, 88]: e^−87 and e^88 are normal floats, so the result never turns denormal or infinite.
                        Assert.Equal(clamped[x < 0 ? 0 : 1], y[i]);
                        break;
                    case Function.Sigmoid:
                        Check(error <= 5e-18, At); // beyond ±40, as documented
                        break;
                    default:
                        worstAbsolute = Math.Max(worstAbsolute, error);
                        Check(error <= TanhAbsolute, At);
                        if (Math.Abs(x) >= 0.5f)
                        {
                            worstRelative = Math.Max(worstRelative, error / Math.Abs(exact));
                            Check(error <= TanhRelativeFromHalf * Math.Abs(exact), At);
                        }

                        break;
                }
            }

            output.WriteLine($"{function} at {width}: worst relative error {worstRelative:E2}, worst absolute error {worstAbsolute:E2}");
        }
    }

    [Theory]
    [MemberData(nameof(Functions))]
    public void NoDenormalOutputsAndExactSaturation(Function function)
    {
        foreach (string width in VectorWidths.Accelerated.Append(WidthScalar.Name))
        {
            float[] y = ApplyAt(width, function, Inputs);
            float[] mirrored = ApplyAt(width, function, Inputs.Select(v => -v).ToArray());
            for (int i = 0; i < Inputs.Length; i++)
            {
                float x = Inputs[i];
                string At() => $"{function}({x:R}) at {width} = {y[i]:R}";
                Check(!float.IsSubnormal(y[i]), () => At() + " is denormal");
                if (float.IsNaN(x))
                {
                    continue;
                }

                switch (function)
                {
                    case Function.Exp:
                        Check(y[i] > 0 && float.IsFinite(y[i]), At);
                        break;
                    case Function.Sigmoid:
                        Check(y[i] is > 0f and <= 1f, At);
                        if (x >= 20f)
                        {
                            Check(y[i] == 1f, () => At() + ": a saturated sigmoid is exactly 1");
                        }

                        break;
                    default:
                        Check(y[i] is >= -1f and <= 1f, At);
                        if (Math.Abs(x) >= 10f)
                        {
                            Check(y[i] == Math.Sign(x), () => At() + ": a saturated tanh is exactly ±1");
                        }

                        // Odd by construction: the sign is applied to tanh(|x|).
                        Check(mirrored[i] == -y[i], () => $"{At()}, but at {-x:R} it is {mirrored[i]:R}");
                        break;
                }
            }
        }
    }

    [Fact]
    public void InfinitiesSaturate()
    {
        foreach (string width in VectorWidths.Accelerated.Append(WidthScalar.Name))
        {
            float[] x = [float.PositiveInfinity, float.NegativeInfinity];
            Assert.Equal([1f, ApplyAt(width, Function.Sigmoid, [-40f])[0]], ApplyAt(width, Function.Sigmoid, x));
            Assert.Equal([1f, -1f], ApplyAt(width, Function.Tanh, x));
            Assert.Equal([ApplyAt(width, Function.Exp, [88f])[0], ApplyAt(width, Function.Exp, [-87f])[0]], ApplyAt(width, Function.Exp, x));
        }
    }

    /// <summary>
    /// NaN in, NaN out, like PyTorch: a NaN reaching a gate must show in the model's output and gradients (where
    /// NonFinite finds it), not turn into a plausible number. The clamps must not swallow it.
    /// </summary>
    [Theory]
    [MemberData(nameof(Functions))]
    public void NaNPropagates(Function function)
    {
        foreach (string width in VectorWidths.Accelerated.Append(WidthScalar.Name))
        {
            float[] x = [float.NaN, -float.NaN, 1f, float.NaN, 0f, -3f, 50f, float.NaN];
            float[] y = ApplyAt(width, function, x);
            for (int i = 0; i < x.Length; i++)
            {
                Assert.True(float.IsNaN(x[i]) == float.IsNaN(y[i]), $"{function}({x[i]:R}) at {width} = {y[i]:R}");
            }
        }
    }

    /// <summary>Assert.True with the message built only on failure (a few hundred thousand checks per test).</summary>
    private static void Check(bool condition, Func<string> message)
    {
        if (!condition)
        {
            Assert.Fail(message());
        }
    }

    private static double Exact(Function function, float x) => function switch
    {
        Function.Exp => Math.Exp(x),
        Function.Sigmoid => 1 / (1 + Math.Exp(-(double)x)),
        _ => Math.Tanh(x),
    };

    private static float[] ApplyAt(string width, Function function, float[] x) => width switch
    {
        "Vec512Ops" => Apply<Vec512Ops, Vector512<float>>(function, x),
        "Vec256Ops" => Apply<Vec256Ops, Vector256<float>>(function, x),
        "Vec128Ops" => Apply<Vec128Ops, Vector128<float>>(function, x),
        _ => Apply<ScalarOps, float>(function, x),
    };

    /// <summary>y = f(x) in whole vectors of <typeparamref name="TOps"/> (x is padded with zeros to a whole vector).</summary>
    private static float[] Apply<TOps, TV>(Function function, float[] x)
        where TOps : struct, IVecOps<TV>
        where TV : struct
    {
        int n = (x.Length + 15) / 16 * 16;
        var input = new float[n];
        x.CopyTo(input, 0);
        var y = new float[n];
        fixed (float* px = input, py = y)
        {
            for (int i = 0; i < n; i += TOps.Count)
            {
                TV v = TOps.Load(px + i);
                TOps.Store(py + i, function switch
                {
                    Function.Exp => VecMath.Exp<TOps, TV>(v),
                    Function.Sigmoid => VecMath.Sigmoid<TOps, TV>(v),
                    _ => VecMath.Tanh<TOps, TV>(v),
                });
            }
        }

        return y.AsSpan(0, x.Length).ToArray();
    }

    /// <summary>−100..100 every 1/1024, 100 000 random points, denormal-prone and clamp-edge values, ±max, ±Inf, NaN.</summary>
    private static float[] MakeInputs()
    {
        var inputs = new List<float>();
        for (int i = -100 * 1024; i <= 100 * 1024; i++)
        {
            inputs.Add(i / 1024f);
        }

        var random = new Random(2024);
        for (int i = 0; i < 100_000; i++)
        {
            inputs.Add((float)((random.NextDouble() * 200) - 100));
        }

        float[] special =
        [
            float.Epsilon, 1e-44f, 1e-40f, 1e-38f, BitConverter.Int32BitsToSingle(0x00800000), BitConverter.Int32BitsToSingle(0x007FFFFF), 1e-30f, 1e-20f, 1e-10f, 1e-7f, 1e-4f,
            19.99f, 20f, 20.01f, 39.99f, 40f, 40.01f, 86.9f, 87f, 87.3f, 87.5f, 88f, 88.5f, 88.72f, 89f, 103f, 104f, 150f, 1e10f, float.MaxValue,
        ];
        foreach (float v in special)
        {
            inputs.Add(v);
            inputs.Add(-v);
        }

        inputs.AddRange([0f, -0f, float.PositiveInfinity, float.NegativeInfinity, float.NaN]);
        return inputs.ToArray();
    }
}
