using System.Text.Json;
using LeaderKv.Cli.Tests.Support;
using LeaderKv.Cli.Verify;

namespace LeaderKv.Cli.Tests.Verify;

/// <summary>
/// Short `leaderkv verify` runs against real node processes: under each nemesis a correct cluster
/// passes every check, and a node broken on purpose (stale reads) makes verify exit 1. Each run is
/// three nodes for about ten seconds, one at a time.
/// </summary>
[Trait("Category", "Process")]
[Collection(ProcessTestCollection.Name)]
public sealed class VerifyRunTests : IDisposable
{
    private readonly string _out = Directory.CreateTempSubdirectory("leaderkv-verify-test-").FullName;

    public void Dispose() => Directory.Delete(_out, recursive: true);

    [Theory]
    [InlineData("kill", 11)]
    [InlineData("pause", 12)]
    public async Task A_correct_cluster_passes_every_check_under_the_nemesis(string kind, int seed)
    {
        Assert.True(VerifyCommand.TryParseNemesis(kind, out var nemesis));
        // Goal: the short schedules CI runs. Method: 3 nodes at WRITE_QUORUM=1, 4 clients on 3 keys,
        // faults of 3 s with 1.5 s between, for 10 s; then every check must pass and faults must have happened.
        var (exit, output) = await RunAsync(Settings(nemesis, seed));

        Assert.True(exit == 0, output);
        using var verdict = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(_out, "verdict.json")));
        Assert.True(verdict.RootElement.GetProperty("passed").GetBoolean(), output);
        Assert.True(verdict.RootElement.GetProperty("committedWrites").GetInt32() > 0);
        using var history = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(_out, "history.json")));
        Assert.Contains(history.RootElement.GetProperty("faults").EnumerateArray(), f => f.GetProperty("kind").GetString() == kind);
        Assert.True(File.Exists(Path.Combine(_out, "report.html")));
    }

    [Fact]
    public async Task A_correct_cluster_passes_every_check_under_partitions_from_the_command_line()
    {
        // The same through the command as a user types it, so its options are covered too.
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exit = await CliApp.RunAsync(
            ["verify", "--nodes", "3", "--quorum", "1", "--time", "10s", "--nemesis", "partition", "--clients", "4", "--keys", "3", "--seed", "13", "--out", _out],
            output, error);

        Assert.True(exit == 0, output + error.ToString());
        using var history = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(_out, "history.json")));
        Assert.Contains(history.RootElement.GetProperty("faults").EnumerateArray(), f => f.GetProperty("kind").GetString() == "partition");
        Assert.Contains("linearizable per key:     pass", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_exits_1_when_nodes_serve_stale_reads()
    {
        // Goal: verify catches a real bug class. Method: nodes started with UNSAFE_TEST_STALE_READS,
        // which answer single-key reads from a copy of the table up to two seconds old and ignore
        // minIndex; no faults needed. The writes are all there afterwards, so only linearizability fails.
        var settings = Settings(Nemesis.None, 14) with { NodeEnvironment = new Dictionary<string, string> { ["UNSAFE_TEST_STALE_READS"] = "true" } };

        var (exit, output) = await RunAsync(settings);

        Assert.True(exit == 1, output);
        using var verdict = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(_out, "verdict.json")));
        var linearizability = verdict.RootElement.GetProperty("linearizability");
        Assert.False(linearizability.GetProperty("passed").GetBoolean());
        Assert.Equal("not linearizable", linearizability.GetProperty("verdict").GetString());
        Assert.Contains(linearizability.GetProperty("keys").EnumerateArray(), k => k.GetProperty("cannotBePlaced").GetArrayLength() > 0);
        Assert.True(verdict.RootElement.GetProperty("noCommittedWriteLost").GetProperty("passed").GetBoolean());
        Assert.Contains("stroke='#e00'", await File.ReadAllTextAsync(Path.Combine(_out, "report.html")), StringComparison.Ordinal);
    }

    private VerifySettings Settings(Nemesis nemesis, int seed) => new()
    {
        Nodes = 3,
        Quorum = 1,
        Duration = TimeSpan.FromSeconds(10),
        Nemesis = nemesis,
        Clients = 4,
        Keys = 3,
        Seed = seed,
        OutputDirectory = _out,
        FaultGap = TimeSpan.FromSeconds(1.5),
        FaultLength = TimeSpan.FromSeconds(3),
    };

    private static async Task<(int Exit, string Output)> RunAsync(VerifySettings settings)
    {
        using var output = new StringWriter();
        var exit = await VerifyCommand.RunAsync(settings, output, output, TimeProvider.System, CancellationToken.None);
        return (exit, output.ToString());
    }
}
