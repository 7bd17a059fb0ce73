using LeaderKv.Cli.Cluster;
using LeaderKv.Cli.Tests.Support;

namespace LeaderKv.Cli.Tests;

/// <summary>With nothing listening, every client command prints one readable line and exits 2: no stack trace.</summary>
public sealed class UnreachableLeaderTests
{
    [Theory]
    [InlineData("put", "k", "v")]
    [InlineData("get", "k")]
    [InlineData("check")]
    [InlineData("status")]
    public async Task Commands_explain_an_unreachable_leader_without_a_stack_trace(params string[] command)
    {
        var leader = $"http://127.0.0.1:{FreePorts.FindConsecutive(1)}";

        var run = await CliRun.RunAsync([.. command, "--leader", leader]);

        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith("error: ", run.Error);
        Assert.Contains($"{leader}: cannot reach {leader}: ", run.Error);
        Assert.Single(run.Error.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
        Assert.Empty(run.Output);
    }

    [Fact]
    public async Task A_malformed_leader_url_is_a_usage_error()
    {
        var run = await CliRun.RunAsync("get", "k", "--leader", "not a url");

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("is not an http:// or https:// URL", run.Error);
    }
}
