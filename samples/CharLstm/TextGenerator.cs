using System;
using System.Collections.Generic;
using RnnGen;
using RnnGen.Training;

namespace CharLstm;

/// <summary>
/// Writes text one character at a time with the training model's own streaming API: <see cref="Decoding"/> feeds
/// the prompt and then each chosen character back through <c>Step</c>, which carries the LSTM state from call to
/// call. One stream is one row: <c>Step</c> takes a partial batch (its row count is the input's length, 1 to
/// BatchSize, and each row is computed independently), so the other 31 rows are not computed at all, rather than
/// fed a copy of the same character for nothing.
/// </summary>
/// <remarks>
/// The model is the one being trained, so generating must leave its training state as it found it. Priming a
/// stream writes the primed state into <c>InitialState</c> (that is how <see cref="Decoding.Prime"/> hands it to the
/// decode), and <c>Forward</c> starts every batch from <c>InitialState</c>: left there, it would become the start
/// of row 0 of the next training batch. Each call therefore saves <c>InitialState</c> first and puts it back after.
/// </remarks>
public sealed class TextGenerator(CharModel model, Vocabulary vocabulary)
{
    private readonly ParameterSet _saved = EmptyLike(model.InitialState);

    /// <summary>The most likely next character each time (it tends to fall into a loop).</summary>
    public string Greedy(string prompt, int length) =>
        Generate(prompt, start => Decoding.Greedy(model, start, length)[0]);

    /// <summary>Each character drawn from softmax(logits / temperature); the same seed gives the same text.</summary>
    public string Sample(string prompt, int length, float temperature, ulong seed) =>
        Generate(prompt, start => Decoding.Sample(model, start, length, new DeterministicRandom(seed), temperature)[0]);

    private string Generate(string prompt, Func<int[], int[]> decode)
    {
        int[] ids = vocabulary.Encode(prompt);
        _saved.CopyFrom(model.InitialState);
        try
        {
            model.ResetState();                 // a fresh stream from a zero state, whatever training left
            Decoding.Prime(model, ids[..^1]);   // all of the prompt but its last character; the decode starts from that one
            return vocabulary.Decode(decode([ids[^1]]));
        }
        finally
        {
            model.ResetState();                 // ends the stream (the next Step starts afresh)...
            model.InitialState.CopyFrom(_saved); // ...and gives training back its initial state
        }
    }

    private static ParameterSet EmptyLike(ParameterSet set)
    {
        var shapes = new List<(string, int[])>(set.Names.Count);
        foreach (string name in set.Names)
        {
            shapes.Add((name, set.GetShape(name)));
        }

        return new ParameterSet(shapes);
    }
}
