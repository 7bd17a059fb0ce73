using System.Runtime.InteropServices;

namespace LeaderKv.TestSupport.Processes;

/// <summary>
/// Sends a signal to one process by id (libc <c>kill</c>). .NET itself can only SIGKILL another
/// process; a pause needs SIGSTOP and SIGCONT. The numbers are Linux's (x86-64 and arm64).
/// </summary>
public static partial class PosixSignal
{
    public const int SigKill = 9;
    public const int SigCont = 18;
    public const int SigStop = 19;

    /// <summary>True when the signal was delivered; false when no such process exists any more.</summary>
    public static bool Send(int processId, int signal)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("These signal numbers are Linux's.");
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(processId);
        return Kill(processId, signal) == 0;
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int sig);
}
