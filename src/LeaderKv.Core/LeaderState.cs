namespace LeaderKv.Core;

/// <summary>
/// The leader's replication state machine. It decides; the driver does the I/O. Every method is
/// synchronous and must be called under the driver's single lock. A write is: <see cref="Propose"/>
/// (index assigned, applied locally, sends planned) → the driver sends each planned entry after its
/// delay → <see cref="OnAppendSucceeded"/> / <see cref="OnAppendFailed"/> → quorum decisions.
/// </summary>
public sealed class LeaderState
{
    private readonly FollowerProgress[] _followers;
    private readonly IDelaySource _delays;

    /// <param name="followerCount">Followers replicated to.</param>
    /// <param name="quorum">Follower acks a write waits for.</param>
    /// <param name="term">The leader's epoch.</param>
    /// <param name="delays">The simulated per-follower lag.</param>
    /// <param name="limits">Bounds; <see cref="ReplicationLimits.Default"/> when null.</param>
    /// <param name="durableLog">
    /// True when the driver writes every entry to a write-ahead log: an entry may then be sent to
    /// followers only after <see cref="OnLogged"/> reports it written, so a leader that crashes
    /// never comes back with a shorter history than a follower holds.
    /// </param>
    public LeaderState(int followerCount, int quorum, long term, IDelaySource delays, ReplicationLimits? limits = null, bool durableLog = false)
    {
        Invariant.Check(QuorumMath.IsValid(quorum, followerCount), $"invalid quorum {quorum} of {followerCount}");
        Limits = limits ?? ReplicationLimits.Default;
        Term = term;
        Quorum = quorum;
        DurableLog = durableLog;
        Log = new ReplicationLog(Limits.LogTailEntries);
        _delays = delays;
        _followers = new FollowerProgress[followerCount];
        for (var i = 0; i < followerCount; i++)
        {
            _followers[i] = new FollowerProgress(i, Limits);
        }

        Tracker = new QuorumTracker(followerCount, quorum);
    }

    public long Term { get; }

    public int Quorum { get; }

    public ReplicationLimits Limits { get; }

    /// <summary>The newest entries (at most <see cref="ReplicationLimits.LogTailEntries"/>).</summary>
    public ReplicationLog Log { get; }

    public bool DurableLog { get; }

    /// <summary>Newest index that may be sent: every entry ≤ it is in the leader's write-ahead log (or, without one, simply exists).</summary>
    public long LoggedIndex { get; private set; }

    /// <summary>
    /// Oldest index the driver can read from its write-ahead log for catch-up, or 0 when it has no
    /// log or the log is empty. Entries between it and <see cref="ReplicationLog.FirstIndex"/> are
    /// planned as storage reads; anything older needs a snapshot transfer.
    /// </summary>
    public long StoredFirstIndex { get; private set; }

    public KeyValueTable Table { get; } = new();

    public QuorumTracker Tracker { get; }

    public IReadOnlyList<FollowerProgress> Followers => _followers;

    /// <summary>
    /// Assigns the next index, applies the write locally and plans one delayed send per follower.
    /// A follower believed down is sent to as well: "down" only paces catch-up retries, and a belief
    /// that is seconds old (a probe that failed while the follower was still starting) must not fail
    /// writes it could acknowledge. A follower that really is down refuses the send at once, which
    /// fails an unreachable quorum just as fast.
    /// </summary>
    public Proposal Propose(string key, ReadOnlyMemory<byte> value)
    {
        var entry = Log.Append(Term, key, value);
        Table.Apply(entry);
        if (!DurableLog)
        {
            LoggedIndex = entry.Index;
        }

        var delays = new TimeSpan[_followers.Length];
        for (var i = 0; i < _followers.Length; i++)
        {
            delays[i] = _delays.Next(i, entry.Index);
        }

        var waitsForQuorum = Quorum > 0;
        if (waitsForQuorum)
        {
            Tracker.Track(entry.Index, delays);
        }

        var sends = new List<PlannedSend>(_followers.Length);
        var decision = waitsForQuorum ? QuorumDecision.None : new QuorumDecision(entry.Index, QuorumOutcome.Met, 0, TimeSpan.Zero);
        foreach (var follower in _followers)
        {
            follower.MarkOutstanding(entry.Index);
            sends.Add(new PlannedSend(follower.Id, delays[follower.Id]));
        }

        return new Proposal(entry, sends, decision);
    }

    public IReadOnlyList<QuorumDecision> OnAppendSucceeded(int follower, IReadOnlyList<long> indexes, AppendReply reply, DateTimeOffset now)
    {
        var progress = _followers[follower];
        progress.OnSuccess(indexes, reply.AppliedThrough, reply.Incarnation, Log.LastIndex, now);
        var decisions = new List<QuorumDecision>();
        foreach (var index in indexes)
        {
            var decision = index <= reply.AcceptedThrough ? Tracker.OnAck(index, follower) : Tracker.OnFailure(index, follower);
            if (decision.IsDecided)
            {
                decisions.Add(decision);
            }
        }

        return decisions;
    }

    public IReadOnlyList<QuorumDecision> OnAppendFailed(int follower, IReadOnlyList<long> indexes, DateTimeOffset now)
    {
        _followers[follower].OnFailure(indexes, now);
        var decisions = new List<QuorumDecision>();
        foreach (var index in indexes)
        {
            var decision = Tracker.OnFailure(index, follower);
            if (decision.IsDecided)
            {
                decisions.Add(decision);
            }
        }

        return decisions;
    }

    /// <summary>
    /// The driver dropped the live send of <paramref name="index"/> to <paramref name="follower"/>
    /// because that follower's queue is full. The write's quorum is still open: the entry reaches
    /// the follower through catch-up, and its ack then counts as usual.
    /// </summary>
    public void OnSendDropped(int follower, long index) => _followers[follower].OnSendDropped(index);

    /// <summary>
    /// Entries (or a heartbeat) to send a follower beyond the live stream; null when nothing is due.
    /// Only logged entries are planned. When the entries are older than the in-memory tail the batch
    /// says <see cref="CatchUpBatch.FromStorage"/>: the driver reads them from its log and reports
    /// them with <see cref="MarkSending"/>. When they are older than the log too, the plan is a
    /// snapshot transfer, answered by <see cref="OnSnapshotInstalled"/> or <see cref="OnSnapshotFailed"/>.
    /// </summary>
    public CatchUpBatch? NextCatchUp(int follower, DateTimeOffset now)
    {
        var firstAvailable = StoredFirstIndex > 0 ? Math.Min(StoredFirstIndex, Log.FirstIndex) : Log.FirstIndex;
        var plan = _followers[follower].NextCatchUp(LoggedIndex, firstAvailable, now);
        if (plan is null || plan.Count == 0)
        {
            return plan is null ? null : new CatchUpBatch(plan, []);
        }

        if (plan.FromIndex < Log.FirstIndex)
        {
            return new CatchUpBatch(plan, [], FromStorage: true);
        }

        var entries = Log.Read(plan.FromIndex, plan.Count, Limits.MaxBytesPerAppend);
        MarkSending(follower, entries);
        return new CatchUpBatch(plan, entries);
    }

    /// <summary>Records that <paramref name="entries"/> (read from storage for a catch-up plan) are on their way to the follower.</summary>
    public void MarkSending(int follower, IReadOnlyList<LogEntry> entries)
    {
        foreach (var entry in entries)
        {
            Invariant.Check(entry.Index <= LoggedIndex, $"entry {entry.Index} sent before it was logged (logged through {LoggedIndex})");
            _followers[follower].MarkOutstanding(entry.Index);
        }
    }

    /// <summary>The write-ahead log holds every entry ≤ <paramref name="index"/>: they may now be sent.</summary>
    public void OnLogged(long index)
    {
        Invariant.Check(index <= Log.LastIndex, $"logged index {index} beyond the last proposed {Log.LastIndex}");
        if (DurableLog && StoredFirstIndex == 0 && index > LoggedIndex)
        {
            // A log that held nothing now starts with the first entry after what was logged before.
            StoredFirstIndex = LoggedIndex + 1;
        }

        LoggedIndex = Math.Max(LoggedIndex, index);
    }

    /// <summary>The write-ahead log now starts at <paramref name="firstIndex"/> (0: empty or none), after recovery or after old segments were deleted.</summary>
    public void OnStorageRetains(long firstIndex)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(firstIndex);
        StoredFirstIndex = firstIndex;
    }

    /// <summary>
    /// Rebuilds the state a durable leader had: the snapshot's table (if any), then every logged
    /// entry after it, which must be contiguous. The next write continues after the last entry, so
    /// no index is ever reused. Only on a fresh leader.
    /// </summary>
    public void Restore(KeyValueTable? snapshot, long snapshotIndex, IReadOnlyList<LogEntry> entries)
    {
        Invariant.Check(Log.LastIndex == 0 && Table.Count == 0, "restore only into a fresh leader");
        ArgumentOutOfRangeException.ThrowIfNegative(snapshotIndex);
        if (snapshot is not null)
        {
            foreach (var (key, value) in snapshot.Entries)
            {
                Table.Set(key, value);
            }
        }

        Log.ResetTo(snapshotIndex + 1);
        foreach (var entry in entries)
        {
            Invariant.Check(entry.Index == Log.LastIndex + 1, $"the leader's log has a gap: expected index {Log.LastIndex + 1}, found {entry.Index}");
            Log.Restore(entry);
            Table.Apply(entry);
        }

        LoggedIndex = Log.LastIndex;
    }

    public void OnSnapshotInstalled(int follower, AppendReply reply, DateTimeOffset now) =>
        _followers[follower].OnSnapshotInstalled(reply.AppliedThrough, reply.Incarnation, Log.LastIndex, now);

    public void OnSnapshotFailed(int follower, DateTimeOffset now) => _followers[follower].OnSnapshotFailed(now);
}

/// <summary>The outcome of proposing a write: its entry, the sends to make, and a decision if one is already known.</summary>
public sealed record Proposal(LogEntry Entry, IReadOnlyList<PlannedSend> Sends, QuorumDecision Decision);

/// <summary>Send an entry to follower <paramref name="Follower"/> after <paramref name="Delay"/> (the simulated lag).</summary>
public readonly record struct PlannedSend(int Follower, TimeSpan Delay);

/// <summary>
/// A follower's answer to an append: it acknowledges every sent entry with index ≤
/// <see cref="AcceptedThrough"/>, has applied everything ≤ <see cref="AppliedThrough"/>, and is the
/// run of the process named by <see cref="Incarnation"/>.
/// </summary>
public readonly record struct AppendReply(long AppliedThrough, long AcceptedThrough, long Incarnation);

/// <summary>
/// A catch-up decision: <see cref="Entries"/> to send, or (when <see cref="FromStorage"/>) the
/// plan's range to read from the write-ahead log first, or a heartbeat or snapshot plan.
/// </summary>
public sealed record CatchUpBatch(CatchUpPlan Plan, IReadOnlyList<LogEntry> Entries, bool FromStorage = false);
