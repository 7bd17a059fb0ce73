using System.Text;
using LeaderKv.Core.Consensus;
using LeaderKv.Core.Tests.Simulation;

namespace LeaderKv.Core.Tests.Consensus;

/// <summary>
/// A full disk in the core: what a node may still say when it could not store what it was asked
/// to (nothing that promises the unstored), how the leader treats a follower that says "disk full",
/// and the data quota. Disks fill through <see cref="ScriptedCluster.FullDisks"/>, which reports a
/// Ready back with <see cref="Replica.ReportStorageFull"/> as the driver does.
/// </summary>
public class DiskFullTests
{
    [Fact]
    public void A_follower_that_cannot_log_refuses_with_disk_full_and_the_leader_neither_counts_it_nor_calls_it_down()
    {
        // Goal: rule 3 of issue 12. Method: W = 2 of five followers; the disks of n1..n4 fill, so one
        // write reaches only n5's disk: it cannot commit. The leader then refuses writes at once
        // (quorum-unreachable: a disk-full follower is no ack to wait for), shows them disk-full, not
        // down, and once space is back they catch up by themselves and writes commit again.
        var cluster = StartAutomatic(writeQuorum: 2);
        string[] full = ["n1", "n2", "n3", "n4"];
        cluster.FullDisks.UnionWith(full);

        var first = cluster.Propose("n0", "a", "\"1\"");
        cluster.DeliverWhile(_ => true);

        var leader = cluster["n0"];
        Assert.Contains(cluster.Outcomes, o => o.Outcome.Index == first.Index && o.Outcome.Kind == WriteOutcomeKind.Unknown);
        Assert.All(leader.Peers.Where(p => full.Contains(p.Id)), p => Assert.True(p.DiskFull && !p.IsDown, p.Id));
        Assert.Equal(ProposeStatus.QuorumUnreachable, cluster.Propose("n0", "b", "\"2\"").Status);
        Assert.All(full, id => Assert.True(cluster[id].StorageFull));

        foreach (var id in full)
        {
            cluster.FreeDisk(id);
        }

        cluster.Tick("n0");
        cluster.DeliverWhile(_ => true);
        Assert.All(leader.Peers, p => Assert.False(p.DiskFull, p.Id));
        var next = cluster.Propose("n0", "b", "\"2\"");
        cluster.DeliverWhile(_ => true);
        cluster.Tick("n0");
        cluster.DeliverWhile(_ => true);
        Assert.Contains(cluster.Outcomes, o => o.Outcome.Index == next.Index && o.Outcome.Kind == WriteOutcomeKind.Committed);
        Assert.All(ScriptedCluster.Ids, id => Assert.Equal("\"1\"", ScriptedCluster.ValueAt(cluster[id], "a")));
    }

    [Fact]
    public void A_leader_that_cannot_log_a_write_takes_it_out_of_its_log_before_anyone_sees_it()
    {
        // Goal: a write the leader could not log is never sent, never acked, never committed, and its
        // index is free again. Method: W = 1; the leader's disk fills; one write is proposed (it gets
        // an index before the log write fails); then space returns and another write takes that index.
        var cluster = StartAutomatic(writeQuorum: 1);
        var leader = cluster["n0"];
        var lastBefore = leader.LastIndex;
        cluster.FullDisks.Add("n0");

        var lost = cluster.Propose("n0", "a", "\"never\"");

        Assert.True(lost.IsAccepted);
        Assert.Contains(cluster.Outcomes, o => o.Outcome.Index == lost.Index && o.Outcome.Kind == WriteOutcomeKind.NotLogged);
        Assert.DoesNotContain(cluster.InFlight, m => m is AppendRequest append && append.Entries.Any(e => e.Index == lost.Index));
        Assert.Equal(lastBefore, leader.LastIndex);
        Assert.True(leader.IsLeader && leader.StorageFull && !leader.CanAcceptWrites);
        Assert.Equal(ProposeStatus.StorageFull, cluster.Propose("n0", "a", "\"also never\"").Status);

        cluster.FreeDisk("n0");
        var kept = cluster.Propose("n0", "a", "\"kept\"");
        cluster.DeliverWhile(_ => true);
        cluster.Tick("n0");
        cluster.DeliverWhile(_ => true);

        Assert.Equal(lost.Index, kept.Index);
        Assert.Contains(cluster.Outcomes, o => o.Outcome.Index == kept.Index && o.Outcome.Kind == WriteOutcomeKind.Committed);
        Assert.All(ScriptedCluster.Ids, id => Assert.Equal("\"kept\"", ScriptedCluster.ValueAt(cluster[id], "a")));
    }

    [Fact]
    public void A_retry_of_an_idempotent_write_the_leader_could_not_log_is_a_new_write()
    {
        // Goal: a slot dropped for lack of space takes its idempotency key with it, even once another
        // write reuses its index. Method: W = 1; an idempotent write is not logged; space returns; a
        // plain write takes the index; the retry with the same key is then taken as a new write and commits.
        var cluster = StartAutomatic(writeQuorum: 1);
        var once = WriteCommand.Put("a", Encoding.UTF8.GetBytes("\"once\"")) with { IdempotencyKey = "retry-me" };
        cluster.FullDisks.Add("n0");
        var lost = cluster.Propose("n0", once, nowMs: 0);
        Assert.Contains(cluster.Outcomes, o => o.Outcome.Index == lost.Index && o.Outcome.Kind == WriteOutcomeKind.NotLogged);

        cluster.FreeDisk("n0");
        var other = cluster.Propose("n0", "b", "\"other\"");
        Assert.Equal(lost.Index, other.Index);
        var retry = cluster.Propose("n0", once, nowMs: 0);
        cluster.DeliverWhile(_ => true);
        cluster.Tick("n0");
        cluster.DeliverWhile(_ => true);

        Assert.Equal(ProposeStatus.Accepted, retry.Status);
        Assert.Equal(other.Index + 1, retry.Index);
        Assert.Contains(cluster.Outcomes, o => o.Outcome.Index == retry.Index && o.Outcome.Kind == WriteOutcomeKind.Committed);
        Assert.All(ScriptedCluster.Ids, id => Assert.Equal("\"once\"", ScriptedCluster.ValueAt(cluster[id], "a")));
    }

    [Fact]
    public void A_node_whose_disk_is_full_grants_no_vote_and_starts_no_election()
    {
        // Goal: a promise must be stored before it is given, so a node that cannot store grants none and
        // does not campaign on a vote it could not store. Method: n1's disk fills while it takes an
        // append; then a candidate asks it for a vote, and its own election timer runs out.
        var cluster = StartAutomatic(writeQuorum: 2);
        cluster.FullDisks.Add("n1");
        cluster.Propose("n0", "a", "\"1\"");
        cluster.DeliverWhile(_ => true);
        Assert.True(cluster["n1"].StorageFull);

        cluster.DropAll();
        cluster.Deliver(new VoteRequest { From = "n2", To = "n1", Term = cluster["n1"].Term + 1, Incarnation = 5 });
        var answer = Assert.Single(cluster.Take(m => m is VoteResponse));
        Assert.False(((VoteResponse)answer).Granted);

        cluster.Tick("n1", 5 * cluster["n1"].Config.ElectionTicks);
        Assert.Equal(ReplicaRole.Follower, cluster["n1"].Role);
        Assert.DoesNotContain(cluster.InFlight, m => m.From == "n1" && m is PreVoteRequest or VoteRequest);
    }

    [Fact]
    public void The_leader_refuses_writes_that_would_grow_the_table_past_the_quota_and_takes_those_that_shrink_it()
    {
        // Goal: MAX_DATA_BYTES, decided by the leader before the write enters the log. Method: a 60-byte
        // quota; "a" takes 1 + 40 bytes; a new key of 30 more is refused; "a" rewritten shorter is taken.
        var cluster = new ScriptedCluster();
        foreach (var id in ScriptedCluster.Ids)
        {
            cluster.Start(ScriptedCluster.Automatic(id, writeQuorum: 1) with { MaxDataBytes = 60 });
        }

        Elect(cluster);
        var big = "\"" + new string('x', 38) + "\"";
        Assert.True(cluster.Propose("n0", "a", big).IsAccepted);
        Commit(cluster);
        Assert.Equal(41, cluster["n0"].Table.Bytes);

        var lastBefore = cluster["n0"].LastIndex;
        Assert.Equal(ProposeStatus.QuotaExceeded, cluster.Propose("n0", "b", "\"" + new string('y', 28) + "\"").Status);
        Assert.Equal(lastBefore, cluster["n0"].LastIndex);

        Assert.True(cluster.Propose("n0", "a", "\"short\"").IsAccepted);
        Commit(cluster);
        Assert.Equal(8, cluster["n0"].Table.Bytes);
        Assert.True(cluster.Propose("n0", "b", "\"" + new string('y', 28) + "\"").IsAccepted);
    }

    [Fact]
    public void At_the_quota_a_delete_is_taken_and_frees_the_bytes_of_its_key()
    {
        // Goal: a full table can be emptied. Method: a 60-byte quota filled by "a" (41 bytes) and "b"
        // (15); a new key is refused; deleting "a" (a delete never grows the table) is taken, and then the new key fits.
        var cluster = new ScriptedCluster();
        foreach (var id in ScriptedCluster.Ids)
        {
            cluster.Start(ScriptedCluster.Automatic(id, writeQuorum: 1) with { MaxDataBytes = 60 });
        }

        Elect(cluster);
        Assert.True(cluster.Propose("n0", "a", "\"" + new string('x', 38) + "\"").IsAccepted);
        Assert.True(cluster.Propose("n0", "b", "\"" + new string('y', 12) + "\"").IsAccepted);
        Commit(cluster);
        Assert.Equal(56, cluster["n0"].Table.Bytes);
        var newKey = "\"" + new string('z', 20) + "\"";
        Assert.Equal(ProposeStatus.QuotaExceeded, cluster.Propose("n0", "c", newKey).Status);

        Assert.True(cluster.Propose("n0", WriteCommand.Delete("a"), nowMs: 0).IsAccepted);
        Commit(cluster);
        Assert.Equal(15, cluster["n0"].Table.Bytes);
        Assert.True(cluster.Propose("n0", "c", newKey).IsAccepted);
    }

    [Fact]
    public void The_table_counts_its_bytes_through_writes_overwrites_snapshots_and_clear()
    {
        var table = new KeyValueTable();
        table.Apply(new LogEntry(1, 1, "ключ", Encoding.UTF8.GetBytes("\"abc\"")));
        Assert.Equal(8 + 5, table.Bytes);
        table.Apply(new LogEntry(2, 1, "ключ", Encoding.UTF8.GetBytes("1")));
        Assert.Equal(8 + 1, table.Bytes);
        table.Apply(LogEntry.NoOp(3, 1));
        table.Set("b", new VersionedValue(Encoding.UTF8.GetBytes("[1,2]"), 3));
        Assert.Equal(9 + 1 + 5, table.Bytes);
        Assert.Equal(-4, table.GrowthOf("b", 1));
        Assert.Equal(-(1 + 5), table.GrowthOf(WriteOp.Delete, "b", 0));
        Assert.Equal(0, table.GrowthOf(WriteOp.Delete, "missing", 0));
        table.Apply(new LogEntry(4, 1, "ключ", ReadOnlyMemory<byte>.Empty) { Op = WriteOp.Delete });
        Assert.Equal(1 + 5, table.Bytes);
        table.Apply(new LogEntry(5, 1, "b", ReadOnlyMemory<byte>.Empty) { Op = WriteOp.Delete, Condition = WriteCondition.IfIndex(99) });
        Assert.Equal(1 + 5, table.Bytes);
        Assert.Equal(SnapshotImage.Of(table, 5).ToTable().Bytes, table.Bytes);
        table.Clear();
        Assert.Equal(0, table.Bytes);
    }

    private static ScriptedCluster StartAutomatic(int writeQuorum)
    {
        var cluster = new ScriptedCluster();
        foreach (var id in ScriptedCluster.Ids)
        {
            cluster.Start(ScriptedCluster.Automatic(id, writeQuorum));
        }

        Elect(cluster);
        return cluster;
    }

    private static void Elect(ScriptedCluster cluster)
    {
        cluster.Tick("n0");
        cluster.DeliverWhile(_ => true);
        Assert.True(cluster["n0"].IsLeader && !cluster["n0"].IsRecovering);
    }

    private static void Commit(ScriptedCluster cluster)
    {
        cluster.DeliverWhile(_ => true);
        cluster.Tick("n0");
        cluster.DeliverWhile(_ => true);
    }
}
