using System;
using System.Collections.Generic;
using System.Linq;

namespace CharLstm;

/// <summary>Maps characters to token ids; the model's vocabulary size is a compile-time constant.</summary>
public sealed class Vocabulary
{
    public const int Size = 64;

    private readonly Dictionary<char, int> _ids;
    private readonly char[] _chars;

    public Vocabulary(string text)
    {
        _chars = text.Distinct().Order().ToArray();
        if (_chars.Length > Size)
        {
            throw new ArgumentException($"The text has {_chars.Length} distinct characters; the model's vocabulary holds {Size}.");
        }

        _ids = _chars.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => p.i);
    }

    public int Count => _chars.Length;

    public int this[char c] => _ids[c];

    public char this[int id] => _chars[id];
}
