using LeaderKv.Core.Consensus;

namespace LeaderKv.Core.Tests.Consensus;

/// <summary>Quorum arithmetic of DESIGN §3 for six nodes: E = max(N + 1 − W, majority), and the lease set N + 2 − E.</summary>
public class ElectionQuorumTests
{
    [Theory]
    [InlineData(1, 5)]
    [InlineData(2, 4)]
    [InlineData(3, 4)]
    [InlineData(5, 4)]
    [InlineData(0, 6)]
    public void Election_quorum_of_six_nodes_follows_the_write_quorum(int writeQuorum, int electionQuorum)
    {
        // Goal: the table of DESIGN §3. Method: the formula and the config that nodes use.
        Assert.Equal(electionQuorum, QuorumMath.ElectionQuorum(6, writeQuorum));
        var config = new ClusterConfig("n0", ["n1", "n2", "n3", "n4", "n5"], writeQuorum, FailoverMode.Automatic, "n0");
        Assert.Equal(electionQuorum, config.ElectionQuorum);
        Assert.Equal(7 - electionQuorum, config.LeaseQuorum);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void Every_election_quorum_meets_every_replication_quorum_and_every_other_election_quorum(int writeQuorum)
    {
        var config = new ClusterConfig("n0", ["n1", "n2", "n3", "n4", "n5"], writeQuorum, FailoverMode.Automatic, "n0");
        Assert.True(config.ElectionQuorum + config.ReplicationQuorum > config.Voters);
        Assert.True(2 * config.ElectionQuorum > config.Voters);
    }
}
