using LeaderKv.Cli.Tests.Support;

namespace LeaderKv.Cli.Tests;

/// <summary>`up` refuses a cluster the node would reject, before starting any process.</summary>
public sealed class UpCommandTests
{
    [Theory]
    [InlineData("--followers", "2", "--quorum", "3")]
    [InlineData("--min-delay", "500", "--max-delay", "100")]
    [InlineData("--base-port", "65534")]
    [InlineData("--mode", "unordered")]
    [InlineData("--no-failover", "--fsync", "never")]
    public async Task Invalid_flags_are_reported_in_one_line_without_starting_nodes(params string[] flags)
    {
        var run = await CliRun.RunAsync(["up", .. flags]);

        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith("error: --", run.Error);
        Assert.Single(run.Error.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
        Assert.Empty(run.Output);
    }

    [Fact]
    public async Task An_unknown_mode_is_a_usage_error()
    {
        var run = await CliRun.RunAsync("up", "--mode", "chaotic");

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("chaotic", run.Error);
        Assert.DoesNotContain("Starting", run.Output);
    }
}
