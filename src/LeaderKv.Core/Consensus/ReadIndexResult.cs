namespace LeaderKv.Core.Consensus;

public enum ReadIndexStatus
{
    /// <summary>Waiting for the confirmation round; the answer comes in a later <see cref="Ready"/>.</summary>
    Pending,

    /// <summary>
    /// Leadership confirmed by a round started after the read arrived: a read of the table once
    /// <see cref="ReadIndexResult.Index"/> is applied reflects every write answered committed before it.
    /// </summary>
    Confirmed,

    /// <summary>Another node leads (<see cref="ReadIndexResult.LeaderId"/>).</summary>
    NotLeader,

    /// <summary>No leader is known: an election is under way.</summary>
    NoLeader,

    /// <summary>This node just won an election and is still recovering: its read index is not known yet.</summary>
    Recovering,

    /// <summary>Too many reads are waiting for their confirmation round.</summary>
    Overloaded,

    /// <summary>The node stopped leading (a higher term, check-quorum) before the round confirmed it.</summary>
    LostLeadership,

    /// <summary>Too few nodes answered within an election timeout: a newer leader may exist.</summary>
    Unconfirmed,
}

/// <param name="RequestId">The caller's id, given to <see cref="Replica.RequestReadIndex"/>.</param>
/// <param name="Status">Pending, confirmed, or why the read cannot be served here.</param>
/// <param name="Index">The read index: serve the read once this node has applied it (when confirmed).</param>
/// <param name="Term">The term the read was asked in.</param>
/// <param name="LeaderId">The leader as far as this node knows (for a not-leader answer).</param>
public readonly record struct ReadIndexResult(long RequestId, ReadIndexStatus Status, long Index, long Term, string? LeaderId)
{
    public bool IsRefused => Status is not (ReadIndexStatus.Pending or ReadIndexStatus.Confirmed);
}
