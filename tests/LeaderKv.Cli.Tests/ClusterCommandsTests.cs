using System.Net.Http.Json;
using LeaderKv.Cli.Tests.Support;

namespace LeaderKv.Cli.Tests;

/// <summary>
/// put, get and check against a real local cluster (node processes started by <see cref="Cluster.LocalCluster"/>),
/// with the CLI invoked in-process so its output and exit code can be asserted directly.
/// </summary>
[Collection(ProcessTestCollection.Name)]
[Trait("Category", "Process")]
public sealed class ClusterCommandsTests(RunningCluster fixture) : IClassFixture<RunningCluster>
{
    /// <summary>
    /// Goal: the seed's tests.py scenario passes `check`. Method: 50 writes to 5 keys, 5 at a time, straight
    /// to POST /write as tests.py sends them; then `check --wait` must exit 0 with five consistent lines.
    /// </summary>
    [Fact]
    public async Task Check_reports_every_follower_consistent_after_a_burst_of_writes()
    {
        using var http = new HttpClient { BaseAddress = fixture.Cluster.LeaderUrl, Timeout = TimeSpan.FromSeconds(30) };
        await Parallel.ForEachAsync(Enumerable.Range(0, 50), new ParallelOptions { MaxDegreeOfParallelism = 5 }, async (i, token) =>
        {
            using var response = await http.PostAsJsonAsync("write", new { key = $"test_key_{i % 5}", value = $"test_op_{i}" }, token);
            response.EnsureSuccessStatusCode();
        });

        var run = await CliRun.RunAsync("check", "--leader", fixture.LeaderUrl, "--wait", "60");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(5, run.OutputLines.Count(line => line.StartsWith("SUCCESS: Follower", StringComparison.Ordinal) && line.EndsWith("is consistent.", StringComparison.Ordinal)));
        Assert.Contains("All 5 followers match the leader.", run.OutputLines);
    }

    /// <summary>Goal: put stores JSON values as JSON and other text as strings, and get prints them back as JSON.</summary>
    [Fact]
    public async Task Put_then_get_round_trips_json_and_plain_text_values()
    {
        var putObject = await CliRun.RunAsync("put", "cli-object", """{"n":1,"tags":["a"]}""", "--leader", fixture.LeaderUrl);
        var putText = await CliRun.RunAsync("put", "cli-text", "hello world", "--leader", fixture.LeaderUrl);

        Assert.True(putObject.ExitCode == 0, putObject.ToString());
        Assert.Contains("\"status\":\"success\"", putObject.Output);
        Assert.True(putText.ExitCode == 0, putText.ToString());

        var getObject = await CliRun.RunAsync("get", "cli-object", "--leader", fixture.LeaderUrl);
        var getText = await CliRun.RunAsync("get", "cli-text", "--leader", fixture.LeaderUrl);
        Assert.Equal("""{"n":1,"tags":["a"]}""", getObject.Output.Trim());
        Assert.Equal("\"hello world\"", getText.Output.Trim());
    }

    /// <summary>Goal: list prints a prefix's keys in key order, and watch prints each new change once. Method: put three keys under a fresh prefix while watch runs.</summary>
    [Fact]
    public async Task List_prints_a_prefix_in_key_order_and_watch_prints_one_line_per_change()
    {
        var prefix = $"lw-{Guid.NewGuid():N}/";
        var written = new StringWriter();
        var output = TextWriter.Synchronized(written);
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        using var http = new HttpClient { BaseAddress = fixture.Cluster.LeaderUrl, Timeout = TimeSpan.FromSeconds(30) };
        // From the index before the writes, so the watch sees them whenever its stream opens.
        var since = (await http.GetFromJsonAsync<System.Text.Json.JsonElement>("status")).GetProperty("appliedThrough").GetInt64();
        var watching = CliApp.RunAsync(["watch", prefix, "--since", since.ToString(System.Globalization.CultureInfo.InvariantCulture), "--leader", fixture.LeaderUrl], output, TextWriter.Null, stop.Token);
        foreach (var key in new[] { "b", "a", "c" })
        {
            var put = await CliRun.RunAsync("put", prefix + key, $"\"{key}\"", "--leader", fixture.LeaderUrl);
            Assert.True(put.ExitCode == 0, put.ToString());
        }

        var list = await CliRun.RunAsync("list", prefix, "--leader", fixture.LeaderUrl);
        Assert.True(list.ExitCode == 0, list.ToString());
        Assert.Equal([prefix + "a", prefix + "b", prefix + "c"], list.OutputLines.Select(line => line.Split(' ')[0]));
        Assert.StartsWith(prefix + "a \"a\" ", list.OutputLines[0], StringComparison.Ordinal);

        await LeaderKv.TestSupport.Eventually.WaitUntilAsync(() => Lines(output, written).Count >= 3, TimeSpan.FromSeconds(60), "watch to print three changes", () => string.Join(" | ", Lines(output, written)));
        await stop.CancelAsync();
        Assert.Equal(0, await watching);
        var changes = Lines(output, written);
        Assert.Equal([prefix + "b", prefix + "a", prefix + "c"], changes.Select(line => line.Split(' ')[2]));
        Assert.All(changes, line => Assert.Equal("put", line.Split(' ')[1]));
    }

    private static List<string> Lines(TextWriter synchronized, StringWriter writer)
    {
        // TextWriter.Synchronized locks the wrapper itself.
        lock (synchronized)
        {
            return [.. writer.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries)];
        }
    }

    [Fact]
    public async Task Get_of_a_missing_key_exits_1_with_a_message()
    {
        var run = await CliRun.RunAsync("get", "no-such-key-" + Guid.NewGuid(), "--leader", fixture.LeaderUrl);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("not found", run.Error);
    }

    /// <summary>Goal: put --create, put --if-index and delete --if-index are compare-and-set from the shell. Method: one key through its versions.</summary>
    [Fact]
    public async Task Put_create_put_if_index_and_delete_if_index_write_only_over_the_version_they_name()
    {
        var key = "cas-" + Guid.NewGuid().ToString("N");
        var created = await CliRun.RunAsync("put", key, "1", "--create", "--leader", fixture.LeaderUrl);
        var index = System.Text.Json.JsonDocument.Parse(created.Output).RootElement.GetProperty("index").GetInt64();
        var createdAgain = await CliRun.RunAsync("put", key, "2", "--create", "--leader", fixture.LeaderUrl);
        var stale = await CliRun.RunAsync("put", key, "3", "--if-index", (index + 100).ToString(System.Globalization.CultureInfo.InvariantCulture), "--leader", fixture.LeaderUrl);
        var swapped = await CliRun.RunAsync("put", key, "4", "--if-index", index.ToString(System.Globalization.CultureInfo.InvariantCulture), "--leader", fixture.LeaderUrl);
        var swappedIndex = System.Text.Json.JsonDocument.Parse(swapped.Output).RootElement.GetProperty("index").GetInt64();
        var staleDelete = await CliRun.RunAsync("delete", key, "--if-index", index.ToString(System.Globalization.CultureInfo.InvariantCulture), "--leader", fixture.LeaderUrl);
        var deleted = await CliRun.RunAsync("delete", key, "--if-index", swappedIndex.ToString(System.Globalization.CultureInfo.InvariantCulture), "--leader", fixture.LeaderUrl);
        var get = await CliRun.RunAsync("get", key, "--leader", fixture.LeaderUrl);

        Assert.True(created.ExitCode == 0, created.ToString());
        Assert.Equal(1, createdAgain.ExitCode);
        Assert.Contains($"condition failed (the key is at index {index})", createdAgain.Error);
        Assert.Equal(1, stale.ExitCode);
        Assert.True(swapped.ExitCode == 0, swapped.ToString());
        Assert.Equal(1, staleDelete.ExitCode);
        Assert.True(deleted.ExitCode == 0, deleted.ToString());
        Assert.Contains("\"existed\":true", deleted.Output);
        Assert.Equal(1, get.ExitCode);
    }

    [Fact]
    public async Task Put_with_both_if_index_and_create_is_a_usage_error()
    {
        var run = await CliRun.RunAsync("put", "k", "1", "--if-index", "3", "--create", "--leader", fixture.LeaderUrl);

        // A parse error, reported by System.CommandLine like every other usage error (up --mode chaotic).
        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("--if-index and --create exclude each other", run.Error);
    }

    /// <summary>Goal: a write given only a follower follows the follower's seed-style refusal to the leader.</summary>
    [Fact]
    public async Task Put_through_a_follower_reaches_the_leader()
    {
        var follower = fixture.Cluster.Followers[0].Url.AbsoluteUri;

        var run = await CliRun.RunAsync("put", "via-follower", "1", "--node", follower);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains($"\"leader\":\"{fixture.LeaderUrl}\"", run.Output);
        var get = await CliRun.RunAsync("get", "via-follower", "--leader", follower);
        Assert.Equal("1", get.Output.Trim());
    }

    /// <summary>Goal: get --local reads the node's own copy; read-your-writes with --min-index waits for the write's index.</summary>
    [Fact]
    public async Task Get_local_with_min_index_reads_a_followers_copy_once_it_has_the_write()
    {
        var put = await CliRun.RunAsync("put", "local-read", "\"x\"", "--leader", fixture.LeaderUrl);
        var index = System.Text.Json.JsonDocument.Parse(put.Output).RootElement.GetProperty("index").GetInt64();
        var follower = fixture.Cluster.Followers[4].Url.AbsoluteUri;

        var get = await CliRun.RunAsync("get", "local-read", "--local", "--node", follower, "--min-index", index.ToString(System.Globalization.CultureInfo.InvariantCulture));

        Assert.True(get.ExitCode == 0, get.ToString());
        Assert.Equal("\"x\"", get.Output.Trim());
    }

    /// <summary>Goal: status shows all six nodes of the seed's layout from the leader alone, the leader named.</summary>
    [Fact]
    public async Task Status_lists_the_leader_and_all_five_followers()
    {
        var run = await CliRun.RunAsync("status", "--leader", fixture.LeaderUrl);

        Assert.True(run.ExitCode == 0, run.ToString());
        foreach (var node in fixture.Cluster.Nodes)
        {
            Assert.Contains(run.OutputLines, line => line.Contains(node.Url.AbsoluteUri.TrimEnd('/'), StringComparison.Ordinal)
                && line.Contains(node.Spec.IsLeader ? "leader" : "follower", StringComparison.Ordinal));
        }

        Assert.Contains(run.OutputLines, line => line.StartsWith($"Leader: leader ({fixture.LeaderUrl}), term ", StringComparison.Ordinal));
    }
}
