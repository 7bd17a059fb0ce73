using System.Diagnostics;
using LeaderKv.TestSupport;

namespace LeaderKv.FaultTests;

/// <summary>
/// A real, small file system for a test: a tmpfs mounted on a directory the test creates, which can
/// be grown while mounted (<c>mount -o remount,size=…</c>) and is unmounted and removed on dispose.
/// Mounting needs root (or CAP_SYS_ADMIN); <see cref="TryMount"/> says why when it cannot.
/// </summary>
public sealed class TmpfsMount : IDisposable
{
    private readonly TempDirectory _directory;

    private TmpfsMount(TempDirectory directory) => _directory = directory;

    public string Path => _directory.Path;

    /// <summary>Mounts a tmpfs of <paramref name="sizeBytes"/>; null with the reason when this machine does not allow it.</summary>
    public static TmpfsMount? TryMount(long sizeBytes, out string? whyNot)
    {
        if (!OperatingSystem.IsLinux())
        {
            whyNot = "tmpfs mounts need Linux";
            return null;
        }

        var directory = new TempDirectory();
        var (code, output) = Run("mount", "-t", "tmpfs", "-o", $"size={sizeBytes}", "tmpfs", directory.Path);
        if (code != 0)
        {
            directory.Dispose();
            whyNot = $"'mount -t tmpfs' failed with exit code {code} (it needs root or CAP_SYS_ADMIN): {output.Trim()}";
            return null;
        }

        whyNot = null;
        return new TmpfsMount(directory);
    }

    /// <summary>Grows (or shrinks) the mounted file system without unmounting it: files stay, the nodes keep running.</summary>
    public void Resize(long sizeBytes)
    {
        var (code, output) = Run("mount", "-o", $"remount,size={sizeBytes}", Path);
        Assert.True(code == 0, $"remount of {Path} failed ({code}): {output}");
    }

    /// <summary>Bytes in use on the file system, from df.</summary>
    public string Usage() => Run("df", "-B1", Path).Output;

    public void Dispose()
    {
        if (Run("umount", Path).Code != 0)
        {
            // Busy (a process still holds a file): lazy unmount, so the directory can go.
            Run("umount", "-l", Path);
        }

        _directory.Dispose();
    }

    private static (int Code, string Output) Run(string command, params string[] arguments)
    {
        var start = new ProcessStartInfo(command) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        try
        {
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            process.WaitForExit();
            return (process.ExitCode, output.Result + error.Result);
        }
        catch (System.ComponentModel.Win32Exception error)
        {
            return (-1, $"{command} could not be started: {error.Message}");
        }
    }
}
