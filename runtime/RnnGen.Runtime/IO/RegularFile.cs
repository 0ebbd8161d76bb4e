using System;
using System.IO;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace RnnGen;

/// <summary>
/// Opens a file for reading only when it is a regular file, and never blocks doing so: opening a FIFO
/// for reading waits for a writer, and a character device such as /dev/zero never ends.
/// </summary>
internal static class RegularFile
{
    // Linux open(2) flags: the asm-generic values, which every architecture .NET runs on Linux uses.
    private const int ReadOnly = 0;
    private const int NoControllingTerminal = 0x100;
    private const int NonBlocking = 0x800;
    private const int CloseOnExec = 0x80000;
    private const int AtEmptyPath = 0x1000;
    private const uint StatXType = 0x1;
    private const int StatXModeOffset = 28;
    private const int NoSuchDeviceOrAddress = 6;   // ENXIO: what open(2) says for a socket

    /// <summary>Returns a handle for positional reads (RandomAccess), or throws SafeTensorsFormatException for a file that is not regular.</summary>
    public static SafeFileHandle OpenForRead(string path)
    {
        if (path.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException("The path holds a null character.", nameof(path));
        }

        return OperatingSystem.IsLinux() ? OpenOnLinux(path) : OpenElsewhere(path);
    }

    /// <summary>The message for a file too short to hold the 8-byte header length.</summary>
    public static SafeTensorsFormatException TooShort(string path, long length) =>
        new(path, null, $"the file is {length} bytes, shorter than the 8-byte header length (or it is not a regular file).");

    private static SafeFileHandle OpenOnLinux(string path)
    {
        // O_NONBLOCK makes opening a FIFO return at once; the type is then read from the open descriptor
        // itself, so the path cannot be swapped for another file between the check and the open.
        int fd = PosixNative.Open(path, ReadOnly | NonBlocking | CloseOnExec | NoControllingTerminal);
        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw errno == NoSuchDeviceOrAddress ? NotRegular(path, "a socket or a device") : OpenError(path, errno);
        }

        var handle = new SafeFileHandle(fd, ownsHandle: true);
        try
        {
            string? kind = KindOf(fd);
            if (kind is null)
            {
                // statx is missing (old C library) or refused (old container seccomp profiles): check the path.
                CheckByPath(path);
            }
            else if (kind.Length > 0)
            {
                throw NotRegular(path, kind);
            }

            return handle;
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>"" for a regular file, a description for any other type, null when the type cannot be read.</summary>
    private static unsafe string? KindOf(int fd)
    {
        byte* buffer = stackalloc byte[256];
        try
        {
            if (PosixNative.StatX(fd, "", AtEmptyPath, StatXType, buffer) != 0)
            {
                return null;
            }
        }
        catch (EntryPointNotFoundException)
        {
            return null;
        }

        int type = *(ushort*)(buffer + StatXModeOffset) & 0xF000;
        return type switch
        {
            0x8000 => "",
            0x4000 => "a directory",
            0x1000 => "a FIFO (named pipe)",
            0x2000 => "a character device",
            0x6000 => "a block device",
            0xC000 => "a socket",
            _ => $"a file of type 0x{type:x}",
        };
    }

    private static SafeFileHandle OpenElsewhere(string path)
    {
        CheckByPath(path);

        // FileShare.Delete: on Windows a later save may still rename over the file while it is open.
        return File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete);
    }

    /// <summary>
    /// .NET reports no file type beyond "directory", but a FIFO, socket or device has length 0 in its
    /// status, so refusing short files before opening keeps an open from blocking on them.
    /// </summary>
    private static void CheckByPath(string path)
    {
        if (Directory.Exists(path))
        {
            throw NotRegular(path, "a directory");
        }

        var info = new FileInfo(path);
        if (!info.Exists)
        {
            throw new FileNotFoundException($"Could not find file '{path}'.", path);
        }

        if (info.Length < 8)
        {
            throw TooShort(path, info.Length);
        }
    }

    private static SafeTensorsFormatException NotRegular(string path, string kind) =>
        new(path, null, $"it is {kind}, not a regular file.");

    private static Exception OpenError(string path, int errno) => errno switch
    {
        2 => new FileNotFoundException($"Could not find file '{path}'.", path),
        20 => new DirectoryNotFoundException($"Could not find a part of the path '{path}'."),
        1 or 13 => new UnauthorizedAccessException($"Access to the path '{path}' is denied."),
        36 => new PathTooLongException($"The path '{path}' is too long."),
        _ => new IOException($"Could not open '{path}': {Marshal.GetPInvokeErrorMessage(errno)}", errno),
    };
}
