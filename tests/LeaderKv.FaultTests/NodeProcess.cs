using LeaderKv.TestSupport.Processes;

namespace LeaderKv.FaultTests;

/// <summary>
/// One real node process (<c>dotnet LeaderKv.Node.dll</c>) on a fixed loopback port, configured
/// through the environment exactly as an operator would. <see cref="Kill"/> is SIGKILL: no
/// shutdown code runs, so whatever the node has not made durable is gone. <see cref="Pause"/> is
/// SIGSTOP: the node keeps its state and port but neither answers nor ticks until <see cref="Resume"/>.
/// </summary>
public sealed class NodeProcess : IDisposable
{
    private readonly Dictionary<string, string> _environment;
    private ChildProcess? _process;
    private string _earlierRuns = string.Empty;

    public NodeProcess(string name, int port, Dictionary<string, string> environment)
    {
        Name = name;
        Port = port;
        Url = new Uri($"http://127.0.0.1:{port}");
        _environment = environment;
    }

    public string Name { get; }

    public int Port { get; }

    public Uri Url { get; }

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>The node's own dll, copied next to the tests by the project reference.</summary>
    public static string NodeDll { get; } = Path.Combine(AppContext.BaseDirectory, "LeaderKv.Node.dll");

    /// <summary>Everything the node wrote to stdout and stderr, over all its runs, for failure messages.</summary>
    public string Output => _process is null ? _earlierRuns : _earlierRuns + _process.Output;

    public void Start()
    {
        Assert.False(IsRunning, $"{Name} is already running");
        Kill();
        var environment = new Dictionary<string, string>(_environment)
        {
            ["ASPNETCORE_URLS"] = Url.ToString().TrimEnd('/'),
            ["NODE_ID"] = Name,
            ["Logging__Console__FormatterName"] = "simple",
        };
        _process = ChildProcess.Start("dotnet", [NodeDll], environment);
    }

    /// <summary>kill -9, and wait until the process is gone (its port is then free).</summary>
    public void Kill()
    {
        if (_process is null)
        {
            return;
        }

        _process.Kill();
        _earlierRuns += _process.Output + Environment.NewLine;
        _process.Dispose();
        _process = null;
    }

    /// <summary>SIGSTOP: requests to the node hang (they are not refused) and its timers stop, as on a stalled machine.</summary>
    public void Pause() => (_process ?? throw new InvalidOperationException($"{Name} is not running")).Pause();

    /// <summary>SIGCONT: the paused node runs on, with whatever it believed before the pause.</summary>
    public void Resume() => (_process ?? throw new InvalidOperationException($"{Name} is not running")).Resume();

    public void Dispose() => Kill();

    /// <summary>A loopback port that was free a moment ago.</summary>
    public static int FreePort() => LeaderKv.Cli.Cluster.FreePorts.FindConsecutive(1);

    /// <summary>The first of <paramref name="count"/> consecutive loopback ports that were free a moment ago.</summary>
    public static int FreePorts(int count) => LeaderKv.Cli.Cluster.FreePorts.FindConsecutive(count);
}
