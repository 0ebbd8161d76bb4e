using System;
using System.Diagnostics;
using System.IO;

namespace PyTorchInterop;

/// <summary>
/// Runs interop.py with a Python that has PyTorch: $RNNGEN_PYTHON, else /usr/bin/python3 (Debian's python3-torch
/// installs there; a python3 earlier on PATH, such as pyenv's, may not see it), else python3 from PATH.
/// </summary>
public sealed class Python
{
    private Python(string executable, string torchVersion)
    {
        Executable = executable;
        TorchVersion = torchVersion;
    }

    public string Executable { get; }

    public string TorchVersion { get; }

    /// <summary>A Python that imports torch and numpy, or null with the reason in <paramref name="why"/>.</summary>
    public static Python? Find(out string why)
    {
        string executable = Environment.GetEnvironmentVariable("RNNGEN_PYTHON") is { Length: > 0 } chosen ? chosen
            : File.Exists("/usr/bin/python3") ? "/usr/bin/python3"
            : "python3";
        (int code, string output) = Run(executable, ["-c", "import numpy, torch; print(torch.__version__)"], echo: false);
        if (code != 0)
        {
            string[] lines = output.Trim().Split('\n');
            why = $"'{executable} -c \"import numpy, torch\"' failed: {lines[^1].Trim()}";
            return null;
        }

        why = "";
        return new Python(executable, output.Trim());
    }

    /// <summary>Runs interop.py (beside this program) with <paramref name="arguments"/>, echoing its output; returns its exit status.</summary>
    public int RunScript(params string[] arguments)
    {
        string script = Path.Combine(AppContext.BaseDirectory, "interop.py");
        return Run(Executable, [script, .. arguments], echo: true).Code;
    }

    private static (int Code, string Output) Run(string executable, string[] arguments, bool echo)
    {
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"{executable} did not start.");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (-1, $"{executable}: {e.Message}");
        }

        using (process)
        {
            var output = new System.Text.StringBuilder();
            void Add(object sender, DataReceivedEventArgs e)
            {
                if (e.Data is null)
                {
                    return;
                }

                lock (output)
                {
                    output.AppendLine(e.Data);
                    if (echo)
                    {
                        Console.WriteLine(e.Data);
                    }
                }
            }

            process.OutputDataReceived += Add;
            process.ErrorDataReceived += Add;
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            process.WaitForExit();
            return (process.ExitCode, output.ToString());
        }
    }
}
