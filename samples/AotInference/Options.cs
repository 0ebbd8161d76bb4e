using System;
using System.Globalization;

namespace AotInference;

/// <summary>
/// The command line: <c>[--weights PATH] [--dump PATH] [--repeat N]</c>, or <c>--write-weights PATH</c>
/// (write the demonstration weights there and stop).
/// </summary>
internal sealed record Options(string? Weights, string? Dump, int Repeat, string? WriteWeights)
{
    public const int DefaultRepeat = 2000;

    public static Options Parse(string[] args)
    {
        string? weights = null, dump = null, writeWeights = null;
        int repeat = DefaultRepeat;
        for (int i = 0; i < args.Length; i++)
        {
            string value = i + 1 < args.Length ? args[i + 1] : throw new ArgumentException($"'{args[i]}' needs a value.");
            switch (args[i])
            {
                case "--weights": weights = value; break;
                case "--dump": dump = value; break;
                case "--write-weights": writeWeights = value; break;
                case "--repeat":
                    if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out repeat))
                    {
                        throw new ArgumentException($"--repeat takes a count of Forward calls (0 or more), not '{value}'.");
                    }

                    break;
                default:
                    throw new ArgumentException($"Unknown option '{args[i]}'. Usage: AotInference [--weights PATH] [--dump PATH] [--repeat N] | --write-weights PATH");
            }

            i++;
        }

        return new Options(weights, dump, repeat, writeWeights);
    }
}
