using System.Runtime.InteropServices;

namespace RnnGen;

/// <summary>
/// The few POSIX calls .NET does not expose: a non-blocking open, the file type of an open descriptor,
/// and flushing a folder. LibraryImport, so they compile ahead of time for Native AOT.
/// </summary>
internal static unsafe partial class PosixNative
{
    private const string Libc = "libc";

    /// <summary>open(2); variadic in C, but the mode argument is read only with O_CREAT, which no caller passes.</summary>
    [LibraryImport(Libc, EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial int Open(string path, int flags);

    [LibraryImport(Libc, EntryPoint = "close", SetLastError = true)]
    internal static partial int Close(int fd);

    [LibraryImport(Libc, EntryPoint = "fsync", SetLastError = true)]
    internal static partial int FSync(int fd);

    /// <summary>Linux statx(2) (glibc 2.28+, musl 1.2.5+); struct statx has one layout on every architecture.</summary>
    [LibraryImport(Libc, EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial int StatX(int directoryFd, string path, int flags, uint mask, byte* buffer);
}
