using RnnGen;
using RnnGen.Training;

namespace CharLstm;

/// <summary>
/// Writes text one character at a time with a <see cref="CharStream"/> (batch 1, one step per call): it takes
/// the training model's weights, feeds a prompt, then chooses each next character greedily or by sampling and
/// feeds it back (<see cref="Decoding"/> runs <c>Step</c>, which carries the LSTM state from call to call).
/// </summary>
public sealed class TextGenerator(Vocabulary vocabulary)
{
    private readonly CharStream _stream = new();

    /// <summary>Takes the weights of a model with the same layers (the training model's <c>Parameters</c>).</summary>
    public void Load(ParameterSet weights) => _stream.Parameters.CopyFrom(weights);

    /// <summary>Takes weights saved with <c>Parameters.Save</c>.</summary>
    public void Load(string path) => _stream.Parameters.Load(path);

    /// <summary>The most likely next character each time (it tends to fall into a loop).</summary>
    public string Greedy(string prompt, int length) =>
        vocabulary.Decode(Decoding.Greedy(_stream, Prime(prompt), length)[0]);

    /// <summary>Each character drawn from softmax(logits / temperature); the same seed gives the same text.</summary>
    public string Sample(string prompt, int length, float temperature, ulong seed) =>
        vocabulary.Decode(Decoding.Sample(_stream, Prime(prompt), length, new DeterministicRandom(seed), temperature)[0]);

    /// <summary>Feeds all of the prompt but its last character; the decode starts from that one.</summary>
    private int[] Prime(string prompt)
    {
        int[] ids = vocabulary.Encode(prompt);
        _stream.ResetState();   // InitialState back to zero: the last prompt's state must not carry over
        Decoding.Prime(_stream, ids[..^1]);
        return [ids[^1]];
    }
}
