using System.Text;
using LeaderKv.Core.Consensus;
using LeaderKv.Core.Tests.Simulation;

namespace LeaderKv.Core.Tests.Kv;

/// <summary>
/// Deletes, compare-and-set, idempotent retries and expiry through real replicas, message by message:
/// a conditional write is answered once applied with the verdict every node reaches; a retry with the
/// same idempotency key is never written twice, across a leader change too; the leader's clock decides
/// expiry and a new leader expires what is due.
/// </summary>
public class KvReplicaTests
{
    private static readonly string[] AllButN0 = ["n1", "n2", "n4", "n5"];

    [Fact]
    public void Two_compare_and_sets_on_one_version_commit_one_wins_and_every_node_reaches_the_same_verdicts()
    {
        // Goal: the CAS verdict is decided in index order, the same on every node. Method: two CAS on version v, six nodes, W = 2.
        var cluster = ElectedCluster(writeQuorum: 2);
        var first = cluster.Propose("n0", "a", "1");
        cluster.DeliverWhile(_ => true);

        var win = cluster.Propose("n0", Put("a", "2") with { Condition = WriteCondition.IfIndex(first.Index) }, 1000);
        var lose = cluster.Propose("n0", Put("a", "3") with { Condition = WriteCondition.IfIndex(first.Index) }, 1000);
        cluster.DeliverWhile(_ => true);

        var winOutcome = Outcome(cluster, win);
        var loseOutcome = Outcome(cluster, lose);
        Assert.Equal(WriteOutcomeKind.Committed, winOutcome.Kind);
        Assert.Equal(WriteVerdictKind.Applied, winOutcome.Verdict!.Value.Kind);
        Assert.Equal(WriteOutcomeKind.Committed, loseOutcome.Kind);
        Assert.Equal(new WriteVerdict(lose.Index, WriteVerdictKind.ConditionFailed, win.Index, win.Index), loseOutcome.Verdict);
        foreach (var id in ScriptedCluster.Ids)
        {
            Assert.Equal(WriteVerdictKind.Applied, cluster.Verdicts[(id, win.Index)].Kind);
            Assert.Equal(loseOutcome.Verdict, cluster.Verdicts[(id, lose.Index)]);
            Assert.Equal("2", ScriptedCluster.ValueAt(cluster[id], "a"));
        }
    }

    [Fact]
    public void A_plain_put_is_answered_when_committed_without_waiting_for_a_verdict_and_a_delete_after_it_is_applied()
    {
        var cluster = ElectedCluster(writeQuorum: 1);
        var put = cluster.Propose("n0", "a", "1");
        cluster.DeliverWhile(_ => true);
        var delete = cluster.Propose("n0", WriteCommand.Delete("a"), 1000);
        cluster.DeliverWhile(_ => true);

        Assert.Null(Outcome(cluster, put).Verdict);
        Assert.Equal(new WriteVerdict(delete.Index, WriteVerdictKind.Applied, put.Index, 0), Outcome(cluster, delete).Verdict);
        Assert.All(ScriptedCluster.Ids, id => Assert.False(cluster[id].Table.TryGet("a", out _)));
    }

    [Fact]
    public void A_repeated_idempotency_key_is_answered_from_its_record_without_a_new_entry_and_a_reused_key_is_refused()
    {
        var cluster = ElectedCluster(writeQuorum: 1);
        var command = Put("a", "1") with { IdempotencyKey = "r1" };
        var first = cluster.Propose("n0", command, 1000);
        cluster.DeliverWhile(_ => true);
        var last = cluster["n0"].LastIndex;

        var again = cluster.Propose("n0", command, 2000);
        var other = cluster.Propose("n0", Put("a", "2") with { IdempotencyKey = "r1" }, 2000);

        Assert.Equal(ProposeStatus.Replayed, again.Status);
        Assert.Equal(first.Index, again.Replay!.Index);
        Assert.Equal(ProposeStatus.IdempotencyKeyReused, other.Status);
        Assert.Equal(last, cluster["n0"].LastIndex);
    }

    [Fact]
    public void A_retry_after_a_leader_change_joins_the_re_proposed_write_and_then_replays_it_never_writing_twice()
    {
        // Goal: an idempotent retry of an unknown write is safe across a leader change. Method: n0's write reaches n1 and n2
        // but no ack returns; n3 is elected by the others, recovers the slot, and gets the retry before the slot commits.
        var cluster = ElectedCluster(writeQuorum: 2);
        var command = Put("a", "1") with { IdempotencyKey = "r1" };
        var original = cluster.Propose("n0", command, 1000);
        foreach (var append in cluster.Take(m => m is AppendRequest { Entries.Count: > 0 } a && a.To is "n1" or "n2"))
        {
            cluster.Deliver(append);
        }

        cluster.DropAll();
        cluster.Elect("n3", AllButN0, appendsTo: []);
        var retry = cluster.Propose("n3", command, 5000);
        Assert.Equal(ProposeStatus.Accepted, retry.Status);
        Assert.Equal(original.Index, retry.Index);

        for (var i = 0; i < 20 && !cluster.Outcomes.Any(o => o.Node == "n3" && o.Outcome.Index == retry.Index); i++)
        {
            cluster.Tick("n3");
            cluster.DeliverWhile(m => m.From != "n0" && m.To != "n0");
            cluster.Take(m => m.From == "n0" || m.To == "n0");
        }

        var outcome = Outcome(cluster, retry);
        Assert.Equal(WriteOutcomeKind.Committed, outcome.Kind);
        Assert.Equal(WriteVerdictKind.Applied, outcome.Verdict!.Value.Kind);
        var replay = cluster.Propose("n3", command, 6000);
        Assert.Equal(ProposeStatus.Replayed, replay.Status);
        Assert.Equal(original.Index, replay.Replay!.Index);
        Assert.True(cluster["n3"].Table.TryGet("a", out var value) && value.Index == original.Index);
        Assert.Single(cluster["n3"].Log.HeldAbove(0), e => e.IdempotencyKey == "r1");
    }

    [Fact]
    public void The_leader_expires_a_key_at_its_deadline_on_its_own_clock_and_every_node_deletes_it()
    {
        var cluster = ElectedCluster(writeQuorum: 1);
        cluster.Propose("n0", Put("a", "1") with { TimeToLive = TimeSpan.FromSeconds(5) }, 1000);
        cluster.DeliverWhile(_ => true);

        Assert.Equal(0, cluster.ExpireDue("n0", 5999));
        Assert.Equal(1, cluster.ExpireDue("n0", 6000));
        Assert.Equal(0, cluster.ExpireDue("n0", 6000));
        cluster.DeliverWhile(_ => true);

        Assert.All(ScriptedCluster.Ids, id => Assert.False(cluster[id].Table.TryGet("a", out _)));
        Assert.Contains(cluster["n0"].Log.HeldAbove(0), e => e.Op == WriteOp.Expire && e.Key == "a");
    }

    [Fact]
    public void An_expiry_loses_to_a_rewrite_that_precedes_it_in_the_log()
    {
        var cluster = ElectedCluster(writeQuorum: 1);
        cluster.Propose("n0", Put("a", "1") with { TimeToLive = TimeSpan.FromSeconds(5) }, 1000);
        cluster.DeliverWhile(_ => true);

        var rewrite = cluster.Propose("n0", Put("a", "2"), 5500);
        cluster.ExpireDue("n0", 6000);
        cluster.DeliverWhile(_ => true);

        Assert.All(ScriptedCluster.Ids, id => Assert.Equal("2", ScriptedCluster.ValueAt(cluster[id], "a")));
        Assert.True(cluster["n0"].Table.TryGet("a", out var value) && value.Index == rewrite.Index && value.ExpiresAtMs == 0);
    }

    [Fact]
    public void A_new_leader_expires_what_its_predecessor_left_due_because_the_deadline_is_replicated()
    {
        var cluster = ElectedCluster(writeQuorum: 2);
        cluster.Propose("n0", Put("a", "1") with { TimeToLive = TimeSpan.FromSeconds(5) }, 1000);
        cluster.DeliverWhile(_ => true);

        cluster.Elect("n3", AllButN0);
        Assert.Equal(1, cluster.ExpireDue("n3", 7000));
        cluster.DeliverWhile(m => m.From != "n0" && m.To != "n0");

        foreach (var id in AllButN0.Append("n3"))
        {
            Assert.False(cluster[id].Table.TryGet("a", out _), $"{id} still holds the expired key");
        }
    }

    private static WriteCommand Put(string key, string value) => WriteCommand.Put(key, Encoding.UTF8.GetBytes(value));

    private static WriteOutcome Outcome(ScriptedCluster cluster, ProposeResult proposal) =>
        cluster.Outcomes.Single(o => o.Outcome.Index == proposal.Index && o.Outcome.Term == proposal.Term).Outcome;

    private static ScriptedCluster ElectedCluster(int writeQuorum)
    {
        var cluster = new ScriptedCluster();
        foreach (var id in ScriptedCluster.Ids)
        {
            cluster.Start(ScriptedCluster.Automatic(id, writeQuorum));
        }

        cluster.Tick("n0");
        cluster.DeliverWhile(_ => true);
        Invariant.Check(cluster["n0"].IsLeader && !cluster["n0"].IsRecovering, "n0 leads");
        return cluster;
    }
}
