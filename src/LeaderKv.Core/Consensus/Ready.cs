namespace LeaderKv.Core.Consensus;

/// <summary>
/// What a replica wants done, taken with <see cref="Replica.TakeReady"/>. The driver carries it out
/// in this order and then calls <see cref="Replica.Advance"/>: (1) persist <see cref="HardState"/>
/// (fsynced whatever the FSYNC policy) and <see cref="Entries"/> and <see cref="Snapshot"/>;
/// (2) send <see cref="Messages"/>; (3) publish <see cref="Applied"/> and answer
/// <see cref="Outcomes"/>. Nothing may be sent before what precedes it is durable: a vote or an ack
/// that outlives the state it promised would break the protocol.
/// </summary>
public sealed class Ready
{
    public static Ready Empty { get; } = new();

    /// <summary>Term and vote to store, when they changed.</summary>
    public HardState? HardState { get; init; }

    /// <summary>Slots to log, each with the term it was accepted in; a later record for an index replaces an earlier one.</summary>
    public IReadOnlyList<LogEntry> Entries { get; init; } = [];

    /// <summary>A snapshot this node installed (from a leader or during recovery), to store before anything is sent.</summary>
    public SnapshotImage? Snapshot { get; init; }

    public IReadOnlyList<Message> Messages { get; init; } = [];

    /// <summary>Entries that became visible, in index order.</summary>
    public IReadOnlyList<LogEntry> Applied { get; init; } = [];

    /// <summary>
    /// What each applied entry did, in the same order: <c>Verdicts[i]</c> belongs to <c>Applied[i]</c>
    /// (and carries its index). A put or delete whose condition failed, or a replayed idempotency key,
    /// is applied with no effect; a watcher tells them apart here.
    /// </summary>
    public IReadOnlyList<WriteVerdict> Verdicts { get; init; } = [];

    public IReadOnlyList<WriteOutcome> Outcomes { get; init; } = [];

    /// <summary>Linearizable reads answered: confirmed at a read index (serve once it is applied), or refused.</summary>
    public IReadOnlyList<ReadIndexResult> Reads { get; init; } = [];

    /// <summary>Things an operator wants in the log: elections, step-downs, followers lost and back.</summary>
    public IReadOnlyList<ReplicaEvent> Events { get; init; } = [];

    public bool IsEmpty =>
        HardState is null && Entries.Count == 0 && Snapshot is null && Messages.Count == 0
        && Applied.Count == 0 && Outcomes.Count == 0 && Events.Count == 0 && Reads.Count == 0;
}

/// <summary>The state a node must never forget: its term and the vote it granted in it (to whom, and to which run of that node).</summary>
public readonly record struct HardState(long Term, string? VotedFor, long VotedIncarnation);

/// <summary>The outcomes of a write that got an index. (Writes rejected at once never get one: see <see cref="ProposeResult"/>.)</summary>
public enum WriteOutcomeKind
{
    /// <summary>On a replication quorum in the leader's term: survives every failure the configuration tolerates.</summary>
    Committed,

    /// <summary>The leader lost its leadership (or could no longer reach a quorum) first: the next leader may keep or drop it.</summary>
    Unknown,

    /// <summary>
    /// The leader could not log it (its disk is full) and took it out of its log before anyone saw it:
    /// nothing was written, a rejection like those of <see cref="ProposeResult"/>.
    /// </summary>
    NotLogged,
}

/// <param name="Index">The write's slot.</param>
/// <param name="Term">The term it was proposed in.</param>
/// <param name="Kind">Committed or unknown.</param>
/// <param name="Acks">Follower acks in that term when the outcome was decided.</param>
/// <param name="CompletingDelay">The simulated lag of the ack that completed the quorum (zero when none was needed).</param>
/// <param name="Verdict">
/// For a write with a condition or an idempotency key: what applying it did (such a write is answered
/// once it is committed and applied, in index order). Null for a plain write, answered when committed,
/// and for unknown outcomes.
/// </param>
public readonly record struct WriteOutcome(long Index, long Term, WriteOutcomeKind Kind, int Acks, TimeSpan CompletingDelay, WriteVerdict? Verdict = null);

public enum ReplicaEventKind
{
    BecameLeader,
    SteppedDown,
    StartedElection,
    LeaderRecovered,
    RecoveryFailed,
    FollowerDown,
    FollowerBack,
    FollowerDiskFull,
    TaintCleared,
    BestEffortRecovery,
    SnapshotSent,
    SnapshotInstalled,
}

public sealed record ReplicaEvent(ReplicaEventKind Kind, long Term, string? Peer = null, string? Detail = null);
