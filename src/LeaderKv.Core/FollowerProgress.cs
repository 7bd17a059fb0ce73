namespace LeaderKv.Core;

/// <summary>
/// The leader's view of one follower: how far it has applied (<see cref="MatchIndex"/>), which
/// entries are on their way to it, and whether it is reachable. It decides when entries must be
/// sent again, which is what makes one lost send — or a follower that restarted empty — heal
/// without anyone noticing: "retry" and "catch-up" are the same rule.
/// </summary>
public sealed class FollowerProgress(int id, ReplicationLimits limits)
{
    private readonly HashSet<long> _outstanding = [];
    private DateTimeOffset _retryAt = DateTimeOffset.MinValue;
    private DateTimeOffset _lastContact = DateTimeOffset.MinValue;
    private DateTimeOffset _caughtUpAt = DateTimeOffset.MinValue;
    private bool _probeInFlight;
    private bool _snapshotInFlight;

    public int Id { get; } = id;

    /// <summary>The follower's applied-through index as it last reported it: every entry ≤ this is applied there.</summary>
    public long MatchIndex { get; private set; }

    /// <summary>Identifies one run of the follower process; a new value means it restarted and lost what was in memory.</summary>
    public long Incarnation { get; private set; }

    public int ConsecutiveFailures { get; private set; }

    public bool IsDown => ConsecutiveFailures > 0;

    /// <summary>Entries scheduled (waiting out their simulated delay) or in flight to this follower.</summary>
    public int OutstandingCount => _outstanding.Count;

    public bool IsOutstanding(long index) => _outstanding.Contains(index);

    public void MarkOutstanding(long index) => _outstanding.Add(index);

    /// <summary>
    /// A planned send that the driver could not queue (the follower's live queue is full). The entry
    /// is no longer on its way, so catch-up resends it from the log once the follower keeps up.
    /// </summary>
    public void OnSendDropped(long index) => _outstanding.Remove(index);

    public FollowerStatus Status(long lastIndex)
    {
        if (_snapshotInFlight)
        {
            return FollowerStatus.Snapshot;
        }

        if (IsDown)
        {
            return FollowerStatus.Down;
        }

        return lastIndex - MatchIndex > _outstanding.Count ? FollowerStatus.CatchingUp : FollowerStatus.Streaming;
    }

    /// <summary>How long the follower has been behind the leader, or zero when it has everything.</summary>
    public TimeSpan Lag(long lastIndex, DateTimeOffset now) =>
        MatchIndex >= lastIndex || _caughtUpAt == DateTimeOffset.MinValue ? TimeSpan.Zero : now - _caughtUpAt;

    /// <summary>Records a successful append: the follower reported <paramref name="appliedThrough"/>.</summary>
    public void OnSuccess(IReadOnlyList<long> indexes, long appliedThrough, long incarnation, long lastIndex, DateTimeOffset now)
    {
        foreach (var index in indexes)
        {
            _outstanding.Remove(index);
        }

        if (incarnation != Incarnation)
        {
            // A restarted follower may have lost everything: trust what it reports now, even if lower.
            Incarnation = incarnation;
            MatchIndex = appliedThrough;
        }
        else
        {
            // Responses to concurrent appends can arrive out of order; an older, lower report is stale.
            MatchIndex = Math.Max(MatchIndex, appliedThrough);
        }

        ConsecutiveFailures = 0;
        _probeInFlight = false;
        _lastContact = now;
        if (MatchIndex >= lastIndex || _caughtUpAt == DateTimeOffset.MinValue)
        {
            _caughtUpAt = now;
        }
    }

    public void OnFailure(IReadOnlyList<long> indexes, DateTimeOffset now)
    {
        foreach (var index in indexes)
        {
            _outstanding.Remove(index);
        }

        ConsecutiveFailures++;
        _probeInFlight = false;
        _retryAt = now + limits.Backoff(ConsecutiveFailures);
    }

    /// <summary>The snapshot transfer ended with the follower reporting its new watermark.</summary>
    public void OnSnapshotInstalled(long appliedThrough, long incarnation, long lastIndex, DateTimeOffset now)
    {
        _snapshotInFlight = false;
        OnSuccess([], appliedThrough, incarnation, lastIndex, now);
    }

    /// <summary>The snapshot transfer failed: back off, then plan again (possibly another snapshot).</summary>
    public void OnSnapshotFailed(DateTimeOffset now)
    {
        _snapshotInFlight = false;
        OnFailure([], now);
    }

    /// <summary>
    /// What to send beyond the live stream: entries the follower is missing that are not already on
    /// their way (a gap after a failed send, or everything after a restart), or an empty heartbeat to
    /// probe a down follower or an idle one. Null when nothing is due. The caller marks what it
    /// actually sends as outstanding, so one catch-up batch is in flight at a time. A snapshot plan
    /// holds further catch-up until <see cref="OnSnapshotInstalled"/> or <see cref="OnSnapshotFailed"/>.
    /// </summary>
    /// <param name="lastIndex">Newest index that may be sent (on a durable leader: the newest logged one).</param>
    /// <param name="firstIndex">Oldest index the leader can still send as an entry (memory or log).</param>
    /// <param name="now">The driver's clock.</param>
    public CatchUpPlan? NextCatchUp(long lastIndex, long firstIndex, DateTimeOffset now)
    {
        if (_probeInFlight || _snapshotInFlight || (IsDown && now < _retryAt))
        {
            return null;
        }

        var from = MatchIndex + 1;
        if (from <= lastIndex && !_outstanding.Contains(from))
        {
            if (from < firstIndex)
            {
                _snapshotInFlight = true;
                return new CatchUpPlan(from, 0, NeedsSnapshot: true);
            }

            var count = 0;
            while (count < limits.MaxEntriesPerAppend && from + count <= lastIndex && !_outstanding.Contains(from + count))
            {
                count++;
            }

            return new CatchUpPlan(from, count, NeedsSnapshot: false);
        }

        var idleTooLong = now - _lastContact >= limits.HeartbeatInterval;
        if ((IsDown || idleTooLong) && _outstanding.Count == 0)
        {
            _probeInFlight = true;
            return new CatchUpPlan(from, 0, NeedsSnapshot: false);
        }

        return null;
    }
}

/// <summary>A range of entries to resend, an empty probe (Count 0), or a follower too far behind the leader's log (snapshot transfer).</summary>
public sealed record CatchUpPlan(long FromIndex, int Count, bool NeedsSnapshot)
{
    public bool IsHeartbeat => Count == 0 && !NeedsSnapshot;
}

public enum FollowerStatus
{
    Streaming,
    CatchingUp,

    /// <summary>Too far behind the leader's log: a snapshot of the whole table is being transferred.</summary>
    Snapshot,
    Down,
}
