namespace LeaderKv.Cli.Cluster;

/// <summary>
/// A leader and its followers running as separate LeaderKv.Node processes on loopback. Used by
/// <c>leaderkv up</c> and by anything that needs a fresh cluster per run (benchmarks, tests).
/// </summary>
/// <remarks>
/// Stopping is idempotent and always ends with every node process gone: SIGTERM, a bounded grace
/// period, then SIGKILL. If the owning process dies without stopping the cluster, the kernel kills
/// the nodes (see <see cref="NodeLauncher"/>).
/// </remarks>
public sealed class LocalCluster : IAsyncDisposable
{
    private readonly LocalClusterOptions _options;
    private readonly NodeLauncher _launcher;
    private readonly List<NodeProcess> _nodes;
    private readonly string? _temporaryDataDirectory;
    // Never disposed: a SemaphoreSlim whose wait handle is never asked for holds no OS resource,
    // and keeping it alive lets StopAsync and DisposeAsync be called in any order, any number of times.
    private readonly SemaphoreSlim _stopLock = new(1, 1);
    private readonly string _nodeAssembly;
    private bool _stopped;

    private LocalCluster(LocalClusterOptions options, NodeLauncher launcher, List<NodeProcess> nodes, string? temporaryDataDirectory, string nodeAssembly)
    {
        _options = options;
        _nodeAssembly = nodeAssembly;
        _launcher = launcher;
        _nodes = nodes;
        _temporaryDataDirectory = temporaryDataDirectory;
    }

    /// <summary>
    /// The node started as leader: the seed layout's only leader, or node-0 of the Peers layout, which
    /// leads only until an election picks another (ask the nodes' /status who leads now).
    /// </summary>
    public NodeProcess Leader => _nodes[^1];

    /// <summary>Followers in port order: follower-1 first.</summary>
    public IReadOnlyList<NodeProcess> Followers => _nodes[..^1];

    /// <summary>Every node, followers first and the leader last (the order they were started in).</summary>
    public IReadOnlyList<NodeProcess> Nodes => _nodes;

    public Uri LeaderUrl => Leader.Url;

    public ClusterLayout Layout => _options.Layout;

    /// <summary>The directory the nodes keep their data under (each in DIR/&lt;node&gt;); null when they keep it in memory.</summary>
    public string? DataDirectory => _options.DataDirectory;

    /// <summary>True when <see cref="DataDirectory"/> was made for this cluster and is removed when it stops.</summary>
    public bool DataDirectoryIsTemporary => _temporaryDataDirectory is not null;

    /// <summary>True when the nodes die with this process even if it is killed (Linux with setpriv).</summary>
    public bool NodesDieWithParent => _launcher.TiesNodesToParent;

    /// <summary>The node assembly a cluster starts when <see cref="LocalClusterOptions.NodeAssemblyPath"/> is not set.</summary>
    public static string DefaultNodeAssemblyPath => Path.Combine(AppContext.BaseDirectory, "LeaderKv.Node.dll");

    /// <summary>
    /// Starts every node and returns once each answers <c>GET /health</c>. On failure (bad options, a node
    /// that exits, the start timeout) every node already started is stopped before the exception leaves.
    /// </summary>
    public static async Task<LocalCluster> StartAsync(LocalClusterOptions options, CancellationToken token)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Validate() is { } problem)
        {
            throw new ArgumentException(problem, nameof(options));
        }

        var nodeAssembly = options.NodeAssemblyPath ?? DefaultNodeAssemblyPath;
        if (!File.Exists(nodeAssembly))
        {
            throw new ClusterStartException($"Node assembly not found: {nodeAssembly}. Build src/LeaderKv.Cli first.");
        }

        // Every node of the Peers layout must keep its term and vote on disk; without a directory from
        // the caller, the cluster keeps them in a temporary one for its lifetime.
        string? temporary = null;
        if (options.Layout == ClusterLayout.Peers && options.DataDirectory is null)
        {
            temporary = Directory.CreateTempSubdirectory("leaderkv-").FullName;
            options = options with { DataDirectory = temporary };
        }

        var (leaderSpec, followerSpecs) = NodeSpec.ForCluster(options);
        var launcher = new NodeLauncher();
        var cluster = new LocalCluster(options, launcher, [], temporary, nodeAssembly);
        try
        {
            // Followers first: the leader replicates to them from its first write on.
            foreach (var spec in followerSpecs.Append(leaderSpec))
            {
                try
                {
                    cluster._nodes.Add(await NodeProcess.StartAsync(launcher, nodeAssembly, spec, options.NodeOutput)
                        .ConfigureAwait(false));
                }
                catch (System.ComponentModel.Win32Exception ex)
                {
                    throw new ClusterStartException($"Could not start {spec.Name} with {DotnetHost.Resolve()}: {ex.Message}", null, ex);
                }
            }

            await cluster.WaitHealthyAsync(token).ConfigureAwait(false);
            return cluster;
        }
        catch
        {
            await cluster.StopAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Stops every node (SIGTERM, then SIGKILL after the grace period) and waits until all are gone.</summary>
    public async Task StopAsync()
    {
        await _stopLock.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_stopped)
            {
                return;
            }

            // The leader first, so it stops sending to followers that are shutting down.
            foreach (var leader in _nodes.Where(n => n.Spec.IsLeader))
            {
                await leader.StopAsync(_options.StopTimeout).ConfigureAwait(false);
            }

            await Task.WhenAll(_nodes.Select(n => n.StopAsync(_options.StopTimeout))).ConfigureAwait(false);
            _launcher.Dispose();
            if (_temporaryDataDirectory is not null)
            {
                // Every node has exited, so nothing holds a file in it any more.
                try
                {
                    Directory.Delete(_temporaryDataDirectory, recursive: true);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    // Left in the system's temporary folder, which the OS cleans; stopping must not fail on it.
                }
            }

            _stopped = true;
        }
        finally
        {
            _stopLock.Release();
        }
    }

    /// <summary>kill -9 of one node (the dashboard's stop button): it stays down until <see cref="RestartAsync"/>.</summary>
    public Task<NodeProcess> KillAsync(string name) => ControlAsync(name, async node =>
    {
        await node.KillAsync().ConfigureAwait(false);
        return node;
    });

    /// <summary>SIGSTOP of one node: frozen, its sockets open, until <see cref="ResumeAsync"/>.</summary>
    public Task<NodeProcess> PauseAsync(string name) => ControlAsync(name, node =>
    {
        node.Pause();
        return Task.FromResult(node);
    });

    /// <summary>SIGCONT of one paused node.</summary>
    public Task<NodeProcess> ResumeAsync(string name) => ControlAsync(name, node =>
    {
        node.Resume();
        return Task.FromResult(node);
    });

    /// <summary>
    /// Stops one node if it still runs (SIGTERM, as <see cref="StopAsync"/>), starts it again with the
    /// same environment (port, data directory, PEERS), and returns the new process once it is healthy.
    /// </summary>
    public Task<NodeProcess> RestartAsync(string name, CancellationToken token) => ControlAsync(name, async node =>
    {
        await node.StopAsync(_options.StopTimeout).ConfigureAwait(false);
        var restarted = await NodeProcess.StartAsync(_launcher, _nodeAssembly, node.Spec, _options.NodeOutput).ConfigureAwait(false);
        _nodes[_nodes.IndexOf(node)] = restarted;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(token);
        deadline.CancelAfter(_options.StartTimeout);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        try
        {
            await restarted.WaitHealthyAsync(http, deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!token.IsCancellationRequested)
        {
            throw new ClusterStartException($"{name} was not healthy within {_options.StartTimeout.TotalSeconds:0} s of its restart.", restarted);
        }

        return restarted;
    });

    /// <summary>One control action at a time, and none once the cluster is stopping.</summary>
    private async Task<NodeProcess> ControlAsync(string name, Func<NodeProcess, Task<NodeProcess>> action)
    {
        await _stopLock.WaitAsync().ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_stopped, this);
            var node = _nodes.FirstOrDefault(n => n.Name == name) ?? throw new KeyNotFoundException($"No node is named '{name}'.");
            return await action(node).ConfigureAwait(false);
        }
        finally
        {
            _stopLock.Release();
        }
    }

    /// <summary>Same as <see cref="StopAsync"/>; safe to call more than once.</summary>
    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);

    private async Task WaitHealthyAsync(CancellationToken token)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(token);
        deadline.CancelAfter(_options.StartTimeout);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var waits = _nodes.Select(n => n.WaitHealthyAsync(http, deadline.Token)).ToList();
        try
        {
            // Fail fast: the first node that exits or times out cancels the others' polling.
            while (waits.Count > 0)
            {
                var done = await Task.WhenAny(waits).ConfigureAwait(false);
                waits.Remove(done);
                await done.ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (!token.IsCancellationRequested)
        {
            throw new ClusterStartException(
                $"Not every node was healthy within {_options.StartTimeout.TotalSeconds:0} s.",
                _nodes.FirstOrDefault(n => !n.IsHealthy));
        }
        finally
        {
            await deadline.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(waits.Select(w => w.ContinueWith(_ => { }, TaskScheduler.Default))).ConfigureAwait(false);
        }
    }
}
