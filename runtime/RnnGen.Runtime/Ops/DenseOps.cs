using System;

namespace RnnGen.Kernels;

/// <summary>Activation functions of dense layers, forward and backward, in place.</summary>
public static class DenseOps
{
    public static void Activate(Activation activation, Span<float> z)
    {
        switch (activation)
        {
            case Activation.Tanh:
                for (int i = 0; i < z.Length; i++)
                {
                    z[i] = Activations.Tanh(z[i]);
                }

                break;
            case Activation.Relu:
                for (int i = 0; i < z.Length; i++)
                {
                    z[i] = Activations.Relu(z[i]);
                }

                break;
            case Activation.Sigmoid:
                for (int i = 0; i < z.Length; i++)
                {
                    z[i] = Activations.Sigmoid(z[i]);
                }

                break;
        }
    }

    /// <summary>dz *= act'(·), computed from the activation's output <paramref name="z"/>.</summary>
    public static void ActivationBackward(Activation activation, ReadOnlySpan<float> z, Span<float> dz)
    {
        switch (activation)
        {
            case Activation.Tanh:
                for (int i = 0; i < dz.Length; i++)
                {
                    dz[i] *= 1f - z[i] * z[i];
                }

                break;
            case Activation.Relu:
                for (int i = 0; i < dz.Length; i++)
                {
                    dz[i] = z[i] > 0f ? dz[i] : 0f;
                }

                break;
            case Activation.Sigmoid:
                for (int i = 0; i < dz.Length; i++)
                {
                    dz[i] *= z[i] * (1f - z[i]);
                }

                break;
        }
    }
}
