using System;
using System.Collections.Generic;

namespace RnnGen.Training;

/// <summary>
/// Controls a decoder's streaming state through the public state API: a generated model's <c>Step</c> starts a
/// fresh stream at <c>InitialState</c> after <c>ResetState()</c> (which zeroes <c>InitialState</c>), and
/// <c>FinalState</c> shows the stream's state after each <c>Step</c>. State tensors are
/// [layers·directions, B, X] with a call's rows first in each layer.
/// </summary>
internal static class DecoderStream
{
    public static void Require(IRnnModel decoder, string argument)
    {
        ArgumentNullException.ThrowIfNull(decoder, argument);
        if (!decoder.CanStep)
        {
            throw new ArgumentException("The decoder has a bidirectional layer, so it cannot run step by step: decoding needs a unidirectional decoder.", argument);
        }
    }

    public static ParameterSet Clone(ParameterSet set)
    {
        var shapes = new List<(string, int[])>(set.Names.Count);
        foreach (string name in set.Names)
        {
            shapes.Add((name, set.GetShape(name)));
        }

        var copy = new ParameterSet(shapes);
        copy.CopyFrom(set);
        return copy;
    }

    /// <summary>Starts a fresh stream from <paramref name="initial"/> (a copy of InitialState), which InitialState keeps.</summary>
    public static void Restart(IRnnModel decoder, ParameterSet initial)
    {
        decoder.ResetState();
        decoder.InitialState.CopyFrom(initial);
    }

    /// <summary>
    /// Starts a fresh stream whose row <c>r</c> continues the current stream's row <c>parents[r]</c> (beam search
    /// keeps the states of the beams it extends). The stream's state is read from FinalState.
    /// </summary>
    public static void Reorder(IRnnModel decoder, ReadOnlySpan<int> parents)
    {
        ParameterSet final = decoder.FinalState, initial = decoder.InitialState;
        var rows = new float[initial.Names.Count][];
        for (int i = 0; i < rows.Length; i++)
        {
            string name = initial.Names[i];
            int[] shape = initial.GetShape(name);
            int layers = shape[0], batch = shape[1], width = shape[2];
            ReadOnlySpan<float> from = final.GetReadOnly(final.Names[i]);
            var to = new float[layers * batch * width];
            for (int l = 0; l < layers; l++)
            {
                for (int r = 0; r < parents.Length; r++)
                {
                    from.Slice(((l * batch) + parents[r]) * width, width).CopyTo(to.AsSpan(((l * batch) + r) * width, width));
                }
            }

            rows[i] = to;
        }

        decoder.ResetState();
        for (int i = 0; i < rows.Length; i++)
        {
            initial.CopyFrom(initial.Names[i], rows[i]);
        }
    }

    /// <summary>Throws when a decoder learns its initial state: a fresh stream then starts there and ignores InitialState.</summary>
    public static void RequireStateNotLearned(IRnnModel decoder, string what)
    {
        foreach (string name in decoder.InitialState.Names)
        {
            if (decoder.Parameters.Contains(name))
            {
                throw new ArgumentException(
                    $"The decoder learns its initial state '{name}' (LearnInitialState), so a fresh stream starts from that parameter and ignores InitialState: {what}.");
            }
        }
    }
}
