using System.Security.Cryptography;
using System.Text;
using LeaderKv.Core;
using LeaderKv.Core.Consensus;

namespace LeaderKv.Node.Configuration;

/// <summary>Who the node's peers are and how leadership moves: <c>PEERS</c>/<c>NODE_ID</c>, or the seed's fixed layout.</summary>
public sealed partial record NodeSettings
{
    /// <summary>Every node of a failover cluster by id (this one included), from <c>PEERS</c>; empty in the seed's layout.</summary>
    public IReadOnlyList<Peer> Peers { get; init; } = [];

    public bool HasPeers => Peers.Count > 0;

    /// <summary>How long a follower waits for a leader before it runs an election (randomised up to twice this).</summary>
    public TimeSpan ElectionTimeout { get; init; } = TimeSpan.FromMilliseconds(1000);

    /// <summary>How often the node's state machine ticks; a leader heartbeats every tick.</summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>A node with <c>PEERS</c> and no <c>DATA_DIR</c> may run; its forgotten votes can elect two leaders in one term.</summary>
    public bool UnsafeInMemoryFailover { get; init; }

    public FailoverMode Failover => HasPeers && WriteQuorum > 0 ? FailoverMode.Automatic : FailoverMode.Manual;

    /// <summary>Identifies PEERS and WRITE_QUORUM: nodes that disagree on them disagree on the quorums, so they refuse each other.</summary>
    public string? ClusterFingerprint => HasPeers
        ? Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(
            string.Join(',', Peers.OrderBy(p => p.Id, StringComparer.Ordinal).Select(p => $"{p.Id}={p.Url}")) + $";W={WriteQuorum}")))[..16]
        : null;

    /// <summary>The base URL of a node by id, or null when this node does not know it.</summary>
    public Uri? UrlOf(string? id)
    {
        if (id is null)
        {
            return null;
        }

        if (HasPeers)
        {
            return Peers.FirstOrDefault(p => string.Equals(p.Id, id, StringComparison.Ordinal))?.Url;
        }

        // The seed's layout: followers are known by URL, and a follower knows its leader only from LEADER_URL.
        return Uri.TryCreate(id, UriKind.Absolute, out var url) && url.Scheme.StartsWith("http", StringComparison.Ordinal) ? url : LeaderUrl;
    }

    /// <summary>The core's view of this node's cluster.</summary>
    public ClusterConfig ToClusterConfig()
    {
        var ticks = (int)Math.Max(2, Math.Round(ElectionTimeout / HeartbeatInterval));
        // An unanswered append is sent again only after its simulated lag and the request timeout have
        // both passed: resending sooner would let an undelayed copy overtake the delayed one.
        var retryTicks = (int)Math.Ceiling((DelayMax + Transport.PeerTransport.RequestTimeout) / HeartbeatInterval) + 1;
        string self;
        IReadOnlyList<string> peers;
        string? designated;
        if (HasPeers)
        {
            self = NodeId;
            peers = Peers.Where(p => !string.Equals(p.Id, NodeId, StringComparison.Ordinal)).Select(p => p.Id).ToList();
            designated = Role == NodeRole.Leader ? NodeId : null;
        }
        else
        {
            self = NodeId;
            peers = Role == NodeRole.Leader ? Followers.Select(f => f.ToString().TrimEnd('/')).ToList() : [];
            designated = Role == NodeRole.Leader ? NodeId : null;
        }

        return new ClusterConfig(self, peers, Role == NodeRole.Leader || HasPeers ? WriteQuorum : 0, Failover, designated)
        {
            ElectionTicks = ticks,
            HeartbeatTicks = 1,
            MaxDataBytes = MaxDataBytes,
            RetryTicks = retryTicks,
            LogTailEntries = Durability.LogTailEntries,
            ApplyOnArrival = Mode == ReplicationMode.Unordered,
        };
    }

    private static List<Peer> ParsePeers(string? text, List<string> errors)
    {
        var peers = new List<Peer>();
        if (string.IsNullOrWhiteSpace(text))
        {
            return peers;
        }

        foreach (var item in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var separator = item.IndexOf('=', StringComparison.Ordinal);
            var id = separator > 0 ? item[..separator].Trim() : string.Empty;
            var urlText = separator > 0 ? item[(separator + 1)..].Trim() : string.Empty;
            if (id.Length == 0 || !TryParseHttpUrl(urlText, out var url))
            {
                errors.Add($"PEERS contains '{item}'; every item must be id=url, e.g. node-0=http://leaderkv-0:8080.");
                continue;
            }

            if (peers.Any(p => string.Equals(p.Id, id, StringComparison.Ordinal)))
            {
                errors.Add($"PEERS names '{id}' twice.");
                continue;
            }

            peers.Add(new Peer(id, url));
        }

        if (peers.Count - 1 > QuorumMath.MaxFollowers)
        {
            errors.Add($"PEERS lists {peers.Count} nodes; at most {QuorumMath.MaxFollowers + 1} are supported.");
        }

        return peers;
    }

    private static void CheckCluster(NodeOptions options, List<Peer> peers, int quorum, ReplicationMode mode, bool durable, bool unsafeInMemory, List<string> errors)
    {
        if (peers.Count == 0)
        {
            return;
        }

        var nodeId = options.NodeId?.Trim();
        if (string.IsNullOrEmpty(nodeId) || !peers.Any(p => string.Equals(p.Id, nodeId, StringComparison.Ordinal)))
        {
            errors.Add($"NODE_ID must name this node's entry in PEERS ({string.Join(", ", peers.Select(p => p.Id))}), got '{nodeId}'.");
        }

        if (!string.IsNullOrWhiteSpace(options.Followers))
        {
            errors.Add("FOLLOWERS cannot be combined with PEERS: with PEERS every node's followers are the other peers.");
        }

        if (!QuorumMath.IsValid(quorum, peers.Count - 1))
        {
            errors.Add($"WRITE_QUORUM must be between 0 and the number of other PEERS ({peers.Count - 1}), got {quorum}.");
        }

        if (mode == ReplicationMode.Unordered)
        {
            errors.Add("REPLICATION_MODE=unordered cannot be combined with PEERS: arrival-order apply cannot be undone, so it cannot survive a change of leader.");
        }

        if (!durable && !unsafeInMemory)
        {
            errors.Add("PEERS requires DATA_DIR: a node that forgets a vote or an acknowledged write can elect two leaders or lose committed writes. Set DATA_DIR (or UNSAFE_ALLOW_IN_MEMORY_FAILOVER=true for experiments).");
        }
    }

    private static bool ParseBool(string name, string? text, List<string> errors)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case null or "" or "false" or "0":
                return false;
            case "true" or "1":
                return true;
            default:
                errors.Add($"{name} must be true or false, got '{text}'.");
                return false;
        }
    }
}

/// <summary>One node of a <c>PEERS</c> cluster.</summary>
public sealed record Peer(string Id, Uri Url);
