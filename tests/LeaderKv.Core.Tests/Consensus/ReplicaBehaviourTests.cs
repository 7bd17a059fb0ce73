using System.Text;
using LeaderKv.Core.Consensus;
using LeaderKv.Core.Tests.Simulation;

namespace LeaderKv.Core.Tests.Consensus;

/// <summary>Single behaviours of the replication state machine, driven message by message.</summary>
public class ReplicaBehaviourTests
{
    [Fact]
    public void A_node_asks_for_pre_votes_without_raising_its_term_and_then_wins_an_election()
    {
        // Goal: pre-vote first (the term stays), votes in term + 1 only after E pre-votes. Method: six nodes, W = 2.
        var cluster = StartAutomatic(writeQuorum: 2);

        cluster.Tick("n0");

        Assert.Equal(ReplicaRole.PreCandidate, cluster["n0"].Role);
        Assert.Equal(0, cluster["n0"].Term);
        Assert.All(cluster.InFlight, m => Assert.IsType<PreVoteRequest>(m));
        cluster.DeliverWhile(m => m is PreVoteRequest or PreVoteResponse);
        Assert.Equal(ReplicaRole.Candidate, cluster["n0"].Role);
        Assert.Equal(1, cluster["n0"].Term);
        cluster.DeliverWhile(_ => true);
        Assert.True(cluster["n0"].IsLeader);
        Assert.False(cluster["n0"].IsRecovering);
    }

    [Fact]
    public void A_leader_that_sees_a_higher_term_steps_down_and_answers_its_waiting_writes_unknown()
    {
        var cluster = StartAutomatic(writeQuorum: 2);
        cluster.Tick("n0");
        cluster.DeliverWhile(_ => true);
        var write = cluster.Propose("n0", "a", "\"x\"");
        cluster.DropAll();

        cluster.Deliver(new VoteRequest { From = "n3", To = "n0", Term = 7, Incarnation = 3 });

        Assert.False(cluster["n0"].IsLeader);
        Assert.Equal(7, cluster["n0"].Term);
        Assert.Contains(cluster.Outcomes, o => o.Outcome.Index == write.Index && o.Outcome.Kind == WriteOutcomeKind.Unknown);
        Assert.DoesNotContain(cluster.Outcomes, o => o.Outcome.Kind == WriteOutcomeKind.Committed);
    }

    [Fact]
    public void A_follower_does_not_apply_an_older_term_entry_under_the_commit_index_until_the_leader_re_sends_it()
    {
        var cluster = new ScriptedCluster();
        var follower = cluster.Start(ScriptedCluster.Automatic("n1", writeQuorum: 2));
        var old = new LogEntry(1, 1, "a", Encoding.UTF8.GetBytes("\"x\""));
        cluster.Deliver(new AppendRequest { From = "n0", To = "n1", Term = 1, Entries = [old], CommitIndex = 0, LeaderLastIndex = 1, LeaderIncarnation = 1 });

        cluster.Deliver(new AppendRequest { From = "n2", To = "n1", Term = 2, Entries = [], CommitIndex = 1, LeaderLastIndex = 1, LeaderIncarnation = 2 });
        Assert.Equal(0, follower.AppliedThrough);

        // The same value re-sent in term 2 is re-stamped, and then it may be applied.
        cluster.Deliver(new AppendRequest { From = "n2", To = "n1", Term = 2, Entries = [old], CommitIndex = 1, LeaderLastIndex = 1, LeaderIncarnation = 2 });
        Assert.Equal(1, follower.AppliedThrough);
        Assert.True(follower.Log.TryGet(1, out var held) && held.Term == 2);
    }

    [Fact]
    public void A_tainted_promise_does_not_count_toward_the_election_quorum()
    {
        // Goal: a node that lost state may vote, but its promise is not counted. Method: W = 2 (E = 4);
        // n1 campaigns with n2, n3 and a tainted n4 (three counted): no win; once n5 answers, it wins.
        var cluster = new ScriptedCluster();
        foreach (var id in ScriptedCluster.Ids)
        {
            cluster.Start(
                ScriptedCluster.Automatic(id, writeQuorum: 2),
                id == "n4" ? new RecoveredReplica(default, null, [], Tainted: true, KeptVotes: true) : null);
        }

        string[] first = ["n1", "n2", "n3", "n4"];
        for (var i = 0; i < 60; i++)
        {
            cluster.Tick("n1");
            cluster.DeliverWhile(m => first.Contains(m.From) && first.Contains(m.To));
            cluster.InFlight.RemoveAll(m => !(first.Contains(m.From) && first.Contains(m.To)));
        }

        Assert.False(cluster["n1"].IsLeader);
        Assert.True(cluster["n1"].Term >= 1);

        string[] all = ["n1", "n2", "n3", "n4", "n5"];
        for (var i = 0; i < 60 && !cluster["n1"].IsLeader; i++)
        {
            cluster.Tick("n1");
            cluster.DeliverWhile(m => all.Contains(m.From) && all.Contains(m.To));
            cluster.InFlight.RemoveAll(m => !(all.Contains(m.From) && all.Contains(m.To)));
        }

        Assert.True(cluster["n1"].IsLeader);
    }

    [Fact]
    public void A_promoted_node_leads_without_an_election_quorum_keeps_what_its_voters_hold_and_commits_new_writes()
    {
        // Goal: manual failover when too few nodes survive to elect (W = 1: E = 5 of 6, and 3 are gone).
        // Method: a write committed on every node, then n0, n1 and n2 vanish; a normal election can
        // no longer win, so n3 is promoted: it leads with the promises of n4 and n5 after an election
        // timeout, still shows the committed write, and a new write commits with one follower's ack.
        var cluster = StartAutomatic(writeQuorum: 1);
        cluster.Tick("n0");
        cluster.DeliverWhile(_ => true);
        Assert.True(cluster.Propose("n0", "a", "\"x\"").IsAccepted);
        cluster.DeliverWhile(_ => true);
        cluster.Tick("n0");
        cluster.DeliverWhile(_ => true);
        Assert.Equal("\"x\"", ScriptedCluster.ValueAt(cluster["n3"], "a"));

        string[] gone = ["n0", "n1", "n2"];
        bool Alive(Message m) => !gone.Contains(m.From) && !gone.Contains(m.To);
        cluster.DropAll();
        cluster["n3"].Promote();
        for (var tick = 0; tick < 3 * cluster["n3"].Config.ElectionTicks && !(cluster["n3"].IsLeader && !cluster["n3"].IsRecovering); tick++)
        {
            cluster.Tick("n3");
            cluster.DeliverWhile(Alive);
            cluster.InFlight.RemoveAll(m => !Alive(m));
        }

        Assert.True(cluster["n3"].IsLeader && !cluster["n3"].IsRecovering);
        Assert.Equal("\"x\"", ScriptedCluster.ValueAt(cluster["n3"], "a"));
        var next = cluster.Propose("n3", "b", "\"y\"");
        Assert.True(next.IsAccepted);
        cluster.DeliverWhile(Alive);
        Assert.Contains(cluster.Outcomes, o => o.Node == "n3" && o.Outcome.Index == next.Index && o.Outcome.Kind == WriteOutcomeKind.Committed);
    }

    private static ScriptedCluster StartAutomatic(int writeQuorum)
    {
        var cluster = new ScriptedCluster();
        foreach (var id in ScriptedCluster.Ids)
        {
            cluster.Start(ScriptedCluster.Automatic(id, writeQuorum));
        }

        return cluster;
    }
}
