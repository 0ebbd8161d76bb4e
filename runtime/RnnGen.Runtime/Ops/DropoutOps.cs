using System;

namespace RnnGen.Kernels;

/// <summary>Inverted dropout between stacked recurrent layers (training only), as PyTorch's <c>nn.LSTM(dropout=p)</c>.</summary>
public static class DropoutOps
{
    /// <summary>Draws mask ∈ {0, 1/(1−p)} and writes output = input · mask.</summary>
    public static void Forward(ReadOnlySpan<float> input, Span<float> output, Span<float> mask, float probability, DeterministicRandom random)
    {
        float keep = 1f / (1f - probability);
        for (int i = 0; i < input.Length; i++)
        {
            float m = random.NextSingle() < probability ? 0f : keep;
            mask[i] = m;
            output[i] = input[i] * m;
        }
    }
}
