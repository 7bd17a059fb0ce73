namespace LeaderKv.Core;

/// <summary>How a follower turns received entries into the state it serves.</summary>
public enum ReplicationMode
{
    /// <summary>Apply strictly in index order; an early arrival waits for the gap below it. Always converges.</summary>
    Ordered,

    /// <summary>The seed's behaviour, kept for teaching: apply each entry when it arrives, so reordered writes diverge.</summary>
    Unordered,
}
