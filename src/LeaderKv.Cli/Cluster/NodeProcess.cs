using System.Diagnostics;

namespace LeaderKv.Cli.Cluster;

/// <summary>A running node process of a local cluster, with the last lines it printed for error reports.</summary>
public sealed class NodeProcess
{
    /// <summary>Enough lines to show a node's start-up error without flooding the terminal.</summary>
    private const int TailLines = 40;

    /// <summary>Variables that would override the listening address the cluster chose for this node.</summary>
    private static readonly string[] InheritedVariablesToDrop =
    [
        "PORT", "ASPNETCORE_URLS", "DOTNET_URLS", "ASPNETCORE_HTTP_PORTS", "ASPNETCORE_HTTPS_PORTS",
        "DOTNET_HTTP_PORTS", "DOTNET_HTTPS_PORTS", "HTTP_PORTS", "HTTPS_PORTS",
        "ROLE", "FOLLOWERS", "PEERS", "WRITE_QUORUM", "MIN_DELAY", "MAX_DELAY", "REPLICATION_MODE", "NODE_ID", "LEADER_URL",
        // One exported DATA_DIR would otherwise give all nodes the same directory.
        "DATA_DIR", "FSYNC",
        // Only the `up` that started a node may hand it process controls (it sets them per cluster).
        "LEADERKV_CONTROL_URL", "LEADERKV_CONTROL_TOKEN",
    ];

    private readonly Process _process;
    private readonly Queue<string> _tail = new();
    private readonly Action<string, string>? _output;
    private bool _stopped;

    private NodeProcess(NodeSpec spec, Process process, Action<string, string>? output)
    {
        Spec = spec;
        _process = process;
        _output = output;
        ProcessId = process.Id;
    }

    public NodeSpec Spec { get; }

    public string Name => Spec.Name;

    public Uri Url => Spec.Url;

    public int ProcessId { get; }

    /// <summary>True once the node has answered <c>GET /health</c> with 200.</summary>
    public bool IsHealthy { get; private set; }

    public bool HasExited => _stopped || _process.HasExited;

    /// <summary>True while the process is frozen by <see cref="Pause"/> (SIGSTOP) and not yet resumed.</summary>
    public bool IsPaused { get; private set; }

    /// <summary>True once this node was stopped, killed or replaced on purpose (not a crash).</summary>
    public bool ExitRequested { get; private set; }

    internal static async Task<NodeProcess> StartAsync(
        NodeLauncher launcher, string nodeAssemblyPath, NodeSpec spec, Action<string, string>? output)
    {
        var process = await launcher.StartAsync(DotnetHost.Resolve(), [nodeAssemblyPath], startInfo =>
        {
            startInfo.UseShellExecute = false;
            startInfo.RedirectStandardOutput = true;
            startInfo.RedirectStandardError = true;
            // A node never reads stdin; a pipe keeps it from sharing (and fighting over) the terminal.
            startInfo.RedirectStandardInput = true;
            startInfo.WorkingDirectory = Path.GetDirectoryName(nodeAssemblyPath)!;
            foreach (var name in InheritedVariablesToDrop)
            {
                startInfo.Environment.Remove(name);
            }

            foreach (var (name, value) in spec.Environment)
            {
                startInfo.Environment[name] = value;
            }
        }).ConfigureAwait(false);

        var node = new NodeProcess(spec, process, output);
        process.OutputDataReceived += (_, e) => node.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => node.OnLine(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return node;
    }

    /// <summary>Completes with the exit code when the process ends.</summary>
    public async Task<int> WaitForExitAsync(CancellationToken token)
    {
        await _process.WaitForExitAsync(token).ConfigureAwait(false);
        return _process.ExitCode;
    }

    /// <summary>The last lines the node printed, oldest first.</summary>
    public string RecentOutput()
    {
        lock (_tail)
        {
            return string.Join(Environment.NewLine, _tail);
        }
    }

    /// <summary>Polls <c>GET /health</c> until it answers 200; throws if the process exits first.</summary>
    internal async Task WaitHealthyAsync(HttpClient http, CancellationToken token)
    {
        var health = new Uri(Url, "health");
        while (true)
        {
            if (_process.HasExited)
            {
                throw new ClusterStartException(
                    $"{Name} exited with code {_process.ExitCode} before it became healthy.", this);
            }

            try
            {
                using var response = await http.GetAsync(health, token).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    IsHealthy = true;
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet: keep polling until the deadline in the token.
            }
            catch (TaskCanceledException) when (!token.IsCancellationRequested)
            {
                // One slow answer during JIT warm-up; the overall deadline still bounds the wait.
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), token).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// SIGTERM, then up to <paramref name="grace"/> for ASP.NET Core to shut down, then SIGKILL for the
    /// whole process tree. Returns once the process is gone.
    /// </summary>
    internal async Task StopAsync(TimeSpan grace)
    {
        if (_stopped)
        {
            return;
        }

        ExitRequested = true;
        if (IsPaused)
        {
            // A frozen process cannot act on SIGTERM.
            Resume();
        }

        if (!_process.HasExited)
        {
            if (OperatingSystem.IsWindows())
            {
                _process.Kill(entireProcessTree: true);
            }
            else
            {
                PosixSignals.Send(ProcessId, PosixSignals.SigTerm);
            }

            using var graceTimeout = new CancellationTokenSource(grace);
            try
            {
                await _process.WaitForExitAsync(graceTimeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
            }
        }

        // Also drains the redirected output, so the last lines are in the tail.
        await _process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        _stopped = true;
        _process.Dispose();
    }

    /// <summary>SIGKILL, as <c>kill -9</c>: no shutdown, no flush beyond what the node already fsynced. Returns once the process is gone.</summary>
    internal async Task KillAsync()
    {
        ExitRequested = true;
        if (_stopped)
        {
            return;
        }

        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        IsPaused = false;
    }

    /// <summary>SIGSTOP: the node stops answering anything (peers, clients, its own timers) without closing a socket.</summary>
    internal void Pause()
    {
        if (!_stopped && !_process.HasExited && PosixSignals.Send(ProcessId, PosixSignals.SigStop))
        {
            IsPaused = true;
        }
    }

    /// <summary>SIGCONT: the node carries on where it was frozen.</summary>
    internal void Resume()
    {
        if (!_stopped && !_process.HasExited && PosixSignals.Send(ProcessId, PosixSignals.SigCont))
        {
            IsPaused = false;
        }
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_tail)
        {
            _tail.Enqueue(line);
            if (_tail.Count > TailLines)
            {
                _tail.Dequeue();
            }
        }

        _output?.Invoke(Name, line);
    }
}
