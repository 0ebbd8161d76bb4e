using System;

namespace RnnGen.Training;

/// <summary>Unbiased permutations from a <see cref="DeterministicRandom"/>, the same on every platform.</summary>
internal static class Shuffling
{
    /// <summary>Fisher–Yates over <paramref name="order"/> in place.</summary>
    public static void Shuffle(Span<int> order, DeterministicRandom random)
    {
        for (int i = order.Length - 1; i > 0; i--)
        {
            int j = Below(random, i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
    }

    /// <summary>0, 1, …, count − 1, shuffled when a generator is given.</summary>
    public static int[] Order(int count, DeterministicRandom? random)
    {
        var order = new int[count];
        for (int i = 0; i < count; i++)
        {
            order[i] = i;
        }

        if (random is not null)
        {
            Shuffle(order, random);
        }

        return order;
    }

    /// <summary>Uniform in [0, bound) by Lemire's multiply-and-reject, so no value is favoured.</summary>
    public static int Below(DeterministicRandom random, int bound)
    {
        uint n = (uint)bound;
        ulong product = (ulong)random.NextUInt32() * n;
        uint low = (uint)product;
        if (low < n)
        {
            uint threshold = (0u - n) % n;
            while (low < threshold)
            {
                product = (ulong)random.NextUInt32() * n;
                low = (uint)product;
            }
        }

        return (int)(product >> 32);
    }
}
