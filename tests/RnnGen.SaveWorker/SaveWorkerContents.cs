using System;

namespace RnnGen.SaveWorker;

/// <summary>The two parameter sets the kill test alternates between; the test checks files against them.</summary>
public static class SaveWorkerContents
{
    public static ParameterSet Create() =>
        new([("embed.weight", [300, 1000]), ("fc.weight", [200, 1000]), ("fc.bias", [200]), ("odd", [7])]);

    /// <summary>Fills every tensor with values that differ between variants 0 and 1 at every element.</summary>
    public static ParameterSet Filled(int variant)
    {
        ParameterSet set = Create();
        for (int t = 0; t < set.Names.Count; t++)
        {
            Span<float> values = set[set.Names[t]];
            for (int i = 0; i < values.Length; i++)
            {
                values[i] = (variant * 1000) + t + ((i % 4096) * 0.25f);
            }
        }

        return set;
    }
}
