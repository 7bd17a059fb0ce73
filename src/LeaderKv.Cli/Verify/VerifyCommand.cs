using System.CommandLine;
using System.Globalization;
using LeaderKv.Cli.Cluster;
using LeaderKv.Cli.Commands;
using LeaderKv.Linearizability;
using Spectre.Console;

namespace LeaderKv.Cli.Verify;

/// <summary>
/// <c>leaderkv verify</c>: starts a local cluster (or uses running nodes), runs concurrent clients
/// under a seeded schedule of faults, and checks the history: linearizable per key, no committed
/// write lost, convergence after the heal, a leader most of the time. Exit 0 when every check
/// passes, 1 when one fails, 2 when the run could not be made.
/// </summary>
internal static class VerifyCommand
{
    /// <summary>The cluster secret of running nodes given with --target, for their fault endpoints.</summary>
    public const string SecretVariable = "LEADERKV_CLUSTER_SECRET";

    public static Command Create(TimeProvider time)
    {
        var defaults = new VerifySettings();
        var nodes = new Option<int>("--nodes") { Description = $"Nodes to start (default {defaults.Nodes}).", HelpName = "N", DefaultValueFactory = _ => defaults.Nodes };
        var quorum = new Option<int>("--quorum") { Description = $"WRITE_QUORUM (default {defaults.Quorum}).", HelpName = "K", DefaultValueFactory = _ => defaults.Quorum };
        var duration = new Option<string>("--time") { Description = "How long the clients and faults run, e.g. 60s or 5m (default 60s).", HelpName = "DURATION", DefaultValueFactory = _ => "60s" };
        var nemesis = new Option<string>("--nemesis") { Description = "Faults to inject: kill, pause, partition, all or none, comma-separated (default all).", HelpName = "KINDS", DefaultValueFactory = _ => "all" };
        var clients = new Option<int>("--clients") { Description = $"Concurrent clients (default {defaults.Clients}).", HelpName = "N", DefaultValueFactory = _ => defaults.Clients };
        var keys = new Option<int>("--keys") { Description = $"Keys k0..k(N-1) (default {defaults.Keys}).", HelpName = "N", DefaultValueFactory = _ => defaults.Keys };
        var seed = new Option<int?>("--seed") { Description = "Seed of the workload and fault schedule (default: random, printed).", HelpName = "N" };
        var targets = new Option<Uri[]>("--target")
        {
            Description = $"Test these running nodes instead of starting a cluster (repeat or comma-separate). Only partitions are injected, and only on nodes run with FAULT_INJECTION=true (set {SecretVariable} to their CLUSTER_SECRET).",
            HelpName = "URL",
            CustomParser = result => result.Tokens.SelectMany(t => t.Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).Select(text => CommonOptions.ParseUrl(text, result)).ToArray(),
        };
        var output = new Option<string>("--out") { Description = "Folder for history.json, verdict.json and report.html (default verify-results/<UTC timestamp>).", HelpName = "DIR" };
        var cas = new Option<bool>("--cas")
        {
            Description = "Also run compare-and-sets (PUT /kv/{key} with If-Match). Needs the compare-and-set API, which this build's nodes do not have yet.",
        };
        var linearizableReads = new Option<bool>("--linearizable-reads")
        {
            Description = "Read with GET /kv/{key}?consistency=linearizable on the leader instead of fenced reads. Needs the linearizable read API, which this build's nodes do not have yet.",
        };
        var command = new Command("verify", "Run clients against a cluster under faults (kill -9, pause, partitions) and check that it stays linearizable, loses no committed write and converges.")
        {
            nodes, quorum, duration, nemesis, clients, keys, seed, targets, output, cas, linearizableReads,
        };
        command.SetAction(async (parse, token) =>
        {
            var error = parse.InvocationConfiguration.Error;
            var console = parse.InvocationConfiguration.Output;
            if (!TryParseDuration(parse.GetValue(duration)!, out var length) || !TryParseNemesis(parse.GetValue(nemesis)!, out var kinds))
            {
                await error.WriteLineAsync("error: --time must look like 30s, 5m or 90 (seconds); --nemesis must list kill, pause, partition, all or none.");
                return ExitCodes.Error;
            }

            var settings = new VerifySettings
            {
                Nodes = parse.GetValue(nodes),
                Quorum = parse.GetValue(quorum),
                Duration = length,
                Nemesis = kinds,
                Clients = parse.GetValue(clients),
                Keys = parse.GetValue(keys),
                Seed = parse.GetValue(seed) ?? Random.Shared.Next(),
                Targets = parse.GetValue(targets) ?? [],
                OutputDirectory = parse.GetValue(output) ?? Path.Combine("verify-results", DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)),
                CompareAndSet = parse.GetValue(cas),
                Reads = parse.GetValue(linearizableReads) ? ReadMode.Linearizable : ReadMode.Fenced,
                NodeEnvironment = TestEnvironment(),
            };
            if (settings.Nodes < 1 || settings.Clients < 1 || settings.Keys < 1 || settings.Quorum < 0 || settings.Quorum >= settings.Nodes)
            {
                await error.WriteLineAsync("error: --nodes, --clients and --keys must be at least 1, and --quorum between 0 and --nodes - 1.");
                return ExitCodes.Error;
            }

            return await RunAsync(settings, console, error, time, token);
        });
        return command;
    }

    public static async Task<int> RunAsync(VerifySettings settings, TextWriter console, TextWriter error, TimeProvider time, CancellationToken token)
    {
        await console.WriteLineAsync($"verify: seed {settings.Seed}, {(settings.Targets.Count > 0 ? $"{settings.Targets.Count} running nodes" : $"{settings.Nodes} nodes, WRITE_QUORUM={settings.Quorum}")}, nemesis {settings.Nemesis.ToString().ToLowerInvariant()}, {settings.Duration.TotalSeconds:0} s");
        VerifyCluster cluster;
        try
        {
            cluster = settings.Targets.Count > 0 ? await TargetsAsync(settings, token) : await VerifyCluster.StartAsync(settings, null, token);
        }
        catch (ClusterStartException ex)
        {
            await error.WriteLineAsync($"error: {ex.Message}");
            if (ex.NodeName is not null)
            {
                await error.WriteLineAsync($"{ex.NodeName}'s last lines:{Environment.NewLine}{ex.NodeOutput}");
            }

            return ExitCodes.Error;
        }

        VerifyVerdict verdict;
        await using (cluster)
        {
            if (ReferenceEquals(console, Console.Out) && !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive)
            {
                verdict = await AnsiConsole.Status().StartAsync("verify: starting", context =>
                    new VerifyRunner(settings, line => context.Status(Markup.Escape(line)), time).RunAsync(cluster, token));
            }
            else
            {
                verdict = await new VerifyRunner(settings, console.WriteLine, time).RunAsync(cluster, token);
            }
        }

        await console.WriteLineAsync($"linearizable per key:     {(verdict.LinearizabilityPassed ? "pass" : "FAIL")}  {string.Join(", ", verdict.Linearizability.Keys.Select(k => $"{k.Key} {Describe(k.Verdict)}"))}");
        foreach (var key in verdict.Linearizability.Failing)
        {
            await console.WriteLineAsync($"  {key.Key}: longest linearizable prefix {key.LongestPrefix.Count} operations (value then {key.ValueAfterPrefix ?? "absent"}); cannot be placed: {string.Join(", ", key.Unplaceable.Take(5).Select(id => $"#{id}"))}");
        }

        await console.WriteLineAsync($"no committed write lost:  {(verdict.LostWrites.Count == 0 ? "pass" : "FAIL")}  {verdict.CommittedWrites} committed, {verdict.LostWrites.Count} not visible after the heal");
        await console.WriteLineAsync($"convergence after heal:   {(verdict.Converged ? "pass" : "FAIL")}  {verdict.ConvergenceTime.TotalSeconds:0.#} s");
        await console.WriteLineAsync($"a leader most of the run: {(verdict.AvailabilityPassed ? "pass" : "FAIL")}  no leader for {verdict.UnavailableTime.TotalSeconds:0.#} s of {verdict.RunTime.TotalSeconds:0.#} s");
        await console.WriteLineAsync($"verify: {(verdict.Passed ? "passed" : "FAILED")}; report in {Path.GetFullPath(Path.Combine(settings.OutputDirectory, "report.html"))}");
        return verdict.Passed ? ExitCodes.Success : ExitCodes.Failure;
    }

    private static async Task<VerifyCluster> TargetsAsync(VerifySettings settings, CancellationToken token)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var probe = new LeaderMonitor([], http, new RunHistory(TimeProvider.System), TimeProvider.System);
        var nodes = new List<(string, Uri)>();
        foreach (var url in settings.Targets)
        {
            var status = await probe.StatusAsync(new VerifyNode(url.Authority, url, null), token)
                ?? throw new ClusterStartException($"{url} did not answer GET /status.");
            nodes.Add((status.Id, url));
        }

        return VerifyCluster.ForTargets(nodes, Environment.GetEnvironmentVariable(SecretVariable));
    }

    /// <summary>Test-only node switches passed through from verify's own environment (e.g. the broken stale-read mode a test uses).</summary>
    private static Dictionary<string, string> TestEnvironment() =>
        Environment.GetEnvironmentVariable("UNSAFE_TEST_STALE_READS") is { Length: > 0 } stale ? new() { ["UNSAFE_TEST_STALE_READS"] = stale } : [];

    private static string Describe(Verdict verdict) => verdict switch
    {
        Verdict.Linearizable => "ok",
        Verdict.NotLinearizable => "NOT linearizable",
        _ => "unknown (budget exhausted)",
    };

    internal static bool TryParseDuration(string text, out TimeSpan duration)
    {
        text = text.Trim().ToLowerInvariant();
        var (number, unit) = text.EndsWith('m') ? (text[..^1], 60.0) : text.EndsWith('s') ? (text[..^1], 1.0) : (text, 1.0);
        var ok = double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value > 0;
        duration = ok ? TimeSpan.FromSeconds(value * unit) : TimeSpan.Zero;
        return ok;
    }

    internal static bool TryParseNemesis(string text, out Nemesis kinds)
    {
        kinds = Nemesis.None;
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            switch (part.ToLowerInvariant())
            {
                case "kill": kinds |= Nemesis.Kill; break;
                case "pause": kinds |= Nemesis.Pause; break;
                case "partition": kinds |= Nemesis.Partition; break;
                case "all": kinds |= Nemesis.All; break;
                case "none": break;
                default: return false;
            }
        }

        return true;
    }
}
