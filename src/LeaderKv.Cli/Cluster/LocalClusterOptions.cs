using System.Security.Cryptography;
using LeaderKv.Core;

namespace LeaderKv.Cli.Cluster;

/// <summary>How the nodes of a local cluster learn about each other.</summary>
public enum ClusterLayout
{
    /// <summary>The seed's: a fixed leader (ROLE=leader, FOLLOWERS) and followers that never lead; no elections.</summary>
    Seed,

    /// <summary>Every node is given every node (PEERS) and a data directory; node-0 leads first and any node may be elected after.</summary>
    Peers,
}

/// <summary>
/// How to run a leader and its followers as node processes on one machine. The defaults are the
/// seed's docker-compose layout: five followers, WRITE_QUORUM=1, a delay of 0–1000 ms, ports 8000–8005,
/// no elections. <c>leaderkv up</c> asks for <see cref="ClusterLayout.Peers"/> unless told <c>--no-failover</c>;
/// the benchmark keeps the seed's layout, which its figures are for.
/// </summary>
public sealed record LocalClusterOptions
{
    /// <summary>The seed's fixed leader (the default) or PEERS with automatic failover.</summary>
    public ClusterLayout Layout { get; init; } = ClusterLayout.Seed;

    public int Followers { get; init; } = 5;

    /// <summary>Follower acks the leader waits for (WRITE_QUORUM); 0 answers after the local write.</summary>
    public int WriteQuorum { get; init; } = 1;

    public int MinDelayMs { get; init; }

    public int MaxDelayMs { get; init; } = 1000;

    /// <summary>The leader listens on this port, follower i on <c>BasePort + i</c>.</summary>
    public int BasePort { get; init; } = 8000;

    public ReplicationMode Mode { get; init; } = ReplicationMode.Ordered;

    /// <summary>Loopback only: a local cluster is for one machine, never for the network.</summary>
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>Bound on process start plus the first healthy answer from every node.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How long a node may take to exit after SIGTERM before its process tree is killed.</summary>
    public TimeSpan StopTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// More variables for every node, e.g. DELAY_SEED to replay a benchmark's delays or WRITE_TIMEOUT.
    /// The cluster's own settings (ROLE, FOLLOWERS, ports...) win over these.
    /// </summary>
    public IReadOnlyDictionary<string, string> ExtraEnvironment { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// The shared secret the leader signs replication with (CLUSTER_SECRET). A fresh random one per
    /// cluster, so nothing else on the machine can feed the followers writes.
    /// </summary>
    public string ClusterSecret { get; init; } = Convert.ToHexString(RandomNumberGenerator.GetBytes(32));

    /// <summary>
    /// A directory under which each node keeps its write-ahead log and snapshots (DATA_DIR), in a
    /// sub-directory named after the node; null keeps every node in memory, as the seed does. With
    /// <see cref="ClusterLayout.Peers"/> (where every node needs one) null means a temporary directory
    /// that <see cref="LocalCluster"/> creates and removes when it stops.
    /// </summary>
    public string? DataDirectory { get; init; }

    /// <summary>FSYNC for every node that keeps data (a <see cref="DataDirectory"/>, or the Peers layout): always, interval or never; null is the node's default (always).</summary>
    public string? Fsync { get; init; }

    /// <summary>LeaderKv.Node.dll; null means the copy next to this assembly (see the Cli project's reference).</summary>
    public string? NodeAssemblyPath { get; init; }

    /// <summary>Receives every line a node writes (node name, line); null keeps only a short tail for errors.</summary>
    public Action<string, string>? NodeOutput { get; init; }

    /// <summary>Returns the first problem with these options, or null when they are usable.</summary>
    public string? Validate()
    {
        if (Followers is < 0 or > QuorumMath.MaxFollowers)
        {
            return $"--followers must be between 0 and {QuorumMath.MaxFollowers} (got {Followers}).";
        }

        if (WriteQuorum < 0 || WriteQuorum > Followers)
        {
            return $"--quorum must be between 0 and the number of followers, {Followers} (got {WriteQuorum}).";
        }

        if (MinDelayMs < 0 || MaxDelayMs < 0)
        {
            return "--min-delay and --max-delay must not be negative.";
        }

        if (MinDelayMs > MaxDelayMs)
        {
            return $"--min-delay ({MinDelayMs}) must not exceed --max-delay ({MaxDelayMs}).";
        }

        if (DataDirectory is not null && Mode == ReplicationMode.Unordered)
        {
            return "--data-dir needs ordered mode: a snapshot cannot describe the state unordered mode builds.";
        }

        if (Layout == ClusterLayout.Peers && Mode == ReplicationMode.Unordered)
        {
            return "--mode unordered needs --no-failover: the seed's race has no log an election could merge.";
        }

        if (Fsync is not null && ((DataDirectory is null && Layout != ClusterLayout.Peers) || Fsync is not ("always" or "interval" or "never")))
        {
            return DataDirectory is null && Layout != ClusterLayout.Peers ? "--fsync needs --data-dir." : $"--fsync must be always, interval or never (got {Fsync}).";
        }

        if (BasePort < 1 || BasePort + Followers > 65535)
        {
            return $"--base-port {BasePort} leaves no room for {Followers + 1} ports below 65536.";
        }

        return null;
    }
}
