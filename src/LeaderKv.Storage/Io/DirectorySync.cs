using System.ComponentModel;
using System.Runtime.InteropServices;

namespace LeaderKv.Storage.Io;

/// <summary>
/// Fsyncs a directory, which makes a file created, renamed or deleted in it survive a power
/// loss (fsyncing the file alone does not persist its directory entry on Linux). .NET refuses
/// to open a directory as a file, hence the two libc calls. Windows has no equivalent and
/// journals the metadata itself, so there it does nothing.
/// </summary>
internal static partial class DirectorySync
{
    public static void Flush(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        // O_RDONLY (0) opens a directory on every Unix; O_DIRECTORY's value differs between architectures.
        var descriptor = Open(directory, 0);
        if (descriptor < 0)
        {
            throw new IOException($"Cannot open directory '{directory}' to fsync it.", new Win32Exception(Marshal.GetLastPInvokeError()));
        }

        try
        {
            if (Fsync(descriptor) != 0)
            {
                throw new IOException($"fsync of directory '{directory}' failed.", new Win32Exception(Marshal.GetLastPInvokeError()));
            }
        }
        finally
        {
            _ = Close(descriptor);
        }
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int descriptor);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int descriptor);
}
