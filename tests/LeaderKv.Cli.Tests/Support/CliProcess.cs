using System.Diagnostics;
using LeaderKv.Cli.Cluster;

namespace LeaderKv.Cli.Tests.Support;

/// <summary>
/// <c>leaderkv</c> run as a real process (the copy in this test's output folder), with its output
/// collected line by line. Disposing kills it and its tree if a test left it running.
/// </summary>
internal sealed class CliProcess : IDisposable
{
    private readonly Process _process;
    private readonly List<string> _lines = [];

    private CliProcess(Process process)
    {
        _process = process;
    }

    public int ProcessId => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public static CliProcess Start(params string[] arguments)
    {
        var startInfo = new ProcessStartInfo(DotnetHost.Resolve())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        startInfo.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "leaderkv.dll"));
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        var cli = new CliProcess(new Process { StartInfo = startInfo });
        cli._process.OutputDataReceived += (_, e) => cli.Add(e.Data);
        cli._process.ErrorDataReceived += (_, e) => cli.Add(e.Data);
        cli._process.Start();
        cli._process.BeginOutputReadLine();
        cli._process.BeginErrorReadLine();
        return cli;
    }

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

    /// <summary>Waits for the first line that matches and returns it.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout, string what)
    {
        await Eventually.WaitUntilAsync(() => Lines.Any(match) || _process.HasExited, timeout, what);
        if (!Lines.Any(match))
        {
            // Exited: wait for the redirected output to drain so the message shows all of it.
            await _process.WaitForExitAsync();
            Assert.Fail($"leaderkv exited ({_process.ExitCode}) before printing {what}:\n{Output}");
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

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        _process.Dispose();
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
