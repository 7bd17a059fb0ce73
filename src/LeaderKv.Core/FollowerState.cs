namespace LeaderKv.Core;

/// <summary>
/// A follower's replication state machine. Entries are acknowledged on receipt, whatever their
/// order; in <see cref="ReplicationMode.Ordered"/> mode they reach the served table strictly in
/// index order, so the table is always a prefix of the leader's history. Single-threaded: the
/// follower's driver serialises calls.
/// </summary>
public sealed class FollowerState(ReplicationMode mode, ReplicationLimits? limits = null)
{
    private readonly SortedDictionary<long, LogEntry> _early = [];
    private readonly ReplicationLimits _limits = limits ?? ReplicationLimits.Default;

    public ReplicationMode Mode { get; } = mode;

    /// <summary>The served table; replaced whole when a snapshot is installed.</summary>
    public KeyValueTable Table { get; private set; } = new();

    /// <summary>The highest n such that every entry ≤ n has been received and applied.</summary>
    public long AppliedThrough { get; private set; }

    /// <summary>The highest index ever received; above <see cref="AppliedThrough"/> while a gap is open.</summary>
    public long LastIndex { get; private set; }

    /// <summary>The newest leader term seen; entries from an older term would be refused once failover exists.</summary>
    public long Term { get; private set; }

    /// <summary>Entries received early and waiting for the gap below them to fill.</summary>
    public int PendingCount => _early.Count;

    /// <summary>
    /// Takes a batch in any order, with duplicates. Entries beyond the pending window are refused
    /// (not acknowledged); everything else is acknowledged and applied as far as the order allows.
    /// </summary>
    public ReceiveResult Receive(IReadOnlyList<LogEntry> entries)
    {
        var acceptedThrough = AppliedThrough + _limits.MaxPendingWindow;
        var applied = 0;
        var duplicates = 0;
        foreach (var entry in entries)
        {
            Invariant.Check(entry.Index > 0, $"entry index must be positive, got {entry.Index}");
            if (entry.Index > acceptedThrough)
            {
                continue;
            }

            Term = Math.Max(Term, entry.Term);
            if (entry.Index <= AppliedThrough || !_early.TryAdd(entry.Index, entry))
            {
                duplicates++;
                continue;
            }

            LastIndex = Math.Max(LastIndex, entry.Index);
            if (Mode == ReplicationMode.Unordered)
            {
                // The seed's race, on purpose: whatever arrives last wins, regardless of index.
                Table.Apply(entry);
                applied++;
            }
        }

        applied += DrainContiguous();
        return new ReceiveResult(AppliedThrough, acceptedThrough, applied, duplicates);
    }

    /// <summary>
    /// Replaces the served state with a snapshot of the leader's table as of
    /// <paramref name="appliedThrough"/> (snapshot transfer, or recovery from this node's own
    /// snapshot). Pending entries it covers are dropped and those right after it are applied. A
    /// snapshot no newer than what is already applied changes nothing: it may be a late duplicate.
    /// </summary>
    public ReceiveResult InstallSnapshot(KeyValueTable table, long appliedThrough, long term)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentOutOfRangeException.ThrowIfNegative(appliedThrough);
        if (appliedThrough <= AppliedThrough)
        {
            return new ReceiveResult(AppliedThrough, AppliedThrough + _limits.MaxPendingWindow, 0, 0);
        }

        Table = table;
        AppliedThrough = appliedThrough;
        LastIndex = Math.Max(LastIndex, appliedThrough);
        Term = Math.Max(Term, term);
        while (_early.Count > 0 && _early.First().Key <= appliedThrough)
        {
            _early.Remove(_early.First().Key);
        }

        var applied = DrainContiguous();
        return new ReceiveResult(AppliedThrough, AppliedThrough + _limits.MaxPendingWindow, applied, 0);
    }

    /// <summary>
    /// Moves the applied-through watermark over every entry that has become applicable. This is the
    /// one place that says what may be applied now: the next index, once it has arrived.
    /// </summary>
    private int DrainContiguous()
    {
        var applied = 0;
        while (_early.Remove(AppliedThrough + 1, out var next))
        {
            Invariant.Check(next.Index == AppliedThrough + 1, "apply must follow the watermark exactly");
            if (Mode == ReplicationMode.Ordered)
            {
                Table.Apply(next);
                applied++;
            }

            AppliedThrough = next.Index;
        }

        return applied;
    }
}

/// <summary>What a receive changed: the new watermark, the acknowledgement bound, and counts for metrics.</summary>
public readonly record struct ReceiveResult(long AppliedThrough, long AcceptedThrough, int Applied, int Duplicates);
