namespace LeaderKv.Storage.State;

/// <summary>
/// What a node must never forget across a restart, or Paxos loses its safety: the highest term it
/// has seen, the vote (promise) it granted in that term, and the cluster it belongs to.
/// </summary>
/// <param name="Term">The node's current term. It never goes down.</param>
/// <param name="VotedFor">
/// The node id of the candidate this node granted its vote in <paramref name="Term"/>, or null
/// when it has not voted in that term. A node grants one vote per term.
/// </param>
/// <param name="VotedIncarnation">
/// The incarnation id the vote was granted to (a candidate draws one at every start, so a
/// restarted in-memory candidate is not mistaken for the one that got the vote). 0 without a vote.
/// </param>
/// <param name="ClusterFingerprint">
/// Hash of <c>PEERS</c> and <c>WRITE_QUORUM</c> that the data directory was created with, or null
/// until the node first records it. A node started with another configuration must refuse to run
/// on this directory: with another W its election quorum no longer meets the replication quorum
/// its data was committed with.
/// </param>
public sealed record HardState(long Term, string? VotedFor, long VotedIncarnation, string? ClusterFingerprint)
{
    /// <summary>A node that never saved anything: term 0, no vote, no cluster recorded.</summary>
    public static HardState Initial { get; } = new(0, null, 0, null);

    /// <summary>True when this state grants a vote in <see cref="Term"/>.</summary>
    public bool HasVote => VotedFor is not null;
}
