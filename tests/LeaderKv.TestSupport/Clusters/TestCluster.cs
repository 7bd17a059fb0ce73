using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using LeaderKv.Core;
using LeaderKv.Node;
using LeaderKv.Node.Configuration;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LeaderKv.TestSupport.Clusters;

/// <summary>
/// A leader and its followers as real Kestrel servers on ephemeral loopback ports inside the test
/// process: the same <see cref="NodeHost.Build"/> the node process runs, minus the process.
/// </summary>
public sealed class TestCluster : IAsyncDisposable
{
    /// <summary>Upper bound on any wait for replication in these tests; generous because CI machines are shared.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly List<WebApplication> _followerApps = [];
    private readonly ClusterSpec _spec;
    private WebApplication? _leaderApp;
    private NodeSettings _leaderSettings = null!;

    private TestCluster(ClusterSpec spec) => _spec = spec;

    public HttpClient Http { get; } = new() { Timeout = Patience };

    public Uri Leader { get; private set; } = null!;

    public List<Uri> Followers { get; } = [];

    public static async Task<TestCluster> StartAsync(ClusterSpec spec)
    {
        var cluster = new TestCluster(spec);
        for (var i = 0; i < spec.Followers; i++)
        {
            var (app, url) = await StartNodeAsync(FollowerSettings(spec, i, spec.Mode), spec.Services, port: 0, spec.FollowerTls);
            cluster._followerApps.Add(app);
            cluster.Followers.Add(url);
        }

        var leaderSettings = new NodeSettings
        {
            Role = NodeRole.Leader,
            Followers = cluster.Followers,
            WriteQuorum = spec.Quorum,
            DelayMin = spec.DelayMin,
            DelayMax = spec.DelayMax,
            Mode = spec.Mode,
            WriteTimeout = spec.WriteTimeout,
            DelaySeed = spec.DelaySeed,
            NodeId = "leader",
            Durability = spec.DurabilityFor("leader"),
            MaxDataBytes = spec.MaxDataBytes ?? NodeSettings.DefaultMaxDataBytes(),
            Security = spec.Security,
        };
        cluster._leaderSettings = leaderSettings;
        (cluster._leaderApp, cluster.Leader) = await StartNodeAsync(leaderSettings, spec.LeaderServices ?? spec.Services, port: 0);
        if (spec.WaitForLeader)
        {
            await cluster.WaitForLeaderAsync();
        }

        foreach (var dead in spec.DeadFollowers)
        {
            await cluster.StopFollowerAsync(dead);
        }

        return cluster;
    }

    /// <summary>Stops the leader and starts it again on the same port (and data directory, if it has one).</summary>
    public async Task RestartLeaderAsync()
    {
        await _leaderApp!.StopAsync();
        await _leaderApp.DisposeAsync();
        _leaderApp = null;
        (_leaderApp, _) = await StartNodeAsync(_leaderSettings, _spec.LeaderServices ?? _spec.Services, Leader.Port);
        await WaitForLeaderAsync();
    }

    /// <summary>The seed layout's leader serves writes once its recovery against the followers is done: /health says so.</summary>
    public Task WaitForLeaderAsync() => EventuallyAsync(
        async () =>
        {
            using var response = await Http.GetAsync(new Uri(Leader, "/health"));
            if (!response.IsSuccessStatusCode)
            {
                _spec.LeaderClock?.Advance(_leaderSettings.HeartbeatInterval);
            }

            return response.IsSuccessStatusCode;
        },
        "the leader to finish recovery and lead");

    /// <summary>Stops follower <paramref name="i"/> (its memory is lost, as with a crashed process).</summary>
    public async Task StopFollowerAsync(int i)
    {
        await _followerApps[i].StopAsync();
        await _followerApps[i].DisposeAsync();
        _followerApps[i] = null!;
    }

    /// <summary>Starts follower <paramref name="i"/> again on its address: empty, or from its data directory if the spec gives it one.</summary>
    public async Task RestartFollowerAsync(int i, ReplicationMode mode = ReplicationMode.Ordered)
    {
        var (app, _) = await StartNodeAsync(FollowerSettings(_spec, i, mode), null, Followers[i].Port, _spec.FollowerTls);
        _followerApps[i] = app;
    }

    public Task<HttpResponseMessage> WriteAsync(string key, object? value, Uri? node = null) =>
        Http.PostAsJsonAsync(new Uri(node ?? Leader, "/write"), new { key, value });

    public async Task<JsonElement> StatusAsync(Uri node) =>
        await Http.GetFromJsonAsync<JsonElement>(new Uri(node, "/status"));

    public async Task<Dictionary<string, JsonElement>> DataAsync(Uri node) =>
        (await Http.GetFromJsonAsync<Dictionary<string, JsonElement>>(new Uri(node, "/data")))!;

    /// <summary>Waits until <paramref name="condition"/> holds, polling observable state every 10 ms; fails after <see cref="Patience"/>.</summary>
    public static Task EventuallyAsync(Func<Task<bool>> condition, string what) =>
        Eventually.WaitUntilAsync(condition, Patience, what, pollInterval: TimeSpan.FromMilliseconds(10));

    /// <summary>Waits until every follower has applied everything the leader has.</summary>
    public async Task WaitForConvergenceAsync(IEnumerable<int>? followers = null)
    {
        var lastIndex = (await StatusAsync(Leader)).GetProperty("lastIndex").GetInt64();
        foreach (var i in followers ?? Enumerable.Range(0, Followers.Count))
        {
            await EventuallyAsync(
                async () =>
                {
                    // A leader on a fake clock heartbeats (and so tells followers its commit index) only when its clock moves.
                    _spec.LeaderClock?.Advance(_leaderSettings.HeartbeatInterval);
                    return (await StatusAsync(Followers[i])).GetProperty("appliedThrough").GetInt64() >= lastIndex;
                },
                $"follower {i + 1} to apply through index {lastIndex}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var app in _followerApps.Prepend(_leaderApp).OfType<WebApplication>())
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }

        Http.Dispose();
    }

    private static NodeSettings FollowerSettings(ClusterSpec spec, int i, ReplicationMode mode) => new()
    {
        Role = NodeRole.Follower,
        Mode = mode,
        NodeId = $"follower-{i + 1}",
        Durability = spec.DurabilityFor($"follower-{i + 1}"),
        Security = spec.FollowerSecurity ?? spec.Security,
    };

    /// <summary>Starts one node on 127.0.0.1; with <paramref name="tls"/>, over HTTPS configured the documented way (Kestrel:Certificates:Default).</summary>
    public static async Task<(WebApplication App, Uri Url)> StartNodeAsync(NodeSettings settings, Action<IServiceCollection>? services, int port, TestTls? tls = null)
    {
        string[] args = tls is null
            ? ["--urls", $"http://127.0.0.1:{port}"]
            : ["--urls", $"https://127.0.0.1:{port}", $"--Kestrel:Certificates:Default:Path={tls.PfxPath}", $"--Kestrel:Certificates:Default:Password={tls.Password}"];
        var app = NodeHost.Build(settings, args, collection =>
        {
            collection.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
            services?.Invoke(collection);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return (app, new Uri(address));
    }

    /// <summary>A port nothing listens on: bound, read, released. Connections to it are refused.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

public sealed record ClusterSpec
{
    public int Followers { get; init; } = 5;

    public int Quorum { get; init; } = 1;

    public TimeSpan DelayMin { get; init; } = TimeSpan.Zero;

    public TimeSpan DelayMax { get; init; } = TimeSpan.Zero;

    public int? DelaySeed { get; init; }

    public ReplicationMode Mode { get; init; } = ReplicationMode.Ordered;

    public TimeSpan WriteTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Followers listed in FOLLOWERS that are down once the cluster has started. They run until the
    /// leader has finished its start-up recovery (which needs an election quorum of them) and are
    /// stopped before the test begins, so their address refuses connections.
    /// </summary>
    public IReadOnlySet<int> DeadFollowers { get; init; } = new HashSet<int>();

    /// <summary>The leader's fake clock, when a test gives it one: waiting for the leader then moves it on, one heartbeat at a time, so the leader's ticks run.</summary>
    public Microsoft.Extensions.Time.Testing.FakeTimeProvider? LeaderClock { get; init; }

    /// <summary>Wait until the leader has run its start-up recovery and leads (false: the test watches that itself).</summary>
    public bool WaitForLeader { get; init; } = true;

    public Action<IServiceCollection>? Services { get; init; }

    public Action<IServiceCollection>? LeaderServices { get; init; }

    /// <summary>
    /// Storage for every node. With a <see cref="DurabilitySettings.DataDirectory"/>, each node gets
    /// its own sub-directory of it (as <c>up --data-dir</c> does); without, nodes stay in memory
    /// but the other settings (the leader's tail, for instance) still apply.
    /// </summary>
    public DurabilitySettings Durability { get; init; } = DurabilitySettings.InMemory;

    public DurabilitySettings DurabilityFor(string node) =>
        Durability.DataDirectory is { } root
            ? Durability with { DataDirectory = Path.Combine(root, node), FileSystem = FileSystems?.Invoke(node) ?? Durability.FileSystem }
            : Durability;

    /// <summary>Each node's file system by node name ("leader", "follower-1", …): a <c>StorageFaults</c> to fill its disk or fail its fsyncs.</summary>
    public Func<string, LeaderKv.Storage.Io.StorageFileSystem?>? FileSystems { get; init; }

    /// <summary>The leader's MAX_DATA_BYTES (default: the node's default).</summary>
    public long? MaxDataBytes { get; init; }

    /// <summary>Secret, keys and limits of every node (followers take <see cref="FollowerSecurity"/> when set).</summary>
    public SecuritySettings Security { get; init; } = new();

    public SecuritySettings? FollowerSecurity { get; init; }

    /// <summary>Followers serve HTTPS with this certificate (and the leader reaches them by https:// URLs).</summary>
    public TestTls? FollowerTls { get; init; }
}

/// <summary>A PKCS#12 file with a server certificate and its key, as an operator would hand it to Kestrel.</summary>
public sealed record TestTls(string PfxPath, string Password);
