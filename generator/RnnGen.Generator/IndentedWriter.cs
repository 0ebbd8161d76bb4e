using System;
using System.Globalization;
using System.Text;

namespace RnnGen.Generator;

/// <summary>Writes C# source line by line with four-space indentation and invariant-culture formatting.</summary>
internal sealed class IndentedWriter
{
    private readonly StringBuilder _text = new();
    private int _depth;

    public void Line(string line = "")
    {
        if (line.Length > 0)
        {
            _text.Append(' ', _depth * 4);
            _text.Append(line);
        }

        _text.Append('\n');
    }

    public void Line(FormattableString line) => Line(line.ToString(CultureInfo.InvariantCulture));

    public void Open(string header)
    {
        Line(header);
        Line("{");
        _depth++;
    }

    public void Open(FormattableString header) => Open(header.ToString(CultureInfo.InvariantCulture));

    public void Close(string suffix = "")
    {
        _depth--;
        Line("}" + suffix);
    }

    /// <summary>One level deeper without a brace (an object initialiser's members).</summary>
    public void Indent() => _depth++;

    public void Unindent() => _depth--;

    public override string ToString() => _text.ToString();
}
