using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Runtime.InteropServices;

namespace RnnGen;

/// <summary>
/// Replaces a file atomically: the bytes go to <c>&lt;file&gt;.&lt;pid&gt;.&lt;random&gt;.tmp</c> in the
/// same folder, are flushed to disk, renamed over the target, and the folder is flushed so that the
/// rename survives a power loss. A reader sees the old file or the new one, never a mix.
/// </summary>
internal static class AtomicFile
{
    private const int InvalidArgument = 22;   // EINVAL: some file systems cannot fsync a folder

    public static void Write(string path, long length, Action<Stream> write)
    {
        string full = Path.GetFullPath(path);
        string fileName = Path.GetFileName(full);
        string? directory = Path.GetDirectoryName(full);
        if (fileName.Length == 0 || directory is null)
        {
            throw new ArgumentException($"'{path}' names a folder, not a file.", nameof(path));
        }

        if (Directory.Exists(full))
        {
            // Found now rather than by the final rename, after every byte was written.
            throw new IOException($"Cannot save to '{path}': it is a directory.");
        }

        RemoveStaleTemporaries(directory, fileName);
        string temporary = Path.Combine(directory, string.Create(CultureInfo.InvariantCulture, $"{fileName}.{Environment.ProcessId}.{Random.Shared.Next():x8}.tmp"));
        try
        {
            // FileShare.None locks the temporary file (flock on Unix) while it is written, which is how
            // another process's cleanup tells a live save from a stale one. PreallocationSize reserves the
            // space first, so a full disk fails at once instead of after gigabytes.
            var options = new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                Share = FileShare.None,
                BufferSize = 0,
                PreallocationSize = length,
            };
            using (var stream = new FileStream(temporary, options))
            {
                write(stream);
                if (stream.Position != length)
                {
                    throw new InvalidOperationException($"Wrote {stream.Position} bytes to '{temporary}', expected {length}.");
                }

                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, full, overwrite: true);
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }

        FlushDirectory(directory, path);
    }

    /// <summary>
    /// Deletes temporary files that an earlier save to the same path left behind when its process died.
    /// A temporary is stale when the process id in its name is not running and no process holds its lock;
    /// the lock covers a process id reused by another program, or a writer in another PID namespace
    /// (a container sharing the folder), and the id check covers the instant between a writer's create
    /// and its lock.
    /// </summary>
    internal static void RemoveStaleTemporaries(string directory, string fileName)
    {
        List<string> candidates;
        try
        {
            candidates = [.. Directory.EnumerateFiles(directory, "*.tmp")];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return;   // The save itself will report a folder it cannot use.
        }

        foreach (string candidate in candidates)
        {
            if (TryParseTemporary(Path.GetFileName(candidate), fileName, out int pid) && pid != Environment.ProcessId && !IsRunning(pid))
            {
                DeleteIfUnlocked(candidate);
            }
        }
    }

    /// <summary>Matches exactly <c>&lt;fileName&gt;.&lt;decimal pid&gt;.&lt;8 hex digits&gt;.tmp</c>.</summary>
    internal static bool TryParseTemporary(string name, string fileName, out int pid)
    {
        pid = 0;
        if (!name.StartsWith(fileName + ".", StringComparison.Ordinal) || !name.EndsWith(".tmp", StringComparison.Ordinal)
            || name.Length < fileName.Length + 1 + 4)
        {
            return false;
        }

        ReadOnlySpan<char> middle = name.AsSpan(fileName.Length + 1, name.Length - fileName.Length - 1 - 4);
        int dot = middle.IndexOf('.');
        if (dot < 0)
        {
            return false;
        }

        ReadOnlySpan<char> random = middle[(dot + 1)..];
        return random.Length == 8 && random.IndexOfAnyExcept("0123456789abcdef") < 0
            && int.TryParse(middle[..dot], NumberStyles.None, CultureInfo.InvariantCulture, out pid) && pid > 0;
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            Process.GetProcessById(pid).Dispose();
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (Exception e) when (e is InvalidOperationException or PlatformNotSupportedException or System.ComponentModel.Win32Exception)
        {
            return true;   // Cannot tell: keep the file.
        }
    }

    private static void DeleteIfUnlocked(string candidate)
    {
        try
        {
            // Opening with FileShare.None fails while a live writer holds the file; DeleteOnClose removes it
            // while the lock is still ours (Unix unlinks before closing, Windows deletes on the last close).
            using var probe = new FileStream(candidate, FileMode.Open, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Held by a live writer, or not ours to delete.
        }
    }

    private static void TryDelete(string temporary)
    {
        try
        {
            File.Delete(temporary);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The original failure is the one to report.
        }
    }

    private static void FlushDirectory(string directory, string path)
    {
        // Windows: .NET cannot open a folder to flush it, and NTFS journals the rename itself. Other
        // systems than Linux and macOS: the open(2) flag values below are not known.
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            return;
        }

        int closeOnExec = OperatingSystem.IsLinux() ? 0x80000 : 0x1000000;
        int fd = PosixNative.Open(directory, closeOnExec);
        if (fd < 0)
        {
            // A folder we may not read cannot be flushed; the rename is still atomic, only not yet durable.
            return;
        }

        try
        {
            if (PosixNative.FSync(fd) != 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                if (errno != InvalidArgument)
                {
                    throw new IOException($"'{path}' was saved, but its folder could not be flushed to disk: {Marshal.GetPInvokeErrorMessage(errno)}", errno);
                }
            }
        }
        finally
        {
            PosixNative.Close(fd);
        }
    }
}
