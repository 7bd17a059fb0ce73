namespace LeaderKv.Core.Consensus;

/// <summary>
/// A leader's view of one follower in the current term: what it has applied (its v), which slots
/// are on their way to it, where catch-up continues, and when it last answered.
/// </summary>
public sealed class PeerProgress(string id, int position)
{
    private readonly Dictionary<long, long> _outstanding = [];

    public string Id { get; } = id;

    /// <summary>Bit position in the pending slots' ack masks.</summary>
    public int Position { get; } = position;

    /// <summary>The follower's applied index as it last reported it: everything ≤ it is visible there.</summary>
    public long AppliedThrough { get; internal set; }

    /// <summary>The highest index the follower acked in this term (received and, with a data directory, logged); it may have gaps below.</summary>
    public long HighestAcked { get; internal set; }

    /// <summary>The run of the follower's process that reported <see cref="AppliedThrough"/>; a new one starts from what it reports.</summary>
    public long Incarnation { get; internal set; }

    /// <summary>Tick of its last answer in this term; −1 when it has not answered.</summary>
    public long LastHeardTick { get; internal set; } = -1;

    public bool IsDown { get; internal set; }

    /// <summary>Its last answer said its disk is full: it answers, but acks nothing, so it counts toward no write quorum.</summary>
    public bool DiskFull { get; internal set; }

    public bool Tainted { get; internal set; }

    /// <summary>Where catch-up looks next for slots the follower lacks.</summary>
    internal long Next { get; set; } = 1;

    internal long SnapshotSentTick { get; set; } = -1;

    public int OutstandingCount => _outstanding.Count;

    internal bool IsOutstanding(long index) => _outstanding.ContainsKey(index);

    internal void MarkSent(long index, long tick) => _outstanding[index] = tick;

    internal bool Settle(long index) => _outstanding.Remove(index);

    /// <summary>Forgets sends older than <paramref name="deadline"/> so they go again; returns the lowest such index, or 0.</summary>
    internal long ExpireSentBefore(long deadline)
    {
        long lowest = 0;
        foreach (var (index, sent) in _outstanding)
        {
            if (sent < deadline)
            {
                lowest = lowest == 0 ? index : Math.Min(lowest, index);
            }
        }

        if (lowest != 0)
        {
            foreach (var index in _outstanding.Where(pair => pair.Value < deadline).Select(pair => pair.Key).ToList())
            {
                _outstanding.Remove(index);
            }
        }

        return lowest;
    }

    internal void Restart(long incarnation, long appliedThrough)
    {
        Incarnation = incarnation;
        AppliedThrough = appliedThrough;
        _outstanding.Clear();
        Next = appliedThrough + 1;
        SnapshotSentTick = -1;
        HighestAcked = 0;
        DiskFull = false;
    }
}
