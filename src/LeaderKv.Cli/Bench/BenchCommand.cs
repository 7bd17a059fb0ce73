using System.CommandLine;
using LeaderKv.Cli.Bench.Output;
using LeaderKv.Cli.Bench.Progress;
using LeaderKv.Cli.Cluster;
using LeaderKv.Cli.Commands;
using LeaderKv.Core;
using Spectre.Console;

namespace LeaderKv.Cli.Bench;

/// <summary>
/// <c>leaderkv bench</c>: the seed's quorum benchmark (or, with --throughput, the throughput experiment),
/// measured with percentiles, checked for consistency, and written to a results folder with plots.
/// </summary>
internal static class BenchCommand
{
    public static Command Create(TimeProvider time)
    {
        var seed = BenchSettings.Seed;
        var fast = BenchSettings.ThroughputDefaults;
        var quorums = new Option<int[]>("--quorums")
        {
            Description = $"Write quorums to measure, comma-separated (default {string.Join(',', seed.Quorums)}; throughput {string.Join(',', fast.Quorums)}).",
            HelpName = "K,K,...",
            CustomParser = ParseQuorums,
        };
        var writes = new Option<int>("--writes") { Description = $"Writes per quorum (default {seed.Writes}; throughput {fast.Writes}).", HelpName = "N" };
        var concurrency = new Option<int>("--concurrency") { Description = $"Writes in flight at once (default {seed.Concurrency}; throughput {fast.Concurrency}).", HelpName = "N" };
        var keys = new Option<int>("--keys") { Description = $"Distinct keys, key-0..key-(N-1) (default {seed.Keys}).", HelpName = "N" };
        var followers = new Option<int>("--followers") { Description = $"Followers per cluster (default {seed.Followers}).", HelpName = "N" };
        var minDelay = new Option<int>("--min-delay") { Description = $"MIN_DELAY in ms (default {seed.MinDelayMs}; throughput {fast.MinDelayMs}).", HelpName = "MS" };
        var maxDelay = new Option<int>("--max-delay") { Description = $"MAX_DELAY in ms (default {seed.MaxDelayMs}; throughput {fast.MaxDelayMs}).", HelpName = "MS" };
        var valueBytes = new Option<int>("--value-bytes") { Description = "Pad each value (value-i) to this many bytes.", HelpName = "BYTES" };
        var output = new Option<string>("--out") { Description = "Folder for the results (default bench-results/<UTC timestamp>).", HelpName = "DIR" };
        var mode = new Option<string>("--mode")
        {
            Description = "ordered, unordered (the seed's apply-in-arrival-order race) or both (default both; throughput ordered).",
            HelpName = "MODE",
        };
        mode.AcceptOnlyFromAmong("ordered", "unordered", "both");
        var target = new Option<Uri>("--target")
        {
            Description = "Measure this running leader (e.g. docker compose) instead of starting a cluster per quorum; give its quorum with --quorums.",
            HelpName = "URL",
            CustomParser = result => CommonOptions.ParseUrl(result.Tokens[0].Value, result),
        };
        var targetFollowers = new Option<Uri[]>("--target-followers")
        {
            Description = "Follower URLs of --target, comma-separated, when its /status lists addresses this machine cannot reach.",
            HelpName = "URLS",
            CustomParser = result => result.Tokens
                .SelectMany(t => t.Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                .Select(text => CommonOptions.ParseUrl(text, result))
                .ToArray(),
        };
        var throughput = new Option<bool>("--throughput")
        {
            Description = "Throughput mode: no delay, 20,000 writes at concurrency 64, quorums 0,1,3,5, a cold and a warm pass per cluster.",
        };
        var basePort = new Option<int>("--base-port") { Description = "Leader port of each cluster (default: free ports chosen per cluster).", HelpName = "P" };
        var delaySeed = new Option<int>("--seed") { Description = "DELAY_SEED for the nodes, to replay the simulated delays.", HelpName = "N" };
        var checkDelay = new Option<double>("--check-delay") { Description = $"Seconds after the load for the seed's checks (default {seed.CheckDelay.TotalSeconds:0}).", HelpName = "S" };
        var settleTimeout = new Option<double>("--settle-timeout")
        {
            Description = $"Longest wait in seconds for every follower to apply the last index (default {seed.SettleTimeout.TotalSeconds:0}).",
            HelpName = "S",
        };

        var nodeEnvironment = new Option<string[]>("--node-env")
        {
            Description = "NAME=VALUE for every node's environment (repeatable), e.g. DOTNET_TieredCompilation=0.",
            HelpName = "NAME=VALUE",
            AllowMultipleArgumentsPerToken = false,
        };
        nodeEnvironment.Validators.Add(result =>
        {
            foreach (var token in result.Tokens.Where(t => t.Value.IndexOf('=', StringComparison.Ordinal) < 1))
            {
                result.AddError($"--node-env '{token.Value}' is not NAME=VALUE.");
            }
        });
        var nodeAssembly = new Option<string>("--node-assembly")
        {
            Description = "LeaderKv.Node.dll to run instead of the one next to leaderkv.dll (e.g. a ReadyToRun publish).",
            HelpName = "PATH",
        };

        var command = new Command("bench", "Measure write latency, throughput and follower consistency per write quorum (the seed's benchmark).")
        {
            quorums, writes, concurrency, keys, followers, minDelay, maxDelay, valueBytes, output, mode, target, targetFollowers,
            throughput, basePort, delaySeed, checkDelay, settleTimeout, nodeEnvironment, nodeAssembly,
        };
        command.SetAction(async (parse, token) =>
        {
            var settings = parse.GetValue(throughput) ? fast : seed;
            settings = settings with
            {
                Quorums = GivenObject(parse, quorums) ?? settings.Quorums,
                Writes = Given(parse, writes) ?? settings.Writes,
                Concurrency = Given(parse, concurrency) ?? settings.Concurrency,
                Keys = Given(parse, keys) ?? settings.Keys,
                Followers = Given(parse, followers) ?? settings.Followers,
                MinDelayMs = Given(parse, minDelay) ?? settings.MinDelayMs,
                MaxDelayMs = Given(parse, maxDelay) ?? settings.MaxDelayMs,
                ValueBytes = Given(parse, valueBytes) ?? settings.ValueBytes,
                OutputDirectory = parse.GetValue(output),
                Modes = GivenObject(parse, mode) is { } m ? ParseModes(m) : parse.GetValue(target) is null ? settings.Modes : [ReplicationMode.Ordered],
                Target = parse.GetValue(target),
                TargetFollowers = parse.GetValue(targetFollowers) ?? [],
                BasePort = Given(parse, basePort),
                DelaySeed = Given(parse, delaySeed),
                CheckDelay = Given(parse, checkDelay) is { } check ? TimeSpan.FromSeconds(check) : settings.CheckDelay,
                SettleTimeout = Given(parse, settleTimeout) is { } settle ? TimeSpan.FromSeconds(settle) : settings.SettleTimeout,
                NodeEnvironment = ParseEnvironment(parse.GetValue(nodeEnvironment) ?? []),
                NodeAssemblyPath = parse.GetValue(nodeAssembly) is { } path ? Path.GetFullPath(path) : null,
            };
            var error = parse.InvocationConfiguration.Error;
            if (settings.Validate() is { } problem)
            {
                await error.WriteLineAsync($"error: {problem}");
                return ExitCodes.Error;
            }

            var console = parse.InvocationConfiguration.Output;
            return await RunAsync(settings, [.. parse.Tokens.Where(t => t.Type != System.CommandLine.Parsing.TokenType.Command).Select(t => t.Value)], console, error, time, token);
        });
        return command;
    }

    private static async Task<int> RunAsync(
        BenchSettings settings, string[] command, TextWriter output, TextWriter error, TimeProvider time, CancellationToken token)
    {
        var startedAt = time.GetUtcNow();
        var machine = MachineInfo.Current();
        if (machine.Build != "Release")
        {
            await error.WriteLineAsync("warning: this is a Debug build; for representative figures run `dotnet run -c Release --project src/LeaderKv.Cli -- bench`.");
        }

        IBenchProgress progress = IsTerminal(output) ? new LiveProgress(AnsiConsole.Console) : new PlainProgress(output);
        IReadOnlyList<Figures.QuorumRun> runs;
        try
        {
            runs = await progress.RunAsync(() => new BenchRunner(settings, progress, time).RunAsync(token));
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

        var report = new BenchReport(startedAt, ["bench", .. command], settings, machine, runs);
        var directory = settings.OutputDirectory ?? BenchOutput.DefaultDirectory(startedAt);
        var files = BenchOutput.WriteAll(directory, report);
        await output.WriteLineAsync();
        await output.WriteLineAsync(SummaryMarkdown.Render(report));
        await output.WriteLineAsync($"Wrote {string.Join(", ", files.Select(Path.GetFileName))} to {Path.GetFullPath(directory)}");
        return ExitCodes.Success;
    }

    /// <summary>A live display only on a real terminal; tests and CI logs get plain lines.</summary>
    private static bool IsTerminal(TextWriter output) =>
        ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;

    /// <summary>The value only when given on the command line, so --throughput's defaults are not overwritten by the seed's.</summary>
    private static T? Given<T>(ParseResult parse, Option<T> option) where T : struct =>
        parse.GetResult(option) is { Implicit: false } ? parse.GetValue(option) : null;

    private static T? GivenObject<T>(ParseResult parse, Option<T> option) where T : class =>
        parse.GetResult(option) is { Implicit: false } ? parse.GetValue(option) : null;

    private static ReplicationMode[] ParseModes(string text) => text switch
    {
        "ordered" => [ReplicationMode.Ordered],
        "unordered" => [ReplicationMode.Unordered],
        _ => [ReplicationMode.Ordered, ReplicationMode.Unordered],
    };

    /// <summary>NAME=VALUE pairs (already validated); a name given twice keeps its last value, as a shell would.</summary>
    private static Dictionary<string, string> ParseEnvironment(IEnumerable<string> pairs)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in pairs)
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            environment[pair[..equals]] = pair[(equals + 1)..];
        }

        return environment;
    }

    private static int[] ParseQuorums(System.CommandLine.Parsing.ArgumentResult result)
    {
        var values = new List<int>();
        foreach (var text in result.Tokens.SelectMany(t => t.Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
        {
            if (int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var quorum))
            {
                values.Add(quorum);
            }
            else
            {
                result.AddError($"'{text}' is not a quorum (a whole number of follower acks).");
            }
        }

        return [.. values];
    }
}
