using System.Runtime.InteropServices;

namespace LeaderKv.Cli.Cluster;

/// <summary>
/// Sends a signal to one process by id. .NET can only SIGKILL another process (Process.Kill);
/// a node deserves SIGTERM first so ASP.NET Core shuts it down the way Ctrl+C would.
/// </summary>
internal static partial class PosixSignals
{
    public const int SigInt = 2;
    public const int SigKill = 9;
    public const int SigTerm = 15;

    /// <summary>SIGSTOP: the process is frozen until SIGCONT (Linux's number; BSD and macOS use 17).</summary>
    public static int SigStop => OperatingSystem.IsLinux() ? 19 : 17;

    /// <summary>SIGCONT (Linux's number; BSD and macOS use 19).</summary>
    public static int SigCont => OperatingSystem.IsLinux() ? 18 : 19;

    /// <summary>True when the signal was delivered; false when no such process exists any more.</summary>
    public static bool Send(int processId, int signal)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("POSIX signals do not exist on Windows.");
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(processId);
        return Kill(processId, signal) == 0;
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int sig);
}
