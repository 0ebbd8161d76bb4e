using System;
using System.IO;

namespace CharLstm;

/// <summary>
/// The shipped text split by position: the first part trains, the rest (the novel's last chapters) is held out.
/// A split by position, not random windows from one text, so that no validation character was seen in training.
/// </summary>
public sealed class Corpus
{
    private Corpus(string text, int split)
    {
        Text = text;
        Split = split;
        Vocabulary = new Vocabulary(text);
        Tokens = Vocabulary.Encode(text);
    }

    public string Text { get; }

    public Vocabulary Vocabulary { get; }

    /// <summary>Every character's token id.</summary>
    public int[] Tokens { get; }

    /// <summary>Where validation starts: the first character of a chapter heading (or of a line).</summary>
    public int Split { get; }

    public string TrainText => Text[..Split];

    public string ValidationText => Text[Split..];

    public ReadOnlySpan<int> TrainTokens => Tokens.AsSpan(0, Split);

    public ReadOnlySpan<int> ValidationTokens => Tokens.AsSpan(Split);

    /// <summary>
    /// Reads <paramref name="path"/> and holds out about its last <paramref name="validationFraction"/>: from the
    /// first chapter heading after that point (whole chapters), else from the next line.
    /// </summary>
    public static Corpus Load(string path, double validationFraction)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"The corpus '{path}' is missing: it ships beside the program (CopyToOutputDirectory).", path);
        }

        string text = File.ReadAllText(path).Replace("\r", "", StringComparison.Ordinal);
        int from = (int)(text.Length * (1 - validationFraction));
        int chapter = text.IndexOf("\nChapter ", from, StringComparison.Ordinal);
        int split = (chapter >= 0 ? chapter : text.IndexOf('\n', from)) + 1;
        if (split <= 0 || split >= text.Length)
        {
            throw new InvalidDataException($"'{path}' has no line break after {1 - validationFraction:P0} of its text to split at.");
        }

        return new Corpus(text, split);
    }
}
