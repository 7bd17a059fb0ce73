using System.Diagnostics;
using System.Text;

namespace LeaderKv.FaultTests;

/// <summary>
/// One real node process (<c>dotnet LeaderKv.Node.dll</c>) on a fixed loopback port, configured
/// through the environment exactly as an operator would. <see cref="Kill"/> is SIGKILL: no
/// shutdown code runs, so whatever the node has not made durable is gone.
/// </summary>
public sealed class NodeProcess : IDisposable
{
    private readonly Dictionary<string, string> _environment;
    private readonly StringBuilder _output = new();
    private Process? _process;

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

    /// <summary>Everything the node wrote to stdout and stderr, for failure messages.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public void Start()
    {
        Assert.False(IsRunning, $"{Name} is already running");
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { NodeDll },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (key, value) in _environment)
        {
            start.Environment[key] = value;
        }

        start.Environment["ASPNETCORE_URLS"] = Url.ToString().TrimEnd('/');
        start.Environment["NODE_ID"] = Name;
        start.Environment["Logging__Console__FormatterName"] = "simple";
        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, line) => Append(line.Data);
        process.ErrorDataReceived += (_, line) => Append(line.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
    }

    /// <summary>kill -9, and wait until the process is gone (its port is then free).</summary>
    public void Kill()
    {
        if (_process is null)
        {
            return;
        }

        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: false);
        }

        _process.WaitForExit();
        _process.Dispose();
        _process = null;
    }

    public void Dispose() => Kill();

    /// <summary>A loopback port that was free a moment ago.</summary>
    public static int FreePort() => LeaderKv.Cli.Cluster.FreePorts.FindConsecutive(1);

    /// <summary>The first of <paramref name="count"/> consecutive loopback ports that were free a moment ago.</summary>
    public static int FreePorts(int count) => LeaderKv.Cli.Cluster.FreePorts.FindConsecutive(count);

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}
