using LeaderKv.Cli.Tests.Support;

namespace LeaderKv.Cli.Tests.Bench;

/// <summary>`bench` refuses settings it cannot measure before starting any node.</summary>
public sealed class BenchCommandTests
{
    [Theory]
    [InlineData("--quorums", "6", "between 0 and the number of followers, 5")]
    [InlineData("--quorums", "1,x", "'x' is not a quorum")]
    [InlineData("--writes", "0", "--writes must be at least 1")]
    [InlineData("--concurrency", "0", "--concurrency must be at least 1")]
    [InlineData("--min-delay", "2000", "need 0 <= --min-delay <= --max-delay")]
    [InlineData("--value-bytes", "0", "--value-bytes must be between 1")]
    [InlineData("--mode", "sideways", "sideways")]
    [InlineData("--node-env", "JUSTANAME", "is not NAME=VALUE")]
    public async Task Invalid_settings_are_reported_without_starting_a_cluster(string option, string value, string message)
    {
        var run = await CliRun.RunAsync("bench", option, value);

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains(message, run.Output + run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Target_mode_needs_exactly_one_quorum_to_label_the_run()
    {
        var run = await CliRun.RunAsync("bench", "--target", "http://127.0.0.1:1", "--quorums", "1,2");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("single --quorums value", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_lists_every_flag_of_the_issue()
    {
        var run = await CliRun.RunAsync("bench", "--help");

        foreach (var flag in new[]
        {
            "--quorums", "--writes", "--concurrency", "--keys", "--followers", "--min-delay", "--max-delay",
            "--value-bytes", "--out", "--mode", "--target", "--throughput",
        })
        {
            Assert.Contains(flag, run.Output, StringComparison.Ordinal);
        }
    }
}
