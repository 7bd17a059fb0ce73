using LeaderKv.Cli.Cluster;

namespace LeaderKv.Cli.Verify;

/// <summary>
/// The nodes under test: a local PEERS cluster verify starts with DATA_DIR, FSYNC=always and
/// FAULT_INJECTION (from the same <see cref="NodeSpec"/>s as <see cref="LocalCluster"/>, but keeping
/// each node's process so it can be killed and restarted on its data directory), or running nodes.
/// </summary>
internal sealed class VerifyCluster : IAsyncDisposable
{
    private readonly NodeLauncher? _launcher;
    private readonly string? _nodeAssembly;
    private readonly string? _temporary;
    private readonly Action<string, string>? _output;

    private VerifyCluster(IReadOnlyList<VerifyNode> nodes, string? secret, NodeLauncher? launcher, string? nodeAssembly, string? temporary, Action<string, string>? output)
    {
        Nodes = nodes;
        ClusterSecret = secret;
        _launcher = launcher;
        _nodeAssembly = nodeAssembly;
        _temporary = temporary;
        _output = output;
    }

    public IReadOnlyList<VerifyNode> Nodes { get; }

    /// <summary>Signs the fault endpoint's requests; null when the nodes have none (loopback without a secret).</summary>
    public string? ClusterSecret { get; }

    public bool OwnsProcesses => _launcher is not null;

    public static async Task<VerifyCluster> StartAsync(VerifySettings settings, Action<string, string>? nodeOutput, CancellationToken token)
    {
        var temporary = settings.DataDirectory is null ? Directory.CreateTempSubdirectory("leaderkv-verify-").FullName : null;
        var environment = new Dictionary<string, string>
        {
            ["FAULT_INJECTION"] = "true",
            // A write the nemesis strands waits this long for its quorum before it is answered unknown.
            ["WRITE_TIMEOUT"] = "3000",
        };
        foreach (var (name, value) in settings.NodeEnvironment)
        {
            environment[name] = value;
        }

        var options = new LocalClusterOptions
        {
            Layout = ClusterLayout.Peers,
            Followers = settings.Nodes - 1,
            WriteQuorum = settings.Quorum,
            MinDelayMs = 0,
            MaxDelayMs = settings.MaxDelayMs,
            BasePort = FreePorts.FindConsecutive(settings.Nodes),
            DataDirectory = settings.DataDirectory ?? temporary,
            Fsync = "always",
            ExtraEnvironment = environment,
        };
        if (options.Validate() is { } problem)
        {
            throw new ArgumentException(problem);
        }

        var assembly = LocalCluster.DefaultNodeAssemblyPath;
        if (!File.Exists(assembly))
        {
            throw new ClusterStartException($"Node assembly not found: {assembly}. Build src/LeaderKv.Cli first.");
        }

        var (leader, followers) = NodeSpec.ForCluster(options);
        var specs = new[] { leader }.Concat(followers).ToList();
        var launcher = new NodeLauncher();
        var nodes = specs.Select(s => new VerifyNode(s.Name, s.Url, s)).ToList();
        var cluster = new VerifyCluster(nodes, options.ClusterSecret, launcher, assembly, temporary, nodeOutput);
        try
        {
            foreach (var node in nodes)
            {
                node.Attach(await NodeProcess.StartAsync(launcher, assembly, node.Spec!, nodeOutput));
            }

            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(token);
            deadline.CancelAfter(options.StartTimeout);
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            try
            {
                await Task.WhenAll(nodes.Select(n => n.Process!.WaitHealthyAsync(http, deadline.Token)));
            }
            catch (OperationCanceledException) when (!token.IsCancellationRequested)
            {
                throw new ClusterStartException($"Not every node was healthy within {options.StartTimeout.TotalSeconds:0} s.", nodes.Select(n => n.Process).FirstOrDefault(p => p is { IsHealthy: false }));
            }

            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>Running nodes: their ids come from their own /status.</summary>
    public static VerifyCluster ForTargets(IReadOnlyList<(string Id, Uri Url)> nodes, string? secret) =>
        new([.. nodes.Select(n => new VerifyNode(n.Id, n.Url, null))], secret, null, null, null, null);

    /// <summary>Starts a killed node again on its data directory (it recovers what it fsynced).</summary>
    public async Task RestartAsync(VerifyNode node)
    {
        if (_launcher is null || node.Spec is null || !node.IsKilled)
        {
            return;
        }

        node.Attach(await NodeProcess.StartAsync(_launcher, _nodeAssembly!, node.Spec, _output));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in Nodes)
        {
            node.Resume();
        }

        await Task.WhenAll(Nodes.Where(n => n.Process is not null && !n.IsKilled).Select(n => n.Process!.StopAsync(TimeSpan.FromSeconds(10))));
        _launcher?.Dispose();
        if (_temporary is not null)
        {
            try
            {
                Directory.Delete(_temporary, recursive: true);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Left in the system's temporary folder.
            }
        }
    }
}
