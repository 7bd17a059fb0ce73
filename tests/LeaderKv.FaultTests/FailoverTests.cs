using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Xunit.Abstractions;

namespace LeaderKv.FaultTests;

/// <summary>
/// Automatic failover with real processes: a 6-node <c>PEERS</c> cluster (W = 2, so 5 promises
/// elect), every node with its own data directory and <c>FSYNC=always</c>. The leader is killed
/// with SIGKILL under a stream of writes; what is asserted is what a client was promised. Waits
/// are on observable state, bounded by <see cref="ProcessCluster.Patience"/> only to fail.
/// </summary>
[Trait("Category", "Fault")]
public class FailoverTests(ITestOutputHelper output)
{
    private const int Clients = 4;

    /// <summary>Commits wanted before the kill and again after it, so the stream is well under way on both sides.</summary>
    private const int CommitsPerLeader = 100;

    [Fact]
    public async Task A_leader_process_stopped_by_SIGSTOP_is_replaced_and_after_SIGCONT_leaves_its_term_and_converges()
    {
        // Method: three nodes (W = 1); commit a write, SIGSTOP the leader (its port stays open, nothing
        // answers, its timers stop), wait for another node to lead in a later term and commit there,
        // SIGCONT the old leader, then all three must agree on one leader and hold the same data.
        using var cluster = ProcessCluster.CreatePeers(nodes: 3, quorum: 1);
        await cluster.StartAllAsync();
        var (old, leading) = await cluster.WaitForLeaderAsync();
        var oldTerm = leading.GetProperty("term").GetInt64();
        Assert.Equal(200, (await cluster.WriteAnswerAsync("before", 1, old)).Status);

        old.Pause();
        var (leader, status) = await cluster.WaitForLeaderAsync(except: old);
        Assert.True(status.GetProperty("term").GetInt64() > oldTerm, $"{leader.Name} leads term {status.GetProperty("term")}, not after {oldTerm}");
        var (written, body) = await cluster.WriteAnswerAsync("while-paused", 2, leader);
        Assert.True(written == 200, $"{leader.Name} answered {written} {body}");

        old.Resume();
        var converged = await cluster.AssertConvergedOnLeaderAsync();
        Assert.True(converged.Statuses[old].GetProperty("term").GetInt64() > oldTerm, $"{old.Name} is still in term {oldTerm}");
        var data = await cluster.DataAsync(old);
        Assert.Equal("1", data["before"]);
        Assert.Equal("2", data["while-paused"]);
    }

    [Fact]
    public async Task Killing_the_leader_under_a_stream_of_writes_elects_another_that_keeps_every_committed_write_and_the_old_one_rejoins()
    {
        // Method: 4 clients stream distinct keys to whichever node leads; once 100 are committed the
        // leader is killed, and the clients go on until 100 more are committed in a later term.
        // Then every committed key is read from the new leader, the old leader is restarted on its
        // directory, and all six must end equal; a write answered "unknown" is all-or-nothing.
        // With a cluster secret, so votes, appends and catch-up also pass the signature checks.
        using var cluster = ProcessCluster.CreatePeers(nodes: 6, quorum: 2, environment: new()
        {
            ["CLUSTER_SECRET"] = "fault-tests-cluster-secret-0123456789",
        });
        await cluster.StartAllAsync();
        using var writers = new LeaderFollowingWriters(cluster.Nodes);

        writers.Start(Clients);
        await ProcessCluster.EventuallyAsync(() => Task.FromResult(writers.CommittedAfter(0) >= CommitsPerLeader), $"{CommitsPerLeader} committed writes");
        var (oldLeader, leading) = await cluster.WaitForLeaderAsync();
        var oldTerm = leading.GetProperty("term").GetInt64();
        oldLeader.Kill();
        await ProcessCluster.EventuallyAsync(() => Task.FromResult(writers.CommittedAfter(oldTerm) >= CommitsPerLeader), $"{CommitsPerLeader} writes committed after term {oldTerm}");
        var writes = await writers.StopAsync();

        var committed = writes.Where(w => w.Outcome == ClientOutcome.Committed).ToList();
        var unknown = writes.Where(w => w.Outcome == ClientOutcome.Unknown).ToList();
        var afterKill = committed.Where(w => w.Term > oldTerm).ToList();
        Assert.All(afterKill, w => Assert.NotEqual(oldLeader.Name, w.Node));
        Assert.Equal(committed.Count, committed.Select(w => w.Index).Distinct().Count());

        var survivors = await cluster.AssertConvergedOnLeaderAsync();
        var newLeader = survivors.Leader;
        Assert.NotSame(oldLeader, newLeader);
        var lost = new List<string>();
        foreach (var write in committed)
        {
            var value = await ReadAsync(cluster, newLeader, write.Key);
            if (value != Text(write.Value))
            {
                lost.Add($"{write.Key} (committed by {write.Node} at index {write.Index}, term {write.Term}) reads {value ?? "404"}");
            }
        }

        Assert.True(lost.Count == 0, $"{lost.Count} of {committed.Count} committed writes are not on {newLeader.Name}: {string.Join("; ", lost.Take(5))}");

        await cluster.StartAsync(oldLeader);
        var all = await cluster.AssertConvergedOnLeaderAsync();

        output.WriteLine(
            $"{oldLeader.Name} (term {oldTerm}) killed; {string.Join(", ", afterKill.Select(w => $"{w.Node} (term {w.Term})").Distinct())} committed after it; " +
            $"{all.Leader.Name} leads at the end; {committed.Count} writes committed ({afterKill.Count} after the kill), {unknown.Count} unknown; commit index {all.CommitIndex}");
        var rejoined = all.Statuses[oldLeader];
        Assert.Equal("follower", rejoined.GetProperty("role").GetString());
        Assert.Equal(all.CommitIndex, rejoined.GetProperty("appliedThrough").GetInt64());
        var everywhere = new List<Dictionary<string, string>>();
        foreach (var node in cluster.Nodes)
        {
            everywhere.Add(await cluster.DataAsync(node));
        }

        foreach (var write in unknown)
        {
            var values = everywhere.Select(data => data.TryGetValue(write.Key, out var v) ? v : null).Distinct().ToList();
            Assert.True(
                values.Count == 1 && (values[0] is null || values[0] == Text(write.Value)),
                $"unknown write {write.Key} ({write.Why}) is neither everywhere with its value nor nowhere: {string.Join(", ", values.Select(v => v ?? "absent"))}");
        }
    }

    private static async Task<string?> ReadAsync(ProcessCluster cluster, NodeProcess node, string key)
    {
        using var response = await cluster.Http.GetAsync(new Uri(node.Url, $"/kv/{Uri.EscapeDataString(key)}"));
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return body.GetProperty("value").GetRawText();
    }

    private static string Text(int value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
