namespace LeaderKv.Core.Consensus;

/// <summary>
/// Everything replicas say to each other. Every message carries the sender's <see cref="Term"/>:
/// a node never goes back to a lower term and answers a lower-term request with its own term.
/// Requests get exactly one response each; <see cref="RequestId"/> lets a transport that carries
/// a request and its response in one exchange (HTTP) match them. The core copies a request's id
/// into its response and never reads it otherwise.
/// </summary>
public abstract record Message
{
    public required string From { get; init; }

    public required string To { get; init; }

    public required long Term { get; init; }

    public long RequestId { get; init; }
}

/// <summary>
/// Leader → follower: entries (possibly none: a heartbeat) in the leader's term, and the leader's
/// commit index. <see cref="Delay"/> is the simulated network lag the transport waits before sending;
/// it never travels.
/// </summary>
public sealed record AppendRequest : Message
{
    public required IReadOnlyList<LogEntry> Entries { get; init; }

    public required long CommitIndex { get; init; }

    /// <summary>The leader's last index when it sent this: a tainted follower must reach it before its promises count again.</summary>
    public required long LeaderLastIndex { get; init; }

    public required long LeaderIncarnation { get; init; }

    /// <summary>The leader's latest linearizable-read round when it built this append (0: none); the follower echoes it.</summary>
    public long ReadRound { get; init; }

    public TimeSpan Delay { get; init; }
}

/// <summary>
/// Follower → leader. <see cref="Acked"/>: indexes now held (and logged) as accepted in
/// <see cref="Message.Term"/>. <see cref="Refused"/>: indexes not taken (beyond the pending window).
/// <see cref="Rejected"/>: the request's term was stale and nothing was taken.
/// </summary>
public sealed record AppendResponse : Message
{
    public required IReadOnlyList<long> Acked { get; init; }

    public IReadOnlyList<long> Refused { get; init; } = [];

    public required long AppliedThrough { get; init; }

    public required long Incarnation { get; init; }

    /// <summary>
    /// The leader run (<see cref="AppendRequest.LeaderIncarnation"/>) this answers. A leader counts only
    /// answers to its own run: late acks to a previous run of the same node, in the same term, are for
    /// values this run may never have proposed.
    /// </summary>
    public long LeaderIncarnation { get; init; }

    public bool Tainted { get; init; }

    /// <summary>The <see cref="AppendRequest.ReadRound"/> of the append this answers: confirms the leader's reads of that round.</summary>
    public long ReadRound { get; init; }

    /// <summary>
    /// Nothing was taken: the request's term was stale (then <see cref="Message.Term"/> is higher), or, in
    /// the same term, another run of the leader already led that term here.
    /// </summary>
    public bool Rejected { get; init; }

    /// <summary>
    /// The follower's disk is full: the indexes in <see cref="Refused"/> could not be logged, so they are
    /// not acked. The leader counts it toward no quorum and sends it no entries until an answer says
    /// otherwise; the follower keeps answering heartbeats, so it is not down.
    /// </summary>
    public bool DiskFull { get; init; }
}

/// <summary>"Would you vote for me in <see cref="Message.Term"/>?" — asked before the term is raised, so a node that cannot win never disturbs a working leader.</summary>
public sealed record PreVoteRequest : Message;

public sealed record PreVoteResponse : Message
{
    public required bool Granted { get; init; }
}

/// <summary>A candidate asks for a promise in <see cref="Message.Term"/>; <see cref="Incarnation"/> names this run of the candidate's process.</summary>
public sealed record VoteRequest : Message
{
    public required long Incarnation { get; init; }
}

/// <summary>
/// A vote. When <see cref="Granted"/>, it is a promise: the voter will accept nothing below
/// <see cref="Message.Term"/>, and it reports its applied index v and every slot it holds above v
/// with the term it accepted each in. A tainted voter's promise does not count toward the election.
/// </summary>
public sealed record VoteResponse : Message
{
    public required bool Granted { get; init; }

    public required long Incarnation { get; init; }

    public required long AppliedThrough { get; init; }

    public required IReadOnlyList<LogEntry> Held { get; init; }

    public bool Tainted { get; init; }
}

/// <summary>A new leader catching up: "send me your applied entries in [<see cref="FromIndex"/>, <see cref="ToIndex"/>]".</summary>
public sealed record FetchRequest : Message
{
    public required long FromIndex { get; init; }

    public required long ToIndex { get; init; }
}

/// <summary>Applied (so committed) entries from <see cref="FetchRequest.FromIndex"/> on, or a snapshot when they were compacted.</summary>
public sealed record FetchResponse : Message
{
    public required IReadOnlyList<LogEntry> Entries { get; init; }

    public SnapshotImage? Snapshot { get; init; }

    public bool Rejected { get; init; }
}

/// <summary>Leader → follower that needs entries the leader compacted: its whole table as of an applied index. Answered by <see cref="AppendResponse"/>.</summary>
public sealed record SnapshotRequest : Message
{
    public required SnapshotImage Snapshot { get; init; }

    public required long LeaderIncarnation { get; init; }
}

/// <summary>
/// A node's table as of <see cref="Index"/>: every entry ≤ it is applied (and so committed). Besides
/// the values it carries what the history decided that a new leader must remember: the idempotency
/// records (oldest first) and the table's clock.
/// </summary>
public sealed record SnapshotImage(long Index, IReadOnlyList<KeyValuePair<string, VersionedValue>> Entries)
{
    public IReadOnlyList<IdempotencyRecord> Idempotency { get; init; } = [];

    public long ClockMs { get; init; }

    public static SnapshotImage Of(KeyValueTable table, long index) => new(index, table.Entries.ToArray())
    {
        Idempotency = table.IdempotencyRecords.ToArray(),
        ClockMs = table.ClockMs,
    };

    public KeyValueTable ToTable(IdempotencyLimits? limits = null)
    {
        var table = new KeyValueTable(limits);
        foreach (var (key, value) in Entries)
        {
            table.Set(key, value);
        }

        foreach (var record in Idempotency)
        {
            table.RestoreIdempotency(record);
        }

        table.RestoreClock(ClockMs);
        return table;
    }
}
