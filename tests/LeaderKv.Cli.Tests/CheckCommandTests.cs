using LeaderKv.Cli.Cluster;
using LeaderKv.Cli.Tests.Support;

namespace LeaderKv.Cli.Tests;

/// <summary>
/// `check` against fake nodes whose /data a test chooses, so every outcome (match, mismatch, late
/// convergence, unreachable nodes) is reached deterministically and without node processes.
/// </summary>
public sealed class CheckCommandTests
{
    [Fact]
    public async Task A_follower_that_differs_fails_the_check_and_names_a_key()
    {
        await using var same = await FakeNode.WithDataAsync("""{"k":"new","n":1}""");
        await using var stale = await FakeNode.WithDataAsync("""{"k":"old","n":1}""");
        await using var leader = await FakeNode.LeaderAsync("""{"n":1,"k":"new"}""", same, stale);

        var run = await CliRun.RunAsync("check", "--leader", leader.BaseUrl);

        Assert.Equal(1, run.ExitCode);
        Assert.Equal(
            [
                "Leader key count: 2",
                $"SUCCESS: Follower 1 ({same.BaseUrl}) is consistent.",
                $"FAILURE: Follower 2 ({stale.BaseUrl}) MISMATCH. Key 'k': Leader=\"new\" vs Follower=\"old\".",
                "1 of 2 followers differ from the leader.",
            ],
            run.OutputLines);
    }

    /// <summary>
    /// Goal: --wait keeps checking until a lagging follower catches up. Method: the follower serves stale
    /// data for its first three /data requests and the leader's data after; check must end consistent.
    /// </summary>
    [Fact]
    public async Task Wait_rechecks_until_a_lagging_follower_catches_up()
    {
        await using var lagging = await FakeNode.StartAsync(n => n < 3 ? """{"k":1}""" : """{"k":2}""");
        await using var leader = await FakeNode.LeaderAsync("""{"k":2}""", lagging);

        var run = await CliRun.RunAsync("check", "--leader", leader.BaseUrl, "--wait", "60");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(4, lagging.DataRequests);
        Assert.Contains($"SUCCESS: Follower 1 ({lagging.BaseUrl}) is consistent.", run.OutputLines);
    }

    [Fact]
    public async Task Without_wait_a_lagging_follower_is_checked_once()
    {
        await using var lagging = await FakeNode.StartAsync(n => n < 3 ? """{"k":1}""" : """{"k":2}""");
        await using var leader = await FakeNode.LeaderAsync("""{"k":2}""", lagging);

        var run = await CliRun.RunAsync("check", "--leader", leader.BaseUrl);

        Assert.Equal(1, run.ExitCode);
        Assert.Equal(1, lagging.DataRequests);
    }

    [Fact]
    public async Task Followers_given_on_the_command_line_are_used_instead_of_status()
    {
        await using var first = await FakeNode.WithDataAsync("""{"a":1}""");
        await using var second = await FakeNode.WithDataAsync("""{"a":1}""");
        await using var leaderWithoutStatus = await FakeNode.WithDataAsync("""{"a":1}""");

        var run = await CliRun.RunAsync(
            "check", "--leader", leaderWithoutStatus.BaseUrl, "--followers", $"{first.BaseUrl},{second.BaseUrl}");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(2, run.OutputLines.Count(line => line.EndsWith("is consistent.", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task An_unreachable_follower_is_reported_as_a_failure()
    {
        var closed = $"http://127.0.0.1:{FreePorts.FindConsecutive(1)}";
        await using var leader = await FakeNode.WithDataAsync("""{"a":1}""");

        var run = await CliRun.RunAsync("check", "--leader", leader.BaseUrl, "--followers", closed);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains(run.OutputLines, line => line.StartsWith($"FAILURE: Follower 1 ({closed}) UNREACHABLE: cannot reach", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Pointing_check_at_a_follower_says_so()
    {
        await using var follower = await FakeNode.StartAsync(_ => "{}", () => """{"role":"follower","nodeId":"follower-1"}""");

        var run = await CliRun.RunAsync("check", "--leader", follower.BaseUrl);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains($"{follower.BaseUrl}: a follower that knows no leader", run.Error);
    }

    /// <summary>Goal: check finds the leader from a follower it is pointed at, and compares against that leader.</summary>
    [Fact]
    public async Task Check_from_a_follower_finds_the_leader_it_names()
    {
        await using var same = await FakeNode.WithDataAsync("""{"a":1}""");
        await using var leader = await FakeNode.LeaderAsync("""{"a":1}""", same);
        await using var follower = await FakeNode.StartAsync(_ => "{}", () => $$"""{"role":"follower","nodeId":"f","leader":"{{leader.BaseUrl}}"}""");

        var run = await CliRun.RunAsync("check", "--node", follower.BaseUrl);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains($"SUCCESS: Follower 1 ({same.BaseUrl}) is consistent.", run.OutputLines);
    }
}
