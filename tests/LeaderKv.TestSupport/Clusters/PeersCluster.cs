using System.Net.Http.Json;
using System.Text.Json;
using LeaderKv.Node;
using LeaderKv.Node.Configuration;
using LeaderKv.Node.Replication;
using LeaderKv.Node.Transport;
using LeaderKv.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LeaderKv.TestSupport.Clusters;

/// <summary>
/// A failover cluster (<c>PEERS</c> set on every node) hosted in the test process: real Kestrel
/// servers from <see cref="NodeHost.Build"/> on loopback ports, each with its own data
/// directory, and a <see cref="LinkCuts"/> between them for partitions. PEERS must name every URL
/// before any node starts, so the ports are chosen first (bound, read, released); if another
/// process takes one in between, the start is retried on fresh ports.
/// </summary>
public sealed class PeersCluster : IAsyncDisposable
{
    private const int StartAttempts = 3;

    private readonly PeersSpec _spec;
    private readonly TempDirectory _directory = new();
    private readonly NodeSettings[] _settings;
    private readonly WebApplication?[] _apps;

    private PeersCluster(PeersSpec spec, IReadOnlyList<int> ports)
    {
        _spec = spec;
        var peers = ports.Select((port, i) => new Peer(IdOf(i), new Uri($"http://127.0.0.1:{port}"))).ToList();
        Urls = [.. peers.Select(p => p.Url)];
        _settings = [.. peers.Select((peer, i) => new NodeSettings
        {
            Peers = peers,
            NodeId = peer.Id,
            Role = i == 0 ? NodeRole.Leader : NodeRole.Follower,
            Followers = [.. peers.Where(p => p != peer).Select(p => p.Url)],
            WriteQuorum = spec.WriteQuorum,
            DelayMin = TimeSpan.Zero,
            DelayMax = TimeSpan.Zero,
            WriteTimeout = spec.WriteTimeout,
            ElectionTimeout = spec.ElectionTimeout,
            HeartbeatInterval = spec.HeartbeatInterval,
            DelaySeed = spec.Seed + i,
            Durability = new DurabilitySettings { DataDirectory = Path.Combine(_directory.Path, peer.Id), Fsync = spec.Fsync },
        })];
        if (spec.Configure is { } configure)
        {
            _settings = [.. _settings.Select((settings, i) => configure(i, settings))];
        }

        _apps = new WebApplication?[spec.Nodes];
    }

    /// <summary>Upper bound on every wait: generous, because the CI machine is shared; the tests never wait for it to pass.</summary>
    public static TimeSpan Patience => TestCluster.Patience;

    public HttpClient Http { get; } = new() { Timeout = TestCluster.Patience };

    public LinkCuts Cuts { get; } = new();

    public IReadOnlyList<Uri> Urls { get; }

    public int Count => Urls.Count;

    public PeersSpec Spec => _spec;

    public static string IdOf(int node) => $"node-{node}";

    public static async Task<PeersCluster> StartAsync(PeersSpec spec)
    {
        for (var attempt = 1; ; attempt++)
        {
            var cluster = new PeersCluster(spec, FreePorts(spec.Nodes));
            try
            {
                for (var i = 0; i < spec.Nodes; i++)
                {
                    await cluster.StartNodeAsync(i);
                }

                return cluster;
            }
            catch (IOException) when (attempt < StartAttempts)
            {
                // A port was taken between choosing it and binding it: start over on fresh ports.
                await cluster.DisposeAsync();
            }
        }
    }

    public bool IsRunning(int node) => _apps[node] is not null;

    /// <summary>A service of a running node (its watch hub, say), for what the HTTP API does not show.</summary>
    public T Service<T>(int node)
        where T : notnull =>
        (_apps[node] ?? throw new InvalidOperationException($"{IdOf(node)} is not running")).Services.GetRequiredService<T>();

    public IEnumerable<int> Running => Enumerable.Range(0, Count).Where(IsRunning);

    /// <summary>A graceful stop, as on SIGTERM: the node saves its applied index and marks a clean shutdown.</summary>
    public async Task StopAsync(int node)
    {
        var app = _apps[node] ?? throw new InvalidOperationException($"{IdOf(node)} is not running");
        _apps[node] = null;
        await app.StopAsync();
        await app.DisposeAsync();
    }

    /// <summary>
    /// As close to kill -9 as a node in this process can get: the host is stopped with a token that is
    /// already cancelled, so no request is drained and no hosted service gets time to finish. It is
    /// not a real crash: the replica's loop still ends through its cancellation path and still closes
    /// its files; kill -9 proper is in LeaderKv.FaultTests. The loop is awaited before returning so
    /// that a restart never has two runs of a node writing one data directory.
    /// </summary>
    public async Task KillAsync(int node)
    {
        var app = _apps[node] ?? throw new InvalidOperationException($"{IdOf(node)} is not running");
        _apps[node] = null;
        var loop = app.Services.GetRequiredService<ReplicaDriver>().ExecuteTask;
        using var now = new CancellationTokenSource();
        await now.CancelAsync();
        try
        {
            await app.StopAsync(now.Token);
        }
        catch (OperationCanceledException)
        {
            // The point of the cancelled token.
        }

        if (loop is not null)
        {
            await loop.WaitAsync(Patience);
        }

        await app.DisposeAsync();
    }

    /// <summary>Starts a stopped node again: same settings, same port, same data directory.</summary>
    public async Task RestartAsync(int node)
    {
        if (IsRunning(node))
        {
            throw new InvalidOperationException($"{IdOf(node)} is running");
        }

        using var deadline = new CancellationTokenSource(Patience);
        while (true)
        {
            try
            {
                await StartNodeAsync(node);
                return;
            }
            catch (IOException) when (!deadline.IsCancellationRequested)
            {
                // The port of the previous run may linger for a moment.
                await Task.Delay(50);
            }
        }
    }

    /// <summary>Cuts every link between the given sets of nodes, both ways; links inside a set stay up.</summary>
    public void Partition(params int[][] sides)
    {
        for (var a = 0; a < sides.Length; a++)
        {
            for (var b = a + 1; b < sides.Length; b++)
            {
                Cuts.CutBetween(sides[a].Select(IdOf), sides[b].Select(IdOf));
            }
        }
    }

    /// <summary>Cuts <paramref name="node"/> off from every other node, both ways. Clients (this test) still reach it.</summary>
    public void Isolate(int node) => Partition([node], [.. Enumerable.Range(0, Count).Where(i => i != node)]);

    public void Heal() => Cuts.Heal();

    /// <summary>
    /// Holds every request between <paramref name="node"/> and the other nodes, both ways, until
    /// <see cref="Resume"/>: nothing fails, nothing arrives. Clients (this test) still reach it.
    /// </summary>
    public void Pause(int node) => Cuts.Hold(IdOf(node));

    /// <summary>Lets the held requests of <paramref name="node"/> go, late, and new ones flow again.</summary>
    public void Resume(int node) => Cuts.Release(IdOf(node));

    public Task<HttpResponseMessage> WriteAsync(int node, string key, object? value) =>
        Http.PostAsJsonAsync(new Uri(Urls[node], "/write"), new { key, value });

    public async Task<JsonElement> StatusAsync(int node) =>
        await Http.GetFromJsonAsync<JsonElement>(new Uri(Urls[node], "/status"));

    public async Task<Dictionary<string, JsonElement>> DataAsync(int node) =>
        (await Http.GetFromJsonAsync<Dictionary<string, JsonElement>>(new Uri(Urls[node], "/data")))!;

    /// <summary>The value of <paramref name="key"/> on <paramref name="node"/>, or null when it has none (404).</summary>
    public async Task<JsonElement?> ReadAsync(int node, string key)
    {
        using var response = await Http.GetAsync(new Uri(Urls[node], $"/kv/{Uri.EscapeDataString(key)}"));
        if (response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }

        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("value");
    }

    /// <summary>
    /// Waits until exactly one of <paramref name="among"/> (default: every running node) reports itself
    /// leader and done recovering, and returns it.
    /// </summary>
    public async Task<int> LeaderAsync(IEnumerable<int>? among = null)
    {
        var candidates = (among ?? Running).ToList();
        var leader = -1;
        await EventuallyAsync(
            async () =>
            {
                var leading = new List<int>();
                foreach (var node in candidates)
                {
                    if (await TryStatusAsync(node) is { } status
                        && status.GetProperty("role").GetString() == "leader" && !status.GetProperty("recovering").GetBoolean())
                    {
                        leading.Add(node);
                    }
                }

                leader = leading.Count == 1 ? leading[0] : -1;
                return leader >= 0;
            },
            $"exactly one leader among {string.Join(", ", candidates.Select(IdOf))}");
        return leader;
    }

    /// <summary>Waits until <paramref name="node"/> has applied exactly what <paramref name="leader"/> has committed, and holds the same data.</summary>
    public Task ConvergedAsync(int node, int leader) => EventuallyAsync(
        async () =>
        {
            if (await TryStatusAsync(leader) is not { } leading || await TryStatusAsync(node) is not { } status)
            {
                return false;
            }

            var commit = leading.GetProperty("commitIndex").GetInt64();
            return status.GetProperty("appliedThrough").GetInt64() == commit
                && leading.GetProperty("appliedThrough").GetInt64() == commit
                && status.GetProperty("leaderId").GetString() == IdOf(leader)
                && new JsonDataComparer().Equals(await DataAsync(node), await DataAsync(leader));
        },
        $"{IdOf(node)} to converge with the leader {IdOf(leader)}");

    /// <summary>The node's /status, or null while it cannot answer (stopping, starting).</summary>
    public async Task<JsonElement?> TryStatusAsync(int node)
    {
        if (!IsRunning(node))
        {
            return null;
        }

        try
        {
            return await StatusAsync(node);
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    public static Task EventuallyAsync(Func<Task<bool>> condition, string what) => TestCluster.EventuallyAsync(condition, what);

    public async ValueTask DisposeAsync()
    {
        Cuts.ReleaseAll();
        for (var i = 0; i < _apps.Length; i++)
        {
            if (_apps[i] is { } app)
            {
                _apps[i] = null;
                await app.StopAsync();
                await app.DisposeAsync();
            }
        }

        Http.Dispose();
        _directory.Dispose();
    }

    private async Task StartNodeAsync(int node)
    {
        var link = new CutLink(IdOf(node), Cuts);
        var app = NodeHost.Build(_settings[node], ["--urls", $"http://127.0.0.1:{Urls[node].Port}"], services =>
        {
            services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
            services.AddSingleton<PeerLink>(link);
        });
        try
        {
            await app.StartAsync();
        }
        catch
        {
            // Close its data directory before a retry opens it again.
            await app.DisposeAsync();
            throw;
        }

        _apps[node] = app;
    }

    private static List<int> FreePorts(int count)
    {
        var ports = new List<int>();
        while (ports.Count < count)
        {
            var port = TestCluster.FreePort();
            if (!ports.Contains(port))
            {
                ports.Add(port);
            }
        }

        return ports;
    }
}

/// <summary>The shape of a <see cref="PeersCluster"/>: short timers so that elections take well under a second.</summary>
public sealed record PeersSpec
{
    public int Nodes { get; init; } = 6;

    /// <summary>Follower acks per write (W); 0 turns automatic failover off.</summary>
    public int WriteQuorum { get; init; } = 2;

    public TimeSpan ElectionTimeout { get; init; } = TimeSpan.FromMilliseconds(300);

    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromMilliseconds(30);

    public TimeSpan WriteTimeout { get; init; } = TimeSpan.FromSeconds(5);

    public FsyncPolicy Fsync { get; init; } = FsyncPolicy.Always;

    /// <summary>Seeds each node's election-timeout randomness (node i gets Seed + i), so runs differ only by scheduling.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Changes node i's settings (a watch limit, one node's election timeout) after the spec's are applied.</summary>
    public Func<int, NodeSettings, NodeSettings>? Configure { get; init; }
}
