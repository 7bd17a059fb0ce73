using System.Collections.Concurrent;
using System.Diagnostics;

namespace LeaderKv.Cli.Cluster;

/// <summary>
/// Starts node processes so that none outlives the process that started it, even when that process
/// is killed with SIGKILL and has no chance to clean up.
/// </summary>
/// <remarks>
/// On Linux each node is started through util-linux's <c>setpriv --pdeathsig KILL</c>, which asks the
/// kernel to kill the node when its parent dies. The kernel ties that signal to the parent
/// <em>thread</em>, not the process, so every node is forked from one dedicated thread that lives
/// until <see cref="Dispose"/>: a thread-pool thread would retire when idle and take the nodes with it.
/// Where setpriv is missing (macOS, Windows, minimal images) nodes are started directly and only a
/// clean stop (Ctrl+C, SIGTERM) removes them.
/// </remarks>
internal sealed class NodeLauncher : IDisposable
{
    private readonly BlockingCollection<(ProcessStartInfo StartInfo, TaskCompletionSource<Process> Started)> _requests = new();
    private readonly Thread _thread;
    private readonly string? _setprivPath;

    public NodeLauncher()
    {
        _setprivPath = OperatingSystem.IsLinux() ? FindOnPath("setpriv") : null;
        _thread = new Thread(Run) { IsBackground = true, Name = "leaderkv node launcher" };
        _thread.Start();
    }

    /// <summary>True when nodes die with the launcher's thread; false when only a clean stop removes them.</summary>
    public bool TiesNodesToParent => _setprivPath is not null;

    public Task<Process> StartAsync(string fileName, IReadOnlyList<string> arguments, Action<ProcessStartInfo> configure)
    {
        var startInfo = new ProcessStartInfo();
        if (_setprivPath is not null)
        {
            startInfo.FileName = _setprivPath;
            foreach (var argument in new[] { "--pdeathsig", "KILL", "--", fileName })
            {
                startInfo.ArgumentList.Add(argument);
            }
        }
        else
        {
            startInfo.FileName = fileName;
        }

        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        configure(startInfo);
        var started = new TaskCompletionSource<Process>(TaskCreationOptions.RunContinuationsAsynchronously);
        _requests.Add((startInfo, started));
        return started.Task;
    }

    /// <summary>Ends the launcher thread; on Linux any node still running is killed by the kernel.</summary>
    public void Dispose()
    {
        _requests.CompleteAdding();
        _thread.Join();
        _requests.Dispose();
    }

    private void Run()
    {
        foreach (var (startInfo, started) in _requests.GetConsumingEnumerable())
        {
            try
            {
                var process = new Process { StartInfo = startInfo, EnableRaisingEvents = true };
                process.Start();
                started.SetResult(process);
            }
            catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException)
            {
                started.SetException(ex);
            }
        }
    }

    private static string? FindOnPath(string program)
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        return path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, program))
            .FirstOrDefault(File.Exists);
    }
}
