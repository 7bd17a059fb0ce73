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

    public LeaderState(int followerCount, int quorum, long term, IDelaySource delays, ReplicationLimits? limits = null)
    {
        Invariant.Check(QuorumMath.IsValid(quorum, followerCount), $"invalid quorum {quorum} of {followerCount}");
        Limits = limits ?? ReplicationLimits.Default;
        Term = term;
        Quorum = quorum;
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

    public ReplicationLog Log { get; } = new();

    public KeyValueTable Table { get; } = new();

    public QuorumTracker Tracker { get; }

    public IReadOnlyList<FollowerProgress> Followers => _followers;

    /// <summary>
    /// Assigns the next index, applies the write locally and plans one delayed send per reachable
    /// follower. A follower known to be down is not sent to (it catches up later); it counts as a
    /// failure for this write's quorum at once, so a write that cannot reach its quorum fails fast.
    /// </summary>
    public Proposal Propose(string key, ReadOnlyMemory<byte> value)
    {
        var entry = Log.Append(Term, key, value);
        Table.Apply(entry);

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
            if (follower.IsDown)
            {
                var failed = Tracker.OnFailure(entry.Index, follower.Id);
                decision = failed.IsDecided ? failed : decision;
                continue;
            }

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

    /// <summary>Entries (or a heartbeat) to send a follower beyond the live stream; null when nothing is due.</summary>
    public CatchUpBatch? NextCatchUp(int follower, DateTimeOffset now)
    {
        var plan = _followers[follower].NextCatchUp(Log.LastIndex, Log.FirstIndex, now);
        if (plan is null)
        {
            return null;
        }

        var entries = plan.Count == 0 ? [] : Log.Read(plan.FromIndex, plan.Count, Limits.MaxBytesPerAppend);
        foreach (var entry in entries)
        {
            _followers[follower].MarkOutstanding(entry.Index);
        }

        return new CatchUpBatch(plan, entries);
    }
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

public sealed record CatchUpBatch(CatchUpPlan Plan, IReadOnlyList<LogEntry> Entries);
