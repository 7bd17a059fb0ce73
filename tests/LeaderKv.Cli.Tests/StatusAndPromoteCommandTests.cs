using LeaderKv.Cli.Cluster;
using LeaderKv.Cli.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace LeaderKv.Cli.Tests;

/// <summary>`status` and `promote` against fake nodes whose answers a test chooses: no node processes.</summary>
public sealed class StatusAndPromoteCommandTests
{
    /// <summary>
    /// Goal: status finds every node from one and prints each with its role, term, indexes and lag.
    /// Method: the command is given only a follower; the leader it names lists it and a down follower.
    /// </summary>
    [Fact]
    public async Task Status_prints_every_node_found_from_a_follower_with_the_down_one_as_a_row()
    {
        var down = $"http://127.0.0.1:{FreePorts.FindConsecutive(1)}";
        FakeNode? follower = null;
        await using var leader = await FakeNode.StartAsync(_ => "{}", () => $$"""
            {"role":"leader","nodeId":"node-0","term":4,"leader":null,"commitIndex":41,"appliedThrough":41,"lastIndex":42,
             "failover":"automatic","followers":[
               {"id":"node-1","url":"{{follower!.BaseUrl}}","state":"up","appliedThrough":39,"lag":3,"lastHeardMsAgo":12},
               {"id":"node-2","url":"{{down}}","state":"down","appliedThrough":10,"lag":32,"lastHeardMsAgo":9000}]}
            """);
        follower = await FakeNode.StartAsync(_ => "{}", () => $$"""
            {"role":"follower","nodeId":"node-1","term":4,"leader":"{{leader.BaseUrl}}","commitIndex":41,"appliedThrough":39,"lastIndex":42}
            """);
        await using var _ = follower;

        var run = await CliRun.RunAsync("status", "--node", follower.BaseUrl);

        Assert.True(run.ExitCode == 0, run.ToString());
        var rows = run.OutputLines;
        Assert.Contains(rows, r => r.Contains("node-1", StringComparison.Ordinal) && r.Contains("follower", StringComparison.Ordinal)
            && r.Contains("3 (12 ms ago)", StringComparison.Ordinal) && r.Contains(" up ", StringComparison.Ordinal));
        Assert.Contains(rows, r => r.Contains("node-0", StringComparison.Ordinal) && r.Contains("leader", StringComparison.Ordinal)
            && r.Contains(" 41 ", StringComparison.Ordinal) && r.Contains(" 42 ", StringComparison.Ordinal) && r.Contains("leading", StringComparison.Ordinal));
        Assert.Contains(rows, r => r.Contains(down, StringComparison.Ordinal) && r.Contains("down", StringComparison.Ordinal) && r.Contains("cannot reach", StringComparison.Ordinal));
        Assert.Contains($"Leader: node-0 ({leader.BaseUrl}), term 4, failover automatic.", rows);
    }

    [Fact]
    public async Task Status_without_a_leader_exits_1_and_says_so()
    {
        await using var candidate = await FakeNode.StartAsync(_ => "{}", () => """{"role":"candidate","nodeId":"node-3","term":9,"appliedThrough":5,"lastIndex":5}""");

        var run = await CliRun.RunAsync("status", "--node", candidate.BaseUrl);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains(run.OutputLines, r => r.Contains("candidate", StringComparison.Ordinal) && r.Contains(" 9 ", StringComparison.Ordinal));
        Assert.Contains("No node reports itself leader", run.Output);
    }

    /// <summary>Goal: promote never runs without the flag, and still says what it would risk.</summary>
    [Fact]
    public async Task Promote_without_accept_data_loss_refuses_and_sends_nothing()
    {
        var promotions = 0;
        await using var node = await FakeNode.StartAsync(_ => "{}", routes: app => app.MapPost("/admin/promote", () => Interlocked.Increment(ref promotions)));

        var run = await CliRun.RunAsync("promote", node.BaseUrl);

        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith("error: promote refused: pass --accept-data-loss", run.Error);
        Assert.Contains("LOST", run.Error);
        Assert.Equal(0, promotions);
    }

    [Fact]
    public async Task Promote_with_accept_data_loss_warns_and_prints_the_new_term()
    {
        string? query = null;
        await using var node = await FakeNode.StartAsync(_ => "{}", routes: app => app.MapPost("/admin/promote", (HttpRequest request) =>
        {
            query = request.QueryString.Value;
            return Results.Json(new { term = 6 }, statusCode: StatusCodes.Status202Accepted);
        }));

        var run = await CliRun.RunAsync("promote", node.BaseUrl, "--accept-data-loss");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("?acceptDataLoss=true", query);
        Assert.StartsWith("WARNING: forcing a leader.", run.Error);
        Assert.Contains($"{node.BaseUrl} accepted: it leads from term 6.", run.OutputLines);
    }

    [Fact]
    public async Task Promote_refused_by_the_node_exits_1_with_its_reason()
    {
        await using var node = await FakeNode.StartAsync(_ => "{}", routes: app => app.MapPost("/admin/promote", () =>
            Results.Problem(detail: "Promotion needs acceptDataLoss=true.", statusCode: 400)));

        var run = await CliRun.RunAsync("promote", node.BaseUrl, "--accept-data-loss");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("Promotion needs acceptDataLoss=true.", run.Error);
    }
}
