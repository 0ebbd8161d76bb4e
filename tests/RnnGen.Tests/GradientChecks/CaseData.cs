using System;

namespace RnnGen.Tests.GradientChecks;

/// <summary>Random input in [-1, 1], lengths, and more random floats, all from one seed.</summary>
internal sealed class CaseData
{
    private readonly Random _random;

    public CaseData(int batch, int steps, int features, int seed, int[] lengths)
    {
        _random = new Random(seed);
        Input = Floats(batch * steps * features);
        Lengths = lengths;
    }

    public float[] Input { get; }

    public int[] Lengths { get; }

    public float[] Floats(int count)
    {
        var values = new float[count];
        GradientCheck.Fill(values, _random);
        return values;
    }
}
