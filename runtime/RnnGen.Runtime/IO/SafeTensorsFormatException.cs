using System;
using System.IO;

namespace RnnGen;

/// <summary>
/// A safetensors file that breaks the format's rules, or does not hold what the caller needs. Every
/// refusal by <see cref="SafeTensors.Read"/>, <see cref="SafeTensorsFile"/> and
/// <see cref="ParameterSet.Load"/> is this one type; the message names the file, the tensor (when one
/// is involved) and the rule broken. An <see cref="IOException"/>, so that one <c>catch</c> around a
/// load handles a missing file and a bad one alike (<see cref="InvalidDataException"/> is sealed).
/// </summary>
public sealed class SafeTensorsFormatException : IOException
{
    public SafeTensorsFormatException(string filePath, string? tensorName, string rule, Exception? innerException = null)
        : base(Compose(filePath, tensorName, rule), innerException)
    {
        FilePath = filePath;
        TensorName = tensorName;
        Rule = rule;
    }

    /// <summary>The file as the caller named it.</summary>
    public string FilePath { get; }

    /// <summary>The tensor involved, or null when the rule concerns the whole file.</summary>
    public string? TensorName { get; }

    /// <summary>The rule broken, without the file and tensor names.</summary>
    public string Rule { get; }

    private static string Compose(string filePath, string? tensorName, string rule) =>
        tensorName is null
            ? $"Safetensors file '{filePath}': {rule}"
            : $"Safetensors file '{filePath}', tensor '{tensorName}': {rule}";
}
