using System.CommandLine;
using System.Runtime.InteropServices;
using LeaderKv.Cli.Client;
using LeaderKv.Cli.Cluster;
using LeaderKv.Client;
using LeaderKv.Core;

namespace LeaderKv.Cli.Commands;

/// <summary>
/// <c>leaderkv up</c>: runs a local cluster in the foreground until Ctrl+C or SIGTERM, then stops
/// every node it started. By default the nodes are given PEERS and a data directory each, so a new
/// leader is elected when the leader dies; <c>--no-failover</c> starts the seed's fixed layout.
/// </summary>
internal static class UpCommand
{
    /// <summary>How long `up` waits for some node to report itself leader once all are healthy: many election timeouts.</summary>
    private static readonly TimeSpan LeaderTimeout = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan LeaderPollInterval = TimeSpan.FromMilliseconds(200);

    public static Command Create()
    {
        var defaults = new LocalClusterOptions();
        var followers = new Option<int>("--followers")
        {
            Description = "Number of followers.",
            HelpName = "N",
            DefaultValueFactory = _ => defaults.Followers,
        };
        var quorum = new Option<int>("--quorum")
        {
            Description = "WRITE_QUORUM: follower acks a write waits for (0 = asynchronous).",
            HelpName = "K",
            DefaultValueFactory = _ => defaults.WriteQuorum,
        };
        var minDelay = new Option<int>("--min-delay")
        {
            Description = "MIN_DELAY: least simulated lag per follower, in milliseconds.",
            HelpName = "MS",
            DefaultValueFactory = _ => defaults.MinDelayMs,
        };
        var maxDelay = new Option<int>("--max-delay")
        {
            Description = "MAX_DELAY: most simulated lag per follower, in milliseconds.",
            HelpName = "MS",
            DefaultValueFactory = _ => defaults.MaxDelayMs,
        };
        var basePort = new Option<int>("--base-port")
        {
            Description = "Port of node-0 (the first leader); node i listens on base-port + i.",
            HelpName = "P",
            DefaultValueFactory = _ => defaults.BasePort,
        };
        var mode = new Option<ReplicationMode>("--mode")
        {
            Description = "ordered (followers apply in index order, always converge) or unordered (the seed's race, on purpose).",
            DefaultValueFactory = _ => defaults.Mode,
        };
        var logs = new Option<bool>("--logs") { Description = "Print every node's log lines, prefixed with its name." };
        var dataDir = new Option<string?>("--data-dir")
        {
            Description = "Keep each node's log and snapshots in DIR/<node> so the cluster survives restarts " +
                "(default: a temporary directory removed on exit; with --no-failover, in memory).",
            HelpName = "DIR",
        };
        var fsync = new Option<string?>("--fsync")
        {
            Description = "always (fsync before every ack, the default), interval or never; with --no-failover it needs --data-dir.",
            HelpName = "POLICY",
        };
        var noFailover = new Option<bool>("--no-failover")
        {
            Description = "The seed's layout: a fixed leader (ROLE, FOLLOWERS) that no election replaces, in memory unless --data-dir.",
        };

        var command = new Command("up", "Start a cluster on 127.0.0.1 (node-0 leads first, failover on) and run it until Ctrl+C.")
        {
            followers, quorum, minDelay, maxDelay, basePort, mode, logs, dataDir, fsync, noFailover,
        };
        command.SetAction(async (parse, _) =>
        {
            var output = TextWriter.Synchronized(parse.InvocationConfiguration.Output);
            var error = TextWriter.Synchronized(parse.InvocationConfiguration.Error);
            var options = defaults with
            {
                Layout = parse.GetValue(noFailover) ? ClusterLayout.Seed : ClusterLayout.Peers,
                Followers = parse.GetValue(followers),
                WriteQuorum = parse.GetValue(quorum),
                MinDelayMs = parse.GetValue(minDelay),
                MaxDelayMs = parse.GetValue(maxDelay),
                BasePort = parse.GetValue(basePort),
                Mode = parse.GetValue(mode),
                DataDirectory = parse.GetValue(dataDir),
                Fsync = parse.GetValue(fsync),
                NodeOutput = parse.GetValue(logs) ? (node, line) => output.WriteLine($"[{node}] {line}") : null,
            };
            if (options.Validate() is { } problem)
            {
                await error.WriteLineAsync($"error: {problem}");
                return ExitCodes.Error;
            }

            return await RunAsync(options, output, error);
        });
        return command;
    }

    private static async Task<int> RunAsync(LocalClusterOptions options, TextWriter output, TextWriter error)
    {
        using var stop = new CancellationTokenSource();
        // Registered before any node starts, so a signal during start-up still stops what was started.
        using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);

        var settings = $"quorum {options.WriteQuorum}, delay {options.MinDelayMs}-{options.MaxDelayMs} ms, " +
            $"{options.Mode.ToString().ToLowerInvariant()} mode";
        await output.WriteLineAsync(options.Layout == ClusterLayout.Peers
            ? $"Starting {options.Followers + 1} nodes with automatic failover ({settings})..."
            : $"Starting a leader and {options.Followers} followers without failover ({settings})...");

        // The dashboard's stop/pause/restart buttons: a loopback endpoint whose URL and token only these nodes get.
        await using var control = await ControlEndpoint.StartAsync(line => output.WriteLine($"dashboard: {line}"), stop.Token);
        options = options with
        {
            ExtraEnvironment = new Dictionary<string, string>(options.ExtraEnvironment.Concat(control.Environment)),
        };

        LocalCluster cluster;
        try
        {
            cluster = await LocalCluster.StartAsync(options, stop.Token);
            control.Attach(cluster);
        }
        catch (ClusterStartException ex)
        {
            await error.WriteLineAsync($"error: {ex.Message}");
            if (ex.NodeOutput.Length > 0)
            {
                await error.WriteLineAsync($"last output of {ex.NodeName}:{Environment.NewLine}{ex.NodeOutput}");
            }

            return ExitCodes.Error;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            await output.WriteLineAsync("Interrupted during start-up; every node started has been stopped.");
            return ExitCodes.Success;
        }

        await using (cluster)
        {
            foreach (var node in cluster.Nodes.OrderBy(n => n.Url.Port))
            {
                await output.WriteLineAsync($"{node.Name,-12} {node.Url.AbsoluteUri.TrimEnd('/'),-24} pid {node.ProcessId}");
            }

            if (cluster.DataDirectory is { } data)
            {
                await output.WriteLineAsync(cluster.DataDirectoryIsTemporary
                    ? $"Data in {data} (temporary: removed when up stops; --data-dir DIR keeps it)."
                    : $"Data in {data}/<node>.");
            }

            await output.WriteLineAsync($"All {cluster.Nodes.Count} nodes are healthy.");
            await output.WriteLineAsync(await DescribeLeaderAsync(cluster, stop.Token));
            await output.WriteLineAsync($"Dashboard: {NodeAddress.Format(cluster.Nodes.OrderBy(n => n.Url.Port).First().Url)}/ui (any node's /ui; its buttons stop, pause and restart nodes).");
            await output.WriteLineAsync("Press Ctrl+C to stop.");
            var watchers = cluster.Nodes.Select(n => ReportUnexpectedExitAsync(n, error, stop.Token)).ToList();
            try
            {
                await Task.Delay(Timeout.Infinite, stop.Token);
            }
            catch (OperationCanceledException)
            {
                // The signal handlers cancel `stop`: time to shut down.
            }

            await Task.WhenAll(watchers);
            await output.WriteLineAsync("Stopping...");
            await cluster.StopAsync();
            await output.WriteLineAsync("Stopped.");
        }

        return ExitCodes.Success;

        void Stop(PosixSignalContext context)
        {
            // Keep the runtime from exiting at once: the nodes must be stopped first.
            context.Cancel = true;
            stop.Cancel();
        }
    }

    /// <summary>
    /// Polls every node's /status until one reports itself leader (an elected cluster needs an election
    /// timeout or so; the seed's leader leads at once) and says which, or that none did in time.
    /// </summary>
    private static async Task<string> DescribeLeaderAsync(LocalCluster cluster, CancellationToken stopping)
    {
        using var client = new LeaderKvClient(cluster.Nodes.Select(n => n.Url));
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        deadline.CancelAfter(LeaderTimeout);
        try
        {
            while (true)
            {
                var reports = await client.ClusterStatusAsync(deadline.Token);
                if (reports.Where(r => r.Status?.IsLeader == true).MaxBy(r => r.Status!.Term) is { } leader)
                {
                    var name = cluster.Nodes.FirstOrDefault(n => n.Url == leader.Node)?.Name ?? leader.Status!.NodeId;
                    return $"{name} ({NodeAddress.Format(leader.Node)}) leads, term {leader.Status!.Term}.";
                }

                await Task.Delay(LeaderPollInterval, deadline.Token);
            }
        }
        catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
        {
            return $"No node reported itself leader within {LeaderTimeout.TotalSeconds:0} s; `leaderkv status` shows where the cluster stands.";
        }
        catch (OperationCanceledException)
        {
            return "Stopping before a leader was reported.";
        }
    }

    /// <summary>A node that dies while the cluster runs (say, a follower killed to test quorum) is reported, not restarted.</summary>
    private static async Task ReportUnexpectedExitAsync(NodeProcess node, TextWriter error, CancellationToken stopping)
    {
        try
        {
            var exitCode = await node.WaitForExitAsync(stopping);
            if (stopping.IsCancellationRequested || node.ExitRequested)
            {
                // Ctrl+C in a terminal reaches the nodes too; they may exit before the CLI stops them.
                // A node stopped from the dashboard was reported by the control endpoint.
                return;
            }

            await error.WriteLineAsync($"{node.Name} (pid {node.ProcessId}) exited with code {exitCode}; the other nodes keep running.");
        }
        catch (OperationCanceledException)
        {
            // Stopping on purpose: exits from here on are expected.
        }
    }
}
