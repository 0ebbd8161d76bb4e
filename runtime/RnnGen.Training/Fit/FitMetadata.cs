using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;

namespace RnnGen.Training;

/// <summary>Reads the trainer's own entries of a checkpoint's metadata, with messages that name the file and the entry.</summary>
internal sealed class FitMetadata(IReadOnlyDictionary<string, string> metadata, string path)
{
    public string Text(string key) =>
        metadata.TryGetValue(key, out string? value)
            ? value
            : throw new InvalidDataException($"'{path}' lacks the trainer's entry '{key}': it was not written by Trainer.Fit.");

    public long Long(string key) =>
        long.TryParse(Text(key), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value)
            ? value
            : throw Bad(key, "an integer");

    public int Int(string key) =>
        int.TryParse(Text(key), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int value)
            ? value
            : throw Bad(key, "an integer");

    public double Double(string key) => ParseDouble(Text(key)) ?? throw Bad(key, "a number");

    public double? OptionalDouble(string text) => text.Length == 0 ? null : ParseDouble(text) ?? throw Bad("fit.history", "numbers");

    /// <summary>Throws unless the saved value equals the current one: a resume must run the same configuration.</summary>
    public void RequireSame(string key, string current, string what)
    {
        string saved = Text(key);
        if (saved != current)
        {
            throw new InvalidDataException(
                $"'{path}' was saved with {what} {saved}, but this run has {current}: resume with the same setting, or the run would not continue exactly.");
        }
    }

    public Exception Bad(string key, string expected) =>
        new InvalidDataException($"'{path}' has trainer entry '{key}' = '{(metadata.TryGetValue(key, out string? v) ? v : "")}'; expected {expected}.");

    private static double? ParseDouble(string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) ? value : null;
}
