using System;
using System.Collections.Generic;
using System.Globalization;

namespace RnnGen;

/// <summary>
/// Scalars of optimizer and schedule state as text that round-trips bit for bit: integers in decimal,
/// doubles in .NET's shortest round-trip form ("R", the same digits as Python's repr; "Infinity",
/// "-Infinity" and "NaN" for the specials). Text is what safetensors metadata can hold.
/// </summary>
internal static class StateText
{
    public static string Format(int value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    public static int ParseInt(IReadOnlyDictionary<string, string> scalars, string name, string owner, int min)
    {
        string text = Get(scalars, name, owner);
        if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int value) || value < min)
        {
            throw new ArgumentException($"{owner} state value '{name}' is '{text}'; expected an integer >= {min}.", "state");
        }

        return value;
    }

    public static double ParseDouble(IReadOnlyDictionary<string, string> scalars, string name, string owner, bool finiteNonNegative)
    {
        string text = Get(scalars, name, owner);
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value)
            || (finiteNonNegative && !(value >= 0 && double.IsFinite(value))))
        {
            string expected = finiteNonNegative ? "a finite number >= 0" : "a number";
            throw new ArgumentException($"{owner} state value '{name}' is '{text}'; expected {expected}.", "state");
        }

        return value;
    }

    /// <summary>Throws when the state holds a value this owner does not know: it came from something else.</summary>
    public static void RejectUnknown(IEnumerable<string> names, IReadOnlyCollection<string> known, string owner)
    {
        foreach (string name in names)
        {
            bool found = false;
            foreach (string k in known)
            {
                found |= k == name;
            }

            if (!found)
            {
                throw new ArgumentException(
                    $"{owner} state has a value '{name}' that {owner} does not keep (it keeps: {string.Join(", ", known)}).", "state");
            }
        }
    }

    private static string Get(IReadOnlyDictionary<string, string> scalars, string name, string owner)
    {
        if (!scalars.TryGetValue(name, out string? text))
        {
            throw new ArgumentException($"{owner} state lacks the value '{name}'.", "state");
        }

        return text;
    }
}
