using System;
using System.Collections.Generic;
using Xunit;

namespace RnnGen.Tests.Generated;

/// <summary>Inputs and exact comparisons for the generated-model contract tests, written once over <see cref="IRnnModel{TInput}"/>.</summary>
internal static class Contract
{
    /// <summary>Deterministic values in [−scale, scale).</summary>
    public static float[] Floats(int count, int seed, float scale = 1f)
    {
        var random = new Random(seed);
        var values = new float[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = (float)((random.NextDouble() * 2) - 1) * scale;
        }

        return values;
    }

    /// <summary>Deterministic ids in [0, vocab).</summary>
    public static int[] Tokens(int count, int vocab, int seed)
    {
        var random = new Random(seed);
        var ids = new int[count];
        for (int i = 0; i < count; i++)
        {
            ids[i] = random.Next(vocab);
        }

        return ids;
    }

    /// <summary>The vocabulary of a token model (its embedding is named "embed" in these tests).</summary>
    public static int Vocab(IRnnModel model) => model.Parameters.GetShape("embed.weight")[0];

    /// <summary>An input of <paramref name="rows"/> rows for <paramref name="steps"/> steps: features, or token ids.</summary>
    public static TInput[] Input<TInput>(IRnnModel<TInput> model, int rows, int steps, int seed)
        where TInput : unmanaged
    {
        int count = rows * steps * model.InputSize;
        return typeof(TInput) == typeof(int)
            ? (TInput[])(object)Tokens(count, Vocab(model), seed)
            : (TInput[])(object)Floats(count, seed);
    }

    /// <summary>Step t of a batch-first input [rows, T, I]: [rows, I].</summary>
    public static TInput[] At<TInput>(TInput[] input, int rows, int steps, int width, int t)
    {
        var step = new TInput[rows * width];
        for (int b = 0; b < rows; b++)
        {
            Array.Copy(input, ((b * steps) + t) * width, step, b * width, width);
        }

        return step;
    }

    /// <summary>The first <paramref name="rows"/> rows of a batch-first tensor of <paramref name="perRow"/> values a row.</summary>
    public static float[] FirstRows(ReadOnlySpan<float> values, int rows, int perRow) => values.Slice(0, rows * perRow).ToArray();

    /// <summary>Equal bit for bit (so −0 ≠ 0 and NaN payloads count): the contract is "the same numbers", not "close".</summary>
    public static void Bitwise(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, string what)
    {
        Assert.True(expected.Length == actual.Length, $"{what}: {actual.Length} values, expected {expected.Length}");
        for (int i = 0; i < expected.Length; i++)
        {
            if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i]))
            {
                Assert.Fail($"{what}[{i}] = {actual[i]:R}, expected exactly {expected[i]:R} (of {expected.Length} values)");
            }
        }
    }

    public static void Bitwise(float expected, float actual, string what) => Bitwise([expected], [actual], what);

    /// <summary>Every tensor of two sets with the same names, bit for bit.</summary>
    public static void Bitwise(ParameterSet expected, ParameterSet actual, string what)
    {
        Assert.Equal(expected.Names, actual.Names);
        foreach (string name in expected.Names)
        {
            Bitwise(expected.GetReadOnly(name), actual.GetReadOnly(name), $"{what} {name}");
        }
    }

    /// <summary>Every element within <paramref name="relative"/> of the tensor's largest magnitude, per tensor.</summary>
    public static void Close(ParameterSet expected, ParameterSet actual, double relative, string what)
    {
        Assert.Equal(expected.Names, actual.Names);
        foreach (string name in expected.Names)
        {
            Close(expected.GetReadOnly(name), actual.GetReadOnly(name), relative, $"{what} {name}");
        }
    }

    public static void Close(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, double relative, string what)
    {
        Assert.True(expected.Length == actual.Length, $"{what}: {actual.Length} values, expected {expected.Length}");
        double scale = 1e-30;
        foreach (float v in expected)
        {
            scale = Math.Max(scale, Math.Abs(v));
        }

        for (int i = 0; i < expected.Length; i++)
        {
            double error = Math.Abs((double)expected[i] - actual[i]);
            Assert.True(error <= relative * scale, $"{what}[{i}] = {actual[i]:R}, expected {expected[i]:R} (error {error / scale:E2} of the largest, over {relative:E0})");
        }
    }

    /// <summary>
    /// The first <paramref name="rows"/> rows of every tensor of a state set (shapes [n, BatchSize, W]), concatenated:
    /// what a call of that many rows reads or writes.
    /// </summary>
    public static float[] StateRows(ParameterSet states, int rows)
    {
        var values = new List<float>();
        foreach (string name in states.Names)
        {
            int[] shape = states.GetShape(name);
            ReadOnlySpan<float> data = states.GetReadOnly(name);
            for (int i = 0; i < shape[0]; i++)
            {
                values.AddRange(data.Slice(i * shape[1] * shape[2], rows * shape[2]).ToArray());
            }
        }

        return values.ToArray();
    }

    /// <summary>Sets every tensor of <paramref name="set"/> to deterministic values (without opening direct writes).</summary>
    public static void Randomize(ParameterSet set, int seed, float scale = 0.5f)
    {
        foreach (string name in set.Names)
        {
            set.CopyFrom(name, Floats(set.GetReadOnly(name).Length, seed++, scale));
        }
    }

    /// <summary>An independent copy of a set's values.</summary>
    public static ParameterSet Copy(ParameterSet set)
    {
        var shapes = new List<(string, int[])>();
        foreach (string name in set.Names)
        {
            shapes.Add((name, set.GetShape(name)));
        }

        var copy = new ParameterSet(shapes);
        copy.CopyFrom(set);
        return copy;
    }
}
