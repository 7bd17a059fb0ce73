namespace LeaderKv.Storage;

/// <summary>
/// A write found no space (<c>ENOSPC</c>, or <c>EDQUOT</c> past a disk quota) and left no trace: a
/// partly written record was cut back to the last whole one, a temporary file was deleted. Nothing
/// the failed call was given is on disk, everything before it is intact, and the same call may be
/// tried again once space is back. Every other storage failure (an fsync that failed above all) is
/// not this exception, and the node stops on it: after a failed fsync what is on disk is unknown.
/// </summary>
public sealed class StorageFullException : IOException
{
    public StorageFullException(string message, Exception cause)
        : base(message, cause)
    {
        HResult = cause.HResult;
    }

    /// <summary>
    /// True for an error that means "no space": ENOSPC (28) or EDQUOT (122) on Linux, EDQUOT (69)
    /// on macOS, ERROR_DISK_FULL or ERROR_HANDLE_DISK_FULL on Windows. .NET puts the raw errno
    /// in <see cref="Exception.HResult"/> of the <see cref="IOException"/> it throws on Unix.
    /// </summary>
    public static bool IsOutOfSpace(Exception error)
    {
        if (error is StorageFullException)
        {
            return true;
        }

        if (error is not IOException io || error is StorageCorruptionException)
        {
            return false;
        }

        const int EnoSpc = 28;
        const int EdQuotLinux = 122;
        const int EdQuotMac = 69;
        const int WindowsDiskFull = unchecked((int)0x80070070);
        const int WindowsHandleDiskFull = unchecked((int)0x80070027);
        return OperatingSystem.IsWindows()
            ? io.HResult is WindowsDiskFull or WindowsHandleDiskFull
            : io.HResult is EnoSpc || (OperatingSystem.IsMacOS() ? io.HResult == EdQuotMac : io.HResult == EdQuotLinux);
    }
}
