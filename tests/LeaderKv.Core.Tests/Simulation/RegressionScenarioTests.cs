using System.Text;
using LeaderKv.Core.Consensus;

namespace LeaderKv.Core.Tests.Simulation;

/// <summary>
/// The traps DESIGN §3 guards against, kept as fixed scripts: every message is delivered, held back
/// or lost by hand, so each run takes exactly the path that once lost (or would lose) a committed write.
/// </summary>
public class RegressionScenarioTests
{
    private static readonly string[] None = [];

    [Fact]
    public void A_re_proposed_value_is_re_stamped_so_a_later_election_keeps_the_committed_write()
    {
        // Goal: a value a follower already holds, re-proposed by a new leader, is re-stamped with the
        // new term, so a later election prefers it over a no-op of an intermediate term. Method: six
        // nodes, W = 2 (E = 4); four elections with hand-picked voters.
        //
        // The trap (not switchable in Core, by choice): if OnAppend kept the slot's old accepted term for
        // a value it already held (store `entry` instead of `entry.AcceptedIn(Term)`), n0 would still
        // report slot 1 as accepted in term 1 at the last election, the no-op of term 2 would win, and
        // n3 would apply a no-op at index 1 where n1 already showed x: this test then fails.
        var cluster = new ScriptedCluster();
        foreach (var id in ScriptedCluster.Ids)
        {
            cluster.Start(ScriptedCluster.Automatic(id, writeQuorum: 2));
        }

        // Term 1: n0 leads; x (slot 1) reaches only n1, w (slot 2) only n5. Nothing commits.
        cluster.Elect("n0", ["n1", "n2", "n3"], appendsTo: None);
        Assert.True(cluster.Propose("n0", "a", "\"x\"").IsAccepted);
        Assert.True(cluster.Propose("n0", "b", "\"w\"").IsAccepted);
        cluster.Take(m => m is AppendRequest a && ((a.To == "n1" && a.Entries.Any(e => e.Index == 1)) || (a.To == "n5" && a.Entries.Any(e => e.Index == 2))))
            .ForEach(cluster.Deliver);
        cluster.DropAll();

        // Term 2: n2 wins with n3, n4, n5. n5 reports slot 2 only, so slot 1 becomes a no-op of term 2, which reaches n3 only.
        cluster.Elect("n2", ["n3", "n4", "n5"], appendsTo: ["n3"]);
        Assert.True(cluster["n3"].Log.TryGet(1, out var intermediate) && intermediate.IsNoOp && intermediate.Term == 2);
        cluster.DropAll();

        // Term 3: n1 wins with n0, n4, n5; it re-proposes x in term 3 to n0 (which already holds x from
        // term 1) and n4. Both ack: x is committed and n1 shows it. The commit index never reaches n0 or n4.
        cluster.Elect("n1", ["n0", "n4", "n5"], appendsTo: ["n0", "n4"], heartbeats: false);
        Assert.Equal("\"x\"", ScriptedCluster.ValueAt(cluster["n1"], "a"));
        Assert.Equal(0, cluster["n0"].AppliedThrough);
        Assert.True(cluster["n0"].Log.TryGet(1, out var restamped) && restamped.Term == cluster["n1"].Term);
        cluster.DropAll();

        // Term 4: n3 wins with n2, n0, n5. Only n0 links it to term 3's quorum; its re-stamped x (term 3) beats the no-op (term 2).
        cluster.Elect("n3", ["n2", "n0", "n5"]);
        Assert.Equal("\"x\"", ScriptedCluster.ValueAt(cluster["n3"], "a"));
        Assert.True(cluster["n3"].AppliedThrough >= 1);
    }

    [Fact]
    public void A_commit_index_that_arrives_before_the_leaders_entry_does_not_apply_an_older_term_entry()
    {
        // Goal: a follower applies slot i only when it holds the entry in the commit index's leader's
        // term. Method: n1 holds x at slot 1 from term 1 (never chosen); the leader of term 2, which
        // chose y there, sends its commit index 1 before its entry.
        var cluster = new ScriptedCluster();
        var follower = cluster.Start(ScriptedCluster.Automatic("n1", writeQuorum: 2));
        cluster.Deliver(Append(from: "n0", term: 1, commit: 0, new LogEntry(1, 1, "a", Encoding.UTF8.GetBytes("\"x\""))));

        cluster.Deliver(Append(from: "n2", term: 2, commit: 1));

        Assert.Equal(0, follower.AppliedThrough);
        Assert.Equal("<none>", ScriptedCluster.ValueAt(follower, "a"));

        cluster.Deliver(Append(from: "n2", term: 2, commit: 1, new LogEntry(1, 2, "a", Encoding.UTF8.GetBytes("\"y\""))));

        Assert.Equal(1, follower.AppliedThrough);
        Assert.Equal("\"y\"", ScriptedCluster.ValueAt(follower, "a"));
    }

    [Fact]
    public void A_restarted_in_memory_leader_of_the_seed_layout_does_not_lead_its_old_term_again_nor_lose_its_committed_write()
    {
        // Goal: late replies to a previous run of the leader count for nothing, so an in-memory leader
        // that restarts (term 0 again, so "1" again) cannot lead term 1 twice with an empty log and lose
        // a write it answered committed. Method: seed layout, W = 1; hold back the term-1 grants and
        // the ack of x, restart n0 in memory, deliver them late, then let the network run.
        var cluster = new ScriptedCluster();
        foreach (var id in ScriptedCluster.Ids)
        {
            cluster.Start(ScriptedCluster.SeedLayout(id, writeQuorum: 1));
        }

        cluster.Tick("n0");
        cluster.DeliverWhile(m => m is VoteRequest);
        var lateGrants = cluster.Take(m => m is VoteResponse);
        lateGrants.ForEach(cluster.Deliver);
        cluster.DeliverWhile(_ => true);
        Assert.True(cluster["n0"].IsLeader);
        Assert.Equal(1, cluster["n0"].Term);

        var x = cluster.Propose("n0", "a", "\"x\"");
        cluster.DeliverWhile(m => m is AppendRequest { To: "n1" });
        var lateAck = cluster.Take(m => m is AppendResponse { From: "n1" } r && r.Acked.Contains(x.Index));
        lateAck.ForEach(cluster.Deliver);
        Assert.Contains(cluster.Outcomes, o => o.Outcome.Index == x.Index && o.Outcome.Kind == WriteOutcomeKind.Committed);
        cluster.DropAll();

        var restarted = cluster.Start(ScriptedCluster.SeedLayout("n0", writeQuorum: 1), RecoveredReplica.Empty(tainted: true));
        cluster.Tick("n0");
        Assert.Equal(1, restarted.Term);
        lateGrants.ForEach(cluster.Deliver);
        lateAck.ForEach(cluster.Deliver);
        Assert.False(restarted.IsLeader, "late grants to the previous run made the restarted leader lead term 1 again");

        for (var i = 0; i < 100 && !(restarted.IsLeader && !restarted.IsRecovering && restarted.AppliedThrough >= x.Index); i++)
        {
            cluster.DeliverWhile(_ => true);
            cluster.Tick("n0");
        }

        Assert.True(restarted.Term > 1);
        Assert.Equal("\"x\"", ScriptedCluster.ValueAt(restarted, "a"));
        var next = cluster.Propose("n0", "b", "\"y\"");
        Assert.True(next.IsAccepted);
        Assert.True(next.Index > x.Index);
    }

    private static AppendRequest Append(string from, long term, long commit, params LogEntry[] entries) => new()
    {
        From = from, To = "n1", Term = term, Entries = entries, CommitIndex = commit,
        LeaderLastIndex = entries.Length == 0 ? commit : entries.Max(e => e.Index), LeaderIncarnation = term,
    };
}
