using System;
using System.Collections.Generic;
using System.Linq;

namespace CharLstm;

/// <summary>Maps characters to token ids, in code-point order; the model's vocabulary size is a compile-time constant.</summary>
public sealed class Vocabulary
{
    /// <summary>The distinct characters of the shipped corpus (pride-and-prejudice.txt has 75).</summary>
    public const int Size = 75;

    private readonly Dictionary<char, int> _ids;
    private readonly char[] _chars;

    public Vocabulary(string text)
    {
        _chars = text.Distinct().Order().ToArray();
        if (_chars.Length != Size)
        {
            throw new ArgumentException(
                $"The text has {_chars.Length} distinct characters; the model's vocabulary (Vocabulary.Size) holds {Size}: set Size to the text's count.");
        }

        _ids = _chars.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => p.i);
    }

    public int Count => _chars.Length;

    public int this[char c] => _ids.TryGetValue(c, out int id) ? id : throw new ArgumentException($"'{c}' is not in the vocabulary.", nameof(c));

    public char this[int id] => _chars[id];

    public int[] Encode(string text) => text.Select(c => this[c]).ToArray();

    public string Decode(IEnumerable<int> ids) => new(ids.Select(id => _chars[id]).ToArray());
}
