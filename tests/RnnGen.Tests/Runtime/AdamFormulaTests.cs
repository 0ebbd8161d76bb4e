using System;
using Xunit;

namespace RnnGen.Tests.Runtime;

/// <summary>
/// Adam and AdamW against torch.optim's algorithm written out in double precision (the pseudo-code of torch's
/// documentation), independent of the PyTorch step vectors in <see cref="OptimizerTests"/>: L2 decay folded into the
/// gradient (Adam) or decoupled and applied before the update (AdamW), bias corrections 1 - β^t from t = 1, and with
/// amsgrad the running maximum of v in the denominator. β2 = 0.5 makes v fall after the large early gradients, so
/// the maximum matters; 37 parameters run the vector body and the tail.
/// </summary>
public sealed class AdamFormulaTests
{
    private const int Length = 37, Steps = 6;

    [Theory]
    [InlineData(false, 0f, false)]
    [InlineData(false, 0.1f, false)]
    [InlineData(true, 0.1f, false)]
    [InlineData(false, 0f, true)]
    [InlineData(true, 0.05f, true)]
    public void MatchesTorchsAlgorithmInDouble(bool decoupled, float weightDecay, bool amsgrad)
    {
        const float lr = 0.05f, beta1 = 0.9f, beta2 = 0.5f, eps = 1e-8f;
        Optimizer optimizer = decoupled
            ? new AdamW(lr, beta1, beta2, eps, weightDecay, amsgrad)
            : new Adam(lr, beta1, beta2, eps, weightDecay, amsgrad);
        var parameters = new ParameterSet([("w", [Length])]);
        var gradients = new ParameterSet([("w", [Length])]);
        double[] p = new double[Length], m = new double[Length], v = new double[Length], vMax = new double[Length];
        for (int i = 0; i < Length; i++)
        {
            p[i] = parameters["w"][i] = 1f - (i * 0.05f);
        }

        for (int t = 1; t <= Steps; t++)
        {
            for (int i = 0; i < Length; i++)
            {
                // Large gradients first, then small ones of changing sign: v falls, its maximum stays.
                gradients["w"][i] = (float)(Math.Pow(0.3, t - 1) * Math.Cos(i + (2.0 * t)));
            }

            optimizer.Step(parameters, gradients);
            for (int i = 0; i < Length; i++)
            {
                double g = gradients["w"][i];
                if (decoupled)
                {
                    p[i] *= 1 - ((double)lr * weightDecay);
                }
                else
                {
                    g += (double)weightDecay * p[i];
                }

                m[i] = (beta1 * m[i]) + ((1 - (double)beta1) * g);
                v[i] = (beta2 * v[i]) + ((1 - (double)beta2) * g * g);
                vMax[i] = Math.Max(vMax[i], v[i]);
                double mHat = m[i] / (1 - Math.Pow(beta1, t));
                double vHat = (amsgrad ? vMax[i] : v[i]) / (1 - Math.Pow(beta2, t));
                p[i] -= lr * mHat / (Math.Sqrt(vHat) + eps);
            }

            ReadOnlySpan<float> actual = parameters.ReadOnlyData;
            for (int i = 0; i < Length; i++)
            {
                Assert.True(Math.Abs(actual[i] - p[i]) <= 2e-6 * Math.Max(1, Math.Abs(p[i])),
                    $"step {t}, w[{i}]: {actual[i]:R}, the formula gives {p[i]:R}");
            }
        }
    }
}
