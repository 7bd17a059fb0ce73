using LeaderKv.Core.Consensus;
using LeaderKv.Core.Tests.Simulation;

namespace LeaderKv.Core.Tests.Consensus.ReadIndex;

/// <summary>
/// The linearizable read's confirmation round (DESIGN §3 "Reads"), message by message: a read is
/// confirmed only by current-term answers from N + 2 − E nodes to appends sent after it arrived,
/// at the read index max(recovered prefix, highest slot answered committed).
/// </summary>
public class ReadIndexRoundTests
{
    private static readonly string[] Followers = ["n1", "n2", "n3", "n4", "n5"];

    [Fact]
    public void A_read_is_confirmed_once_N_plus_2_minus_E_nodes_answer_appends_sent_after_it()
    {
        // Goal: W = 2 gives E = 4, so the leader and 2 followers must answer. Method: deliver the read
        // round's appends to one follower, then to a second, and watch for the confirmation.
        var cluster = LeaderWithOneCommittedWrite(writeQuorum: 2);
        var leader = cluster["n0"];
        Assert.Equal(3, leader.Config.LeaseQuorum);

        var asked = cluster.RequestRead("n0", requestId: 7);
        Assert.Equal(ReadIndexStatus.Pending, asked.Status);
        var round = cluster.InFlight.OfType<AppendRequest>().Where(a => a.ReadRound > 0).ToList();
        Assert.Equal(Followers.Length, round.Count);

        cluster.Deliver(round.Single(a => a.To == "n1"));
        cluster.DeliverWhile(m => m is AppendResponse);
        Assert.Empty(cluster.Reads);

        cluster.Deliver(round.Single(a => a.To == "n2"));
        cluster.DeliverWhile(m => m is AppendResponse);
        var (node, read) = Assert.Single(cluster.Reads);
        Assert.Equal("n0", node);
        Assert.Equal(ReadIndexStatus.Confirmed, read.Status);
        Assert.Equal(7, read.RequestId);
        Assert.Equal(leader.ReadIndex, read.Index);
        Assert.Equal(1, read.Index);
    }

    [Fact]
    public void Answers_to_appends_sent_before_the_read_arrived_do_not_confirm_it()
    {
        // Goal: an answer only proves leadership at the time its append was answered, so the round must
        // start after the read. Method: hold a heartbeat round back, ask for a read, then deliver the old
        // heartbeats and their answers: no confirmation; the read's own round then confirms it.
        var cluster = LeaderWithOneCommittedWrite(writeQuorum: 2);
        cluster.Tick("n0");
        var before = cluster.Take(m => m is AppendRequest);
        Assert.NotEmpty(before);

        cluster.RequestRead("n0", requestId: 1);
        var round = cluster.Take(m => m is AppendRequest { ReadRound: > 0 });
        foreach (var heartbeat in before)
        {
            cluster.Deliver(heartbeat);
        }

        cluster.DeliverWhile(m => m is AppendResponse);
        Assert.Empty(cluster.Reads);

        foreach (var append in round)
        {
            cluster.Deliver(append);
        }

        cluster.DeliverWhile(m => m is AppendResponse);
        Assert.Equal(ReadIndexStatus.Confirmed, Assert.Single(cluster.Reads).Read.Status);
    }

    [Fact]
    public void The_read_index_covers_a_write_answered_committed_above_a_lower_uncommitted_slot()
    {
        // Goal: the read waits for every write answered committed, not for the commit index as it is
        // (which can be lower) nor the last index (which would wait on unknown writes). Method: W = 1;
        // slot 2 commits and is answered while slot 1 has no acks yet.
        var cluster = new ScriptedCluster();
        foreach (var id in ScriptedCluster.Ids)
        {
            cluster.Start(ScriptedCluster.Automatic(id, writeQuorum: 1));
        }

        cluster.Tick("n0");
        cluster.DeliverWhile(_ => true);
        var first = cluster.Propose("n0", "a", "\"1\"");
        var second = cluster.Propose("n0", "b", "\"2\"");
        cluster.Take(m => m is AppendRequest append && append.Entries.Any(e => e.Index == first.Index));
        cluster.DeliverWhile(m => m is AppendRequest append && append.Entries.Any(e => e.Index == second.Index) || m is AppendResponse);
        Assert.Contains(cluster.Outcomes, o => o.Outcome.Index == second.Index && o.Outcome.Kind == WriteOutcomeKind.Committed);
        Assert.True(cluster["n0"].CommitIndex < second.Index);

        cluster.RequestRead("n0", requestId: 3);
        cluster.DeliverWhile(m => m is AppendRequest { ReadRound: > 0 } or AppendResponse);

        var read = Assert.Single(cluster.Reads).Read;
        Assert.Equal(ReadIndexStatus.Confirmed, read.Status);
        Assert.Equal(second.Index, read.Index);
    }

    [Fact]
    public void A_deposed_leader_cut_off_by_a_partition_never_confirms_a_read()
    {
        // Goal: the stale read DESIGN warns of. Method: n0 leads; the others elect n1 without it and
        // commit a newer write; n0 still believes it leads. Its read round reaches nobody (partition):
        // it is never confirmed, and fails once an election timeout passes. When the partition heals,
        // the newer term deposes it and a new read there is refused with the new leader's id.
        var cluster = LeaderWithOneCommittedWrite(writeQuorum: 2);
        cluster.DropAll();
        cluster.Elect("n1", ["n2", "n3", "n4", "n5"]);
        cluster.Propose("n1", "a", "\"newer\"");
        cluster.DeliverWhile(m => m.From != "n0" && m.To != "n0");
        Assert.True(cluster["n0"].IsLeader);
        Assert.True(cluster["n1"].Term > cluster["n0"].Term);

        Assert.Equal(ReadIndexStatus.Pending, cluster.RequestRead("n0", requestId: 9).Status);
        cluster.Take(m => m.From == "n0" || m.To == "n0");
        for (var tick = 0; tick <= cluster["n0"].Config.ElectionTicks && cluster.Reads.Count == 0; tick++)
        {
            cluster.Tick("n0");
            cluster.Take(m => m.From == "n0" || m.To == "n0");
        }

        var failed = Assert.Single(cluster.Reads).Read;
        Assert.True(failed.Status is ReadIndexStatus.Unconfirmed or ReadIndexStatus.LostLeadership, $"read answered {failed.Status}");

        cluster.Tick("n1");
        cluster.DeliverWhile(_ => true);
        var refused = cluster.RequestRead("n0", requestId: 10);
        Assert.Equal(ReadIndexStatus.NotLeader, refused.Status);
        Assert.Equal("n1", refused.LeaderId);
        Assert.DoesNotContain(cluster.Reads, r => r.Read.Status == ReadIndexStatus.Confirmed);
    }

    [Fact]
    public void A_deposed_leader_whose_round_reaches_a_newer_term_fails_the_read()
    {
        // Goal: an answer from a node that promised a higher term deposes the leader instead of confirming.
        var cluster = LeaderWithOneCommittedWrite(writeQuorum: 2);
        cluster.DropAll();
        cluster.Elect("n1", ["n2", "n3", "n4", "n5"]);
        cluster.DropAll();

        cluster.RequestRead("n0", requestId: 4);
        cluster.DeliverWhile(m => m.From == "n0" || m.To == "n0");

        var read = Assert.Single(cluster.Reads).Read;
        Assert.Equal(ReadIndexStatus.LostLeadership, read.Status);
        Assert.False(cluster["n0"].IsLeader);
    }

    [Fact]
    public void Reads_arriving_while_a_round_is_in_flight_wait_for_the_next_round()
    {
        // Goal: a read may not ride a round already on its way. Method: read A starts round 1; read B
        // arrives; round 1 confirms A only; B is confirmed by round 2, which starts right after.
        var cluster = LeaderWithOneCommittedWrite(writeQuorum: 2);
        cluster.RequestRead("n0", requestId: 1);
        var first = cluster.Take(m => m is AppendRequest { ReadRound: > 0 });
        cluster.RequestRead("n0", requestId: 2);
        Assert.DoesNotContain(cluster.InFlight, m => m is AppendRequest { ReadRound: > 0 });

        foreach (var append in first)
        {
            cluster.Deliver(append);
        }

        cluster.DeliverWhile(m => m is AppendResponse);
        Assert.Equal([1L], cluster.Reads.Select(r => r.Read.RequestId));

        cluster.DeliverWhile(m => m is AppendRequest { ReadRound: > 0 } or AppendResponse);
        Assert.Equal([1L, 2L], cluster.Reads.Select(r => r.Read.RequestId));
        Assert.All(cluster.Reads, r => Assert.Equal(ReadIndexStatus.Confirmed, r.Read.Status));
    }

    [Fact]
    public void A_follower_refuses_with_the_leader_and_a_lone_node_confirms_at_once()
    {
        var cluster = LeaderWithOneCommittedWrite(writeQuorum: 2);
        var refused = cluster.RequestRead("n3", requestId: 5);
        Assert.Equal(ReadIndexStatus.NotLeader, refused.Status);
        Assert.Equal("n0", refused.LeaderId);

        var alone = new ScriptedCluster();
        alone.Start(new ClusterConfig("solo", [], 0, FailoverMode.Manual, "solo"));
        alone.Tick("solo", 3);
        alone.DeliverWhile(_ => true);
        Assert.True(alone["solo"].IsLeader);
        Assert.Equal(ReadIndexStatus.Pending, alone.RequestRead("solo", requestId: 6).Status);
        Assert.Equal(ReadIndexStatus.Confirmed, Assert.Single(alone.Reads).Read.Status);
    }

    [Fact]
    public void A_leader_still_recovering_refuses_reads()
    {
        // Goal: until recovery ends the read index is not known. Method: win an election but hold the fetch back.
        // Slot 1 commits and is applied everywhere but on n1, which then must fetch it when it wins.
        var recovering = new ScriptedCluster();
        foreach (var id in ScriptedCluster.Ids)
        {
            recovering.Start(ScriptedCluster.Automatic(id, writeQuorum: 2));
        }

        recovering.Tick("n0");
        recovering.DeliverWhile(_ => true);
        recovering.Propose("n0", "a", "\"x\"");
        recovering.DeliverWhile(m => m.To != "n1");
        recovering.DropAll();
        foreach (var id in Followers)
        {
            recovering.Tick(id, 2 * recovering[id].Config.ElectionTicks);
        }

        recovering.DropAll();
        for (var i = 0; i < 100 && !recovering["n1"].IsLeader; i++)
        {
            recovering.Tick("n1");
            recovering.DeliverWhile(m => m is not FetchRequest && m.From != "n0" && m.To != "n0");
        }

        Assert.True(recovering["n1"].IsRecovering);
        Assert.Equal(ReadIndexStatus.Recovering, recovering.RequestRead("n1", requestId: 8).Status);
    }

    private static ScriptedCluster LeaderWithOneCommittedWrite(int writeQuorum)
    {
        var cluster = new ScriptedCluster();
        foreach (var id in ScriptedCluster.Ids)
        {
            cluster.Start(ScriptedCluster.Automatic(id, writeQuorum));
        }

        cluster.Tick("n0");
        cluster.DeliverWhile(_ => true);
        cluster.Propose("n0", "a", "\"old\"");
        cluster.DeliverWhile(_ => true);
        Assert.True(cluster["n0"].IsLeader);
        Assert.Equal(1, cluster["n0"].CommitIndex);
        return cluster;
    }
}
