using System;

namespace RnnGen;

/// <summary>
/// A small, fast, seedable generator (xoshiro128**, seeded through SplitMix64) whose sequence is the
/// same on every platform and .NET version, so a model built with a seed is reproducible bit for bit.
/// </summary>
public sealed class DeterministicRandom
{
    private uint _s0, _s1, _s2, _s3;

    public DeterministicRandom(ulong seed)
    {
        ulong x = seed;
        ulong a = SplitMix(ref x), b = SplitMix(ref x);
        _s0 = (uint)a;
        _s1 = (uint)(a >> 32);
        _s2 = (uint)b;
        _s3 = (uint)(b >> 32);
    }

    /// <summary>Number of 32-bit words in the generator's state (<see cref="GetState"/>, <see cref="SetState"/>).</summary>
    public const int StateSize = 4;

    /// <summary>
    /// A copy of the generator's whole state, <see cref="StateSize"/> words; <see cref="SetState"/> with it
    /// continues the stream bit for bit (a training checkpoint saves it).
    /// </summary>
    public uint[] GetState() => [_s0, _s1, _s2, _s3];

    /// <summary>
    /// Restores a state from <see cref="GetState"/>. Throws <see cref="ArgumentException"/> when the span is
    /// not <see cref="StateSize"/> words or is all zero (the one state xoshiro128** never leaves), and changes
    /// nothing then.
    /// </summary>
    public void SetState(ReadOnlySpan<uint> state)
    {
        if (state.Length != StateSize)
        {
            throw new ArgumentException($"A DeterministicRandom state has {StateSize} words; {state.Length} were given.", nameof(state));
        }

        if ((state[0] | state[1] | state[2] | state[3]) == 0)
        {
            throw new ArgumentException("A DeterministicRandom state cannot be all zero: xoshiro128** would output zeros forever.", nameof(state));
        }

        _s0 = state[0];
        _s1 = state[1];
        _s2 = state[2];
        _s3 = state[3];
    }

    public uint NextUInt32()
    {
        uint result = RotateLeft(_s1 * 5, 7) * 9;
        uint t = _s1 << 9;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = RotateLeft(_s3, 11);
        return result;
    }

    /// <summary>Uniform in [0, 1) with 24 random bits.</summary>
    public float NextSingle() => (NextUInt32() >> 8) * (1f / (1 << 24));

    /// <summary>Uniform in [low, high).</summary>
    public float NextUniform(float low, float high) => low + (high - low) * NextSingle();

    /// <summary>Standard normal (Box–Muller).</summary>
    public float NextNormal()
    {
        double u1 = ((NextUInt32() >> 8) + 1) * (1.0 / ((1 << 24) + 1));
        double u2 = (NextUInt32() >> 8) * (1.0 / (1 << 24));
        return (float)(Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2));
    }

    public void FillUniform(Span<float> values, float low, float high)
    {
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = NextUniform(low, high);
        }
    }

    public void FillNormal(Span<float> values)
    {
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = NextNormal();
        }
    }

    private static uint RotateLeft(uint x, int k) => (x << k) | (x >> (32 - k));

    private static ulong SplitMix(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
