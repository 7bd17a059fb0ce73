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

    /// <summary>Commits wanted from each leader, so the stream is well under way on both sides of the kill.</summary>
    private const int CommitsPerLeader = 100;

    [Fact]
    public async Task Killing_the_leader_under_a_stream_of_writes_elects_another_that_keeps_every_committed_write_and_the_old_one_rejoins()
    {
        // Method: 4 clients stream distinct keys to whichever node leads; the leader is killed once it
        // has committed 100 of them and the clients go on until another leader has committed 100 more.
        // Then every committed key is read from the new leader, the old leader is restarted on its
        // directory, and all six must end equal; a write answered "unknown" is all-or-nothing.
        // With a cluster secret, so votes, appends and catch-up also pass the signature checks.
        using var cluster = ProcessCluster.CreatePeers(nodes: 6, quorum: 2, environment: new()
        {
            ["CLUSTER_SECRET"] = "fault-tests-cluster-secret-0123456789",
        });
        await cluster.StartAllAsync();
        var oldLeader = await cluster.WaitForLeaderAsync();
        var oldTerm = (await cluster.StatusAsync(oldLeader)).GetProperty("term").GetInt64();
        using var writers = new LeaderFollowingWriters(cluster.Nodes);

        writers.Start(Clients);
        await ProcessCluster.EventuallyAsync(() => Task.FromResult(writers.CommittedBy(oldLeader) >= CommitsPerLeader), $"{oldLeader.Name} to commit {CommitsPerLeader} writes");
        oldLeader.Kill();
        NodeProcess? newLeader = null;
        await ProcessCluster.EventuallyAsync(
            () =>
            {
                newLeader = cluster.Nodes.FirstOrDefault(n => n != oldLeader && writers.CommittedBy(n) >= CommitsPerLeader);
                return Task.FromResult(newLeader is not null);
            },
            $"a node other than {oldLeader.Name} to commit {CommitsPerLeader} writes");
        var writes = await writers.StopAsync();

        Assert.Same(newLeader, await cluster.WaitForLeaderAsync(except: oldLeader));
        var committed = writes.Where(w => w.Outcome == ClientOutcome.Committed).ToList();
        var unknown = writes.Where(w => w.Outcome == ClientOutcome.Unknown).ToList();
        Assert.All(committed.Where(w => w.Node == newLeader!.Name), w => Assert.True(w.Term > oldTerm, $"{w.Key} committed by {w.Node} in term {w.Term}, not above {oldTerm}"));
        Assert.Equal(committed.Count, committed.Select(w => w.Index).Distinct().Count());

        await cluster.AssertConvergedOnAsync(newLeader!);
        var lost = new List<string>();
        foreach (var write in committed)
        {
            var value = await ReadAsync(cluster, newLeader!, write.Key);
            if (value != Text(write.Value))
            {
                lost.Add($"{write.Key} (committed by {write.Node} at index {write.Index}, term {write.Term}) reads {value ?? "404"}");
            }
        }

        Assert.True(lost.Count == 0, $"{lost.Count} of {committed.Count} committed writes are not on {newLeader!.Name}: {string.Join("; ", lost.Take(5))}");

        await cluster.StartAsync(oldLeader);
        var commitIndex = await cluster.AssertConvergedOnAsync(newLeader);

        output.WriteLine(
            $"{oldLeader.Name} (term {oldTerm}) killed; {newLeader.Name} leads; {committed.Count} writes committed " +
            $"({committed.Count(w => w.Node == oldLeader.Name)} by {oldLeader.Name}), {unknown.Count} unknown; commit index {commitIndex}");
        var rejoined = await cluster.StatusAsync(oldLeader);
        Assert.Equal("follower", rejoined.GetProperty("role").GetString());
        Assert.Equal(commitIndex, rejoined.GetProperty("appliedThrough").GetInt64());
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
