using System.Diagnostics;
using LeaderKv.Cli.Cluster;

namespace LeaderKv.Cli.Tests;

/// <summary>A misconfigured node process stops at start-up with one line naming the variable, not a stack trace.</summary>
[Trait("Category", "Process")]
public class NodeConfigurationProcessTests
{
    [Theory]
    [InlineData("WRITE_QUORUM", "9")]
    [InlineData("MIN_DELAY", "5000")]
    [InlineData("ROLE", "primary")]
    [InlineData("FOLLOWERS", "follower-1:80")]
    public async Task A_node_with_invalid_configuration_exits_naming_the_variable(string variable, string value)
    {
        var start = new ProcessStartInfo(DotnetHost.Resolve())
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(LocalCluster.DefaultNodeAssemblyPath);
        start.Environment["ROLE"] = "leader";
        start.Environment["FOLLOWERS"] = "http://127.0.0.1:9";
        start.Environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
        start.Environment[variable] = value;

        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        finally
        {
            // A node that wrongly started would otherwise outlive the test.
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }

        var errors = await stderr;

        Assert.Equal(2, process.ExitCode);
        Assert.Contains(variable, errors, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", errors + await stdout, StringComparison.Ordinal);
    }
}
