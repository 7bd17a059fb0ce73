namespace LeaderKv.Core.Consensus;

/// <summary>How leadership may move in a cluster.</summary>
public enum FailoverMode
{
    /// <summary><c>PEERS</c> set and W ≥ 1: any node runs an election when it hears no leader.</summary>
    Automatic,

    /// <summary>
    /// The seed's layout (no <c>PEERS</c>), or W = 0: only the designated node runs for leader, once at
    /// start and again when it loses its quorum; followers never time out. Another node leads only
    /// when an operator promotes it.
    /// </summary>
    Manual,
}

/// <summary>
/// What one replica knows of its cluster: itself, its peers (by node id), the write quorum and the
/// quorums and timeouts that follow from it. Immutable; every node of a cluster must agree on
/// <see cref="Voters"/> and <see cref="WriteQuorum"/> (the node fingerprints both in every message).
/// </summary>
public sealed record ClusterConfig
{
    public ClusterConfig(string self, IReadOnlyList<string> peers, int writeQuorum, FailoverMode failover, string? designatedLeader)
    {
        ArgumentException.ThrowIfNullOrEmpty(self);
        Invariant.Check(!peers.Contains(self), "the peer list must not contain the node itself");
        Invariant.Check(peers.Distinct(StringComparer.Ordinal).Count() == peers.Count, "peer ids must be unique");
        Invariant.Check(QuorumMath.IsValid(writeQuorum, peers.Count), $"invalid write quorum {writeQuorum} of {peers.Count} peers");
        Self = self;
        Peers = peers;
        WriteQuorum = writeQuorum;
        Failover = failover;
        DesignatedLeader = designatedLeader;
    }

    public string Self { get; }

    /// <summary>The other nodes, by id. A follower of the seed's layout knows none: it only answers.</summary>
    public IReadOnlyList<string> Peers { get; }

    /// <summary>W: follower acks a write needs on top of the leader's own (the seed's WRITE_QUORUM).</summary>
    public int WriteQuorum { get; }

    public FailoverMode Failover { get; }

    /// <summary>The node that leads first (ROLE=leader); in <see cref="FailoverMode.Manual"/> the only one that campaigns by itself.</summary>
    public string? DesignatedLeader { get; init; }

    /// <summary>Nodes in the cluster, N + 1.</summary>
    public int Voters => Peers.Count + 1;

    /// <summary>Q2 = W + 1: nodes that must hold a write in the leader's term for it to be committed.</summary>
    public int ReplicationQuorum => WriteQuorum + 1;

    /// <summary>
    /// E = max(N + 1 − W, majority): grants an election needs. E + Q2 &gt; N + 1, so every election
    /// quorum meets every replication quorum and the winner hears of every committed write; the
    /// majority floor makes two election quorums meet, so a term has at most one leader.
    /// </summary>
    public int ElectionQuorum
    {
        get => _electionQuorumOverride ?? QuorumMath.ElectionQuorum(Voters, WriteQuorum);

        // Tests only: lets the simulation break the quorum rule on purpose and show its checker notices.
        internal init => _electionQuorumOverride = value;
    }

    private readonly int? _electionQuorumOverride;

    /// <summary>
    /// N + 2 − E: the smallest set of nodes that meets every election quorum. A leader that hears
    /// fewer than this (itself included) may already have been replaced, so it steps down.
    /// </summary>
    public int LeaseQuorum => Voters + 1 - ElectionQuorum;

    /// <summary>Ticks without a leader before an election (randomised in [T, 2T)).</summary>
    public int ElectionTicks { get; init; } = 10;

    /// <summary>Ticks between a leader's heartbeats.</summary>
    public int HeartbeatTicks { get; init; } = 1;

    /// <summary>Ticks an unanswered append waits before its entries may be sent again.</summary>
    public int RetryTicks { get; init; } = 5;

    /// <summary>Entries proposed but not yet below the commit index; beyond it proposals are refused (503) so promises stay bounded.</summary>
    public int MaxUncommitted { get; init; } = 50_000;

    /// <summary>Entries at most in one append or one catch-up batch.</summary>
    public int MaxEntriesPerAppend { get; init; } = 1024;

    /// <summary>Entries at most on their way to one follower through catch-up (live sends not counted against it, but they hold it back).</summary>
    public int MaxCatchUpInFlight { get; init; } = 4096;

    /// <summary>Bytes at most in one append (the first entry always goes).</summary>
    public int MaxBytesPerAppend { get; init; } = 4 * 1024 * 1024;

    /// <summary>A follower holds at most this many slots above its applied index; later ones are refused, not acked.</summary>
    public long MaxPendingWindow { get; init; } = 1 << 20;

    /// <summary>
    /// MAX_DATA_BYTES: the leader refuses a write that would take its table (<see cref="KeyValueTable.Bytes"/>)
    /// past this; 0 means no quota. Writes that do not grow the table are always taken.
    /// </summary>
    public long MaxDataBytes { get; init; }

    /// <summary>Applied entries kept in memory for catch-up; older ones are compacted away (a follower that needs them gets a snapshot).</summary>
    public int LogTailEntries { get; init; } = 100_000;

    /// <summary>Expiry entries a leader proposes at most per call of <see cref="Replica.ExpireDue"/>: a burst of deadlines spreads over ticks.</summary>
    public int MaxExpiriesPerTick { get; init; } = 1000;

    /// <summary>How many idempotency records the table keeps and for how long; must be the same on every node (a constant outside tests).</summary>
    public IdempotencyLimits Idempotency { get; init; } = IdempotencyLimits.Default;

    /// <summary>
    /// The seed's race, kept for teaching (<c>REPLICATION_MODE=unordered</c>): a follower shows each
    /// entry the moment it arrives, so the last to arrive wins whatever its index. Single-term only.
    /// </summary>
    public bool ApplyOnArrival { get; init; }

    /// <summary>True when this node may start an election by itself when its timer runs out.</summary>
    public bool CampaignsOnTimeout => Failover == FailoverMode.Automatic;

    /// <summary>True when this node asks for votes as soon as it starts (the designated leader).</summary>
    public bool CampaignsAtStart => string.Equals(DesignatedLeader, Self, StringComparison.Ordinal);
}
