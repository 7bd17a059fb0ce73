using System.Diagnostics;

namespace LeaderKv.TestSupport.Processes;

/// <summary>
/// A real process started by a test, with its environment set and its stdout and stderr collected
/// line by line. <see cref="Kill"/> is kill -9 by PID (no shutdown code runs), <see cref="Pause"/>
/// and <see cref="Resume"/> are SIGSTOP and SIGCONT, and disposing kills it and every child it
/// started if a test left it running.
/// </summary>
public sealed class ChildProcess : IDisposable
{
    private readonly Process _process;
    private readonly List<string> _lines = [];

    private ChildProcess(Process process)
    {
        _process = process;
    }

    public int ProcessId => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>Every line written to stdout and stderr so far, in the order they arrived.</summary>
    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_lines)
            {
                return [.. _lines];
            }
        }
    }

    public string Output => string.Join(Environment.NewLine, Lines);

    /// <summary>
    /// Starts <paramref name="fileName"/> with <paramref name="arguments"/>; <paramref name="environment"/>
    /// adds to (or overrides) the test's own. With <paramref name="redirectInput"/>, stdin is a pipe the
    /// process can wait on instead of the terminal.
    /// </summary>
    public static ChildProcess Start(
        string fileName,
        IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string>? environment = null,
        bool redirectInput = false)
    {
        var startInfo = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = redirectInput,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            startInfo.Environment[key] = value;
        }

        var child = new ChildProcess(new Process { StartInfo = startInfo });
        child._process.OutputDataReceived += (_, e) => child.Add(e.Data);
        child._process.ErrorDataReceived += (_, e) => child.Add(e.Data);
        child._process.Start();
        child._process.BeginOutputReadLine();
        child._process.BeginErrorReadLine();
        return child;
    }

    /// <summary>Waits for the first line that matches and returns it; fails if the process exits first.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout, string what)
    {
        await Eventually.WaitUntilAsync(() => Lines.Any(match) || _process.HasExited, timeout, what, pollInterval: TimeSpan.FromMilliseconds(50));
        if (!Lines.Any(match))
        {
            // Exited: wait for the redirected output to drain so the message shows all of it.
            await _process.WaitForExitAsync();
            Assert.Fail($"{_process.StartInfo.FileName} exited ({_process.ExitCode}) before printing {what}:\n{Output}");
        }

        return Lines.First(match);
    }

    /// <summary>Waits for the exit and for the last redirected output line to arrive.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(deadline.Token);
        return _process.ExitCode;
    }

    /// <summary>kill -9 by PID, then waits until the process is gone (its ports are then free). A paused process dies too.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            PosixSignal.Send(_process.Id, PosixSignal.SigKill);
        }

        _process.WaitForExit();
    }

    /// <summary>SIGSTOP: the process stops running (timers, sockets and all) but keeps its state and its ports.</summary>
    public void Pause() => Signal(PosixSignal.SigStop, "pause");

    /// <summary>SIGCONT: a paused process runs on from where it stopped.</summary>
    public void Resume() => Signal(PosixSignal.SigCont, "resume");

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        _process.Dispose();
    }

    private void Signal(int signal, string what)
    {
        if (_process.HasExited || !PosixSignal.Send(_process.Id, signal))
        {
            throw new InvalidOperationException($"Cannot {what} process {_process.Id}: it has exited.");
        }
    }

    private void Add(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_lines)
        {
            _lines.Add(line);
        }
    }
}
