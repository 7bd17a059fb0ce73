using LeaderKv.Cli.Client;
using LeaderKv.Core;

namespace LeaderKv.Cli.Cluster;

/// <summary>One node of a local cluster: its name (NODE_ID), address and the environment it is configured by.</summary>
public sealed record NodeSpec(string Name, Uri Url, IReadOnlyDictionary<string, string> Environment)
{
    public bool IsLeader => Environment.TryGetValue("ROLE", out var role) && role == "leader";

    /// <summary>
    /// The leader and followers for <paramref name="options"/>, followers first in port order. With
    /// <see cref="ClusterLayout.Peers"/> the "leader" is node-0, the node that leads first.
    /// </summary>
    public static (NodeSpec Leader, IReadOnlyList<NodeSpec> Followers) ForCluster(LocalClusterOptions options) =>
        options.Layout == ClusterLayout.Peers ? ForPeers(options) : ForSeed(options);

    /// <summary>The id (NODE_ID and the name in PEERS) of node <paramref name="i"/> of the Peers layout, on port base + i.</summary>
    public static string PeerId(int i) => $"node-{i}";

    /// <summary>
    /// Every node gets the same PEERS (each id=url) and its own NODE_ID and DATA_DIR; node-0 is named
    /// leader for the cluster's first term. Quorum and delays go to every node, since any may lead.
    /// </summary>
    private static (NodeSpec Leader, IReadOnlyList<NodeSpec> Followers) ForPeers(LocalClusterOptions options)
    {
        if (options.DataDirectory is null)
        {
            throw new ArgumentException("The Peers layout needs a data directory on every node.", nameof(options));
        }

        var urls = Enumerable.Range(0, options.Followers + 1).Select(i => UrlFor(options, options.BasePort + i)).ToList();
        var peers = string.Join(',', urls.Select((url, i) => $"{PeerId(i)}={NodeAddress.Format(url)}"));
        var nodes = urls.Select((url, i) => new NodeSpec(
                PeerId(i),
                url,
                new Dictionary<string, string>(Storage(options, PeerId(i)))
                {
                    ["PEERS"] = peers,
                    ["NODE_ID"] = PeerId(i),
                    ["ROLE"] = i == 0 ? "leader" : "follower",
                    ["WRITE_QUORUM"] = Number(options.WriteQuorum),
                    ["MIN_DELAY"] = Number(options.MinDelayMs),
                    ["MAX_DELAY"] = Number(options.MaxDelayMs),
                    ["REPLICATION_MODE"] = ModeValue(options.Mode),
                    ["CLUSTER_SECRET"] = options.ClusterSecret,
                    ["ASPNETCORE_URLS"] = NodeAddress.Format(url),
                }))
            .ToList();
        return (nodes[0], nodes[1..]);
    }

    private static (NodeSpec Leader, IReadOnlyList<NodeSpec> Followers) ForSeed(LocalClusterOptions options)
    {
        var leaderUrl = UrlFor(options, options.BasePort);
        var followers = Enumerable.Range(1, options.Followers)
            .Select(i => new NodeSpec(
                $"follower-{i}",
                UrlFor(options, options.BasePort + i),
                new Dictionary<string, string>(Storage(options, $"follower-{i}"))
                {
                    ["ROLE"] = "follower",
                    ["NODE_ID"] = $"follower-{i}",
                    ["LEADER_URL"] = NodeAddress.Format(leaderUrl),
                    ["REPLICATION_MODE"] = ModeValue(options.Mode),
                    ["CLUSTER_SECRET"] = options.ClusterSecret,
                    ["ASPNETCORE_URLS"] = NodeAddress.Format(UrlFor(options, options.BasePort + i)),
                }))
            .ToList();

        var leader = new NodeSpec(
            "leader",
            leaderUrl,
            new Dictionary<string, string>(Storage(options, "leader"))
            {
                ["ROLE"] = "leader",
                ["NODE_ID"] = "leader",
                ["FOLLOWERS"] = string.Join(',', followers.Select(f => NodeAddress.Format(f.Url))),
                ["WRITE_QUORUM"] = options.WriteQuorum.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["MIN_DELAY"] = options.MinDelayMs.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["MAX_DELAY"] = options.MaxDelayMs.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["REPLICATION_MODE"] = ModeValue(options.Mode),
                ["CLUSTER_SECRET"] = options.ClusterSecret,
                ["ASPNETCORE_URLS"] = NodeAddress.Format(leaderUrl),
            });

        return (leader, followers);
    }

    /// <summary>The extra environment plus, with a data directory, the node's own sub-directory and fsync policy.</summary>
    private static Dictionary<string, string> Storage(LocalClusterOptions options, string node)
    {
        var environment = new Dictionary<string, string>(options.ExtraEnvironment);
        if (options.DataDirectory is { } root)
        {
            environment["DATA_DIR"] = Path.GetFullPath(Path.Combine(root, node));
            if (options.Fsync is { } fsync)
            {
                environment["FSYNC"] = fsync;
            }
        }

        return environment;
    }

    private static string Number(int value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static Uri UrlFor(LocalClusterOptions options, int port) => new($"http://{options.Host}:{port}/");

    private static string ModeValue(ReplicationMode mode) => mode switch
    {
        ReplicationMode.Ordered => "ordered",
        ReplicationMode.Unordered => "unordered",
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown replication mode."),
    };
}
