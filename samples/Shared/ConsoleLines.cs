// Shared by the samples (linked into each project).
using System;
using Spectre.Console;

namespace RnnGen.Samples;

/// <summary>Writes a line during training: above the live progress bar on a console, straight to the output when redirected.</summary>
internal static class ConsoleLines
{
    public static void Write(string line)
    {
        // Spectre's console draws lines above a live bar (System.Console would tear it), but when the output is
        // redirected it wraps at an assumed 80 columns, so logs get the plain writer.
        if (Console.IsOutputRedirected)
        {
            Console.WriteLine(line);
        }
        else
        {
            AnsiConsole.WriteLine(line);
        }
    }
}
