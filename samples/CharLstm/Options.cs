using System;
using System.Globalization;
using System.IO;

namespace CharLstm;

/// <summary>The command line: <c>[--fresh] [--epochs N] [--out DIR]</c>.</summary>
public sealed record Options(bool Fresh, int Epochs, string Output)
{
    public const string Usage =
        "dotnet run -c Release --project samples/CharLstm [-- [--fresh] [--epochs N] [--out DIR]]\n" +
        "  --fresh     ignore a checkpoint left by an earlier run and train from the start\n" +
        "  --epochs N  passes over the training text (default 5; a resumed run must use the same N)\n" +
        "  --out DIR   where the checkpoint, weights, CSVs and plot go (default artifacts/charlstm)";

    /// <summary>Parses the arguments; a bad one throws <see cref="ArgumentException"/> naming it.</summary>
    public static Options Parse(string[] args)
    {
        bool fresh = false;
        int epochs = 5;
        string output = Path.Combine("artifacts", "charlstm");
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--fresh":
                    fresh = true;
                    break;
                case "--epochs" when i + 1 < args.Length:
                    if (!int.TryParse(args[++i], NumberStyles.None, CultureInfo.InvariantCulture, out epochs) || epochs < 1)
                    {
                        throw new ArgumentException($"--epochs takes a whole number >= 1, not '{args[i]}'.");
                    }

                    break;
                case "--out" when i + 1 < args.Length:
                    output = args[++i];
                    break;
                default:
                    throw new ArgumentException($"Unknown or incomplete argument '{args[i]}'.");
            }
        }

        return new Options(fresh, epochs, output);
    }
}
