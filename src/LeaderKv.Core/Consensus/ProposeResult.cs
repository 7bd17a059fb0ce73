namespace LeaderKv.Core.Consensus;

public enum ProposeStatus
{
    /// <summary>In the log at <see cref="ProposeResult.Index"/>; its outcome comes later in a <see cref="Ready"/>.</summary>
    Accepted,

    /// <summary>Another node leads (<see cref="ProposeResult.LeaderId"/>).</summary>
    NotLeader,

    /// <summary>No leader is known: an election is under way.</summary>
    NoLeader,

    /// <summary>This node just won an election and is still recovering what its voters hold.</summary>
    Recovering,

    /// <summary>Fewer than W followers answered within an election timeout: the write could not commit.</summary>
    QuorumUnreachable,

    /// <summary>Too many writes are not yet committed.</summary>
    Overloaded,

    /// <summary>This node's disk is full: the write could not be logged (507).</summary>
    StorageFull,

    /// <summary>The write would take the table past <see cref="ClusterConfig.MaxDataBytes"/> (507); writes that shrink it are taken.</summary>
    QuotaExceeded,
}

/// <summary>What became of a proposal. Everything but <see cref="ProposeStatus.Accepted"/> is a rejection: nothing entered the log.</summary>
public readonly record struct ProposeResult(ProposeStatus Status, long Index, long Term, string? LeaderId)
{
    public bool IsAccepted => Status == ProposeStatus.Accepted;
}
