using System.Globalization;
using LeaderKv.Cli.Cluster;
using LeaderKv.Cli.Tests.Support;
using LeaderKv.TestSupport;
using LeaderKv.TestSupport.Processes;

namespace LeaderKv.Cli.Tests;

/// <summary>
/// <c>leaderkv up</c> as a user runs it: a real CLI process that starts six real node processes.
/// These tests prove that no node outlives the CLI, however the CLI ends, and that the default
/// cluster (PEERS, failover on) replaces a killed leader. Every test but the --no-failover one needs
/// nodes that understand PEERS (the leadership change).
/// </summary>
[Collection(ProcessTestCollection.Name)]
[Trait("Category", "Process")]
public sealed class UpCommandProcessTests
{
    private const int Nodes = 6;
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Goal: Ctrl+C (SIGINT) and SIGTERM both stop the CLI and every node it started.
    /// Method: start `up` on free ports, wait until the six children answer /health, signal the CLI,
    /// then wait until the CLI has exited 0 and none of the six processes exists any more.
    /// </summary>
    [Theory]
    [InlineData(PosixSignals.SigTerm)]
    [InlineData(PosixSignals.SigInt)]
    public async Task A_signal_to_up_stops_every_node_it_started(int signal)
    {
        var basePort = FreePorts.FindConsecutive(Nodes);
        using var cli = StartUp(basePort);
        var nodes = await WaitForHealthyNodesAsync(cli, basePort);
        try
        {
            Assert.True(PosixSignals.Send(cli.ProcessId, signal));

            Assert.Equal(0, await cli.WaitForExitAsync(StopTimeout));
            await Eventually.WaitUntilAsync(() => nodes.All(n => !n.IsRunning), StopTimeout, "every node process to exit");
            Assert.Contains("Stopped.", cli.Lines);
            var data = cli.Lines.Single(line => line.StartsWith("Data in ", StringComparison.Ordinal));
            Assert.False(Directory.Exists(data["Data in ".Length..data.IndexOf(" (temporary", StringComparison.Ordinal)]), "the temporary data directory outlived up");
        }
        finally
        {
            KillAll(nodes);
        }
    }

    /// <summary>
    /// Goal: a CLI that is killed outright (SIGKILL: no handler runs) still leaves no orphan node.
    /// Method: as above, but SIGKILL the CLI; the kernel's parent-death signal must end the nodes.
    /// </summary>
    [Fact]
    public async Task Nodes_die_with_up_even_when_it_is_killed()
    {
        var basePort = FreePorts.FindConsecutive(Nodes);
        using var cli = StartUp(basePort);
        var nodes = await WaitForHealthyNodesAsync(cli, basePort);
        try
        {
            Assert.True(PosixSignals.Send(cli.ProcessId, PosixSignals.SigKill));

            await cli.WaitForExitAsync(StopTimeout);
            await Eventually.WaitUntilAsync(() => nodes.All(n => !n.IsRunning), StopTimeout, "every node process to exit");
        }
        finally
        {
            KillAll(nodes);
        }
    }

    /// <summary>
    /// Goal: a node that cannot start makes `up` fail with a readable error and leaves nothing behind.
    /// Method: hold node-2's port, run `up`, and check the exit code, the message and the children.
    /// </summary>
    [Fact]
    public async Task Up_reports_a_node_that_cannot_start_and_stops_the_others()
    {
        var basePort = FreePorts.FindConsecutive(Nodes);
        using var blocker = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, basePort + 2);
        blocker.Start();
        using var cli = StartUp(basePort);
        var seen = new HashSet<ProcessProbe>();
        await Eventually.WaitUntilAsync(
            () =>
            {
                seen.UnionWith(ProcessProbe.ChildrenOf(cli.ProcessId));
                return cli.HasExited;
            },
            StartTimeout,
            "up to give up");

        Assert.Equal(2, await cli.WaitForExitAsync(StopTimeout));
        Assert.Contains(cli.Lines, line => line.StartsWith("error: node-2 exited", StringComparison.Ordinal));
        // The node's own last lines are quoted after this header for diagnosis; the CLI's part has no stack trace.
        var cliPart = cli.Lines.TakeWhile(line => !line.StartsWith("last output of", StringComparison.Ordinal));
        Assert.DoesNotContain(cliPart, line => line.TrimStart().StartsWith("at ", StringComparison.Ordinal));
        Assert.Contains("last output of node-2:", cli.Lines);
        var survivors = seen.Where(node => node.IsRunning).ToList();
        KillAll(survivors);
        Assert.Empty(survivors);
    }

    /// <summary>
    /// Goal: `up` starts failover on by default, says who leads, and a client given any surviving node
    /// follows the leadership to whoever is elected after the leader is killed. Method: start `up`,
    /// read node-0's pid from its output, SIGKILL it, then `put` through node-1 and `status` from it.
    /// </summary>
    [Fact]
    public async Task By_default_a_killed_leader_is_replaced_and_clients_follow_the_new_one()
    {
        var basePort = FreePorts.FindConsecutive(Nodes);
        using var cli = StartUp(basePort);
        var nodes = await WaitForHealthyNodesAsync(cli, basePort);
        try
        {
            // node-0 (ROLE=leader) normally wins the first election, but on a loaded machine another
            // node's timer may run out first: whichever leads is the one to kill.
            var leads = await cli.WaitForLineAsync(line => line.StartsWith("node-", StringComparison.Ordinal) && line.Contains(" leads, term ", StringComparison.Ordinal), StartTimeout, "the leader line");
            Assert.Contains(cli.Lines, line => line.StartsWith("Data in ", StringComparison.Ordinal) && line.Contains("temporary", StringComparison.Ordinal));
            var leaderName = leads[..leads.IndexOf(' ', StringComparison.Ordinal)];
            var leaderNumber = int.Parse(leaderName["node-".Length..], CultureInfo.InvariantCulture);
            var leaderLine = cli.Lines.First(line => line.StartsWith(leaderName + " ", StringComparison.Ordinal) && line.Contains(" pid ", StringComparison.Ordinal));
            var pid = int.Parse(leaderLine[(leaderLine.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
            var survivor = $"http://127.0.0.1:{basePort + (leaderNumber + 1) % Nodes}";
            var other = $"http://127.0.0.1:{basePort + (leaderNumber + 2) % Nodes}";
            var before = await CliRun.RunAsync("put", "before", "1", "--node", survivor);
            Assert.True(before.ExitCode == 0, before.ToString());

            Assert.True(PosixSignals.Send(pid, PosixSignals.SigKill));

            CliRun? after = null;
            await Eventually.WaitUntilAsync(
                async () => (after = await CliRun.RunAsync("put", "after", "2", "--node", survivor, "--node", other)).ExitCode == 0,
                StartTimeout,
                $"a write through the survivors after {leaderName} was killed");
            Assert.DoesNotContain($"\"leader\":\"http://127.0.0.1:{basePort + leaderNumber}\"", after!.Output);
            var status = await CliRun.RunAsync("status", "--node", survivor);
            Assert.Contains(status.OutputLines, line => line.StartsWith("Leader: node-", StringComparison.Ordinal) && !line.StartsWith($"Leader: {leaderName} ", StringComparison.Ordinal));
            var read = await CliRun.RunAsync("get", "before", "--node", survivor);
            Assert.Equal("1", read.Output.Trim());
        }
        finally
        {
            KillAll(nodes);
        }
    }

    /// <summary>Goal: --no-failover starts the seed's layout (a leader named "leader" and follower-1..5) and names its leader.</summary>
    [Fact]
    public async Task No_failover_starts_the_seed_layout_and_names_its_leader()
    {
        var basePort = FreePorts.FindConsecutive(Nodes);
        using var cli = CliProcess.Start(
            "up", "--no-failover", "--base-port", basePort.ToString(CultureInfo.InvariantCulture), "--max-delay", "20");
        var nodes = await WaitForHealthyNodesAsync(cli, basePort);
        try
        {
            await cli.WaitForLineAsync(line => line.Contains(" leads, term ", StringComparison.Ordinal), StartTimeout, "the leader line");
            Assert.Contains(cli.Lines, line => line.StartsWith($"leader (http://127.0.0.1:{basePort}) leads, term ", StringComparison.Ordinal));
            Assert.Contains(cli.Lines, line => line.StartsWith("follower-5 ", StringComparison.Ordinal));
            Assert.DoesNotContain(cli.Lines, line => line.StartsWith("Data in ", StringComparison.Ordinal));
            Assert.True(PosixSignals.Send(cli.ProcessId, PosixSignals.SigTerm));
            Assert.Equal(0, await cli.WaitForExitAsync(StopTimeout));
        }
        finally
        {
            KillAll(nodes);
        }
    }

    /// <summary>Clean-up after a failed assertion: no test may leave node processes behind.</summary>
    private static void KillAll(IEnumerable<ProcessProbe> nodes)
    {
        foreach (var node in nodes)
        {
            node.KillIfRunning();
        }
    }

    private static ChildProcess StartUp(int basePort) => CliProcess.Start(
        "up", "--followers", "5", "--base-port", basePort.ToString(CultureInfo.InvariantCulture), "--max-delay", "20");

    /// <summary>
    /// Waits for `up` to say its nodes are healthy, then checks that independently: six live children,
    /// the same pids `up` printed, and a 200 from every node's /health.
    /// </summary>
    private static async Task<IReadOnlyList<ProcessProbe>> WaitForHealthyNodesAsync(ChildProcess cli, int basePort)
    {
        await cli.WaitForLineAsync(line => line.Contains("nodes are healthy", StringComparison.Ordinal), StartTimeout, "the healthy line");

        var children = ProcessProbe.ChildrenOf(cli.ProcessId);
        var printed = cli.Lines
            .Where(line => line.Contains(" pid ", StringComparison.Ordinal))
            .Select(line => int.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture))
            .Order();
        Assert.Equal(Nodes, children.Count);
        Assert.Equal(printed, children.Select(c => c.ProcessId).Order());

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        for (var port = basePort; port < basePort + Nodes; port++)
        {
            using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{port}/health"));
            Assert.True(response.IsSuccessStatusCode, $"/health on port {port} answered {response.StatusCode}");
        }

        return children;
    }
}
