namespace LeaderKv.Core.Consensus;

public enum ReplicaRole
{
    Follower,

    /// <summary>Asking whether an election could succeed, without raising the term.</summary>
    PreCandidate,

    Candidate,

    Leader,
}
