using LeaderKv.Cli.Bench.Figures;
using LeaderKv.Cli.Bench.Load;
using LeaderKv.Cli.Bench.Probes;
using LeaderKv.Cli.Bench.Progress;
using LeaderKv.Cli.Client;
using LeaderKv.Cli.Cluster;
using LeaderKv.Core;

namespace LeaderKv.Cli.Bench;

/// <summary>
/// Runs the experiment: for every mode and quorum a fresh local cluster (or the target), one pass of
/// writes (two in throughput mode, cold then warm), then the followers' state at the check delay and
/// after replication settles.
/// </summary>
public sealed class BenchRunner(BenchSettings settings, IBenchProgress progress, TimeProvider time)
{
    /// <summary>How long a fresh cluster's leader may take to hear every follower before the load starts (one heartbeat, normally).</summary>
    private static readonly TimeSpan FollowersHeardTimeout = TimeSpan.FromSeconds(10);

    public async Task<IReadOnlyList<QuorumRun>> RunAsync(CancellationToken token)
    {
        using var probeHttp = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var status = new StatusReader(probeHttp);
        var runs = new List<QuorumRun>();
        if (settings.Target is { } target)
        {
            runs.AddRange(await RunTargetAsync(target, status, probeHttp, token).ConfigureAwait(false));
            return runs;
        }

        foreach (var mode in settings.Modes)
        {
            foreach (var quorum in settings.Quorums)
            {
                runs.AddRange(await RunClusterAsync(mode, quorum, status, probeHttp, token).ConfigureAwait(false));
            }
        }

        return runs;
    }

    private async Task<IReadOnlyList<QuorumRun>> RunClusterAsync(
        ReplicationMode mode, int quorum, StatusReader status, HttpClient probeHttp, CancellationToken token)
    {
        var options = new LocalClusterOptions
        {
            Followers = settings.Followers,
            WriteQuorum = quorum,
            MinDelayMs = settings.MinDelayMs,
            MaxDelayMs = settings.MaxDelayMs,
            Mode = mode,
            BasePort = settings.BasePort ?? FreePorts.FindConsecutive(settings.Followers + 1),
            ExtraEnvironment = NodeEnvironment(),
            NodeAssemblyPath = settings.NodeAssemblyPath,
        };
        progress.Note($"{BenchText.Mode(mode)} q={quorum}: starting a leader and {options.Followers} followers on port {options.BasePort}");
        await using var cluster = await LocalCluster.StartAsync(options, token).ConfigureAwait(false);
        if (!await status.WaitForFollowersHeardAsync(cluster.LeaderUrl, options.Followers, FollowersHeardTimeout, time, token).ConfigureAwait(false))
        {
            progress.Note($"{BenchText.Mode(mode)} q={quorum}: the leader had not heard every follower within {FollowersHeardTimeout.TotalSeconds:0} s; measuring anyway");
        }

        var followers = cluster.Followers.Select(f => f.Url).ToList();
        var nodes = new ClusterProcesses(cluster.Leader.ProcessId, cluster.Followers.Select(f => f.ProcessId).ToList());
        var runs = new List<QuorumRun>();
        foreach (var phase in settings.Phases)
        {
            runs.Add(await RunPassAsync(mode, quorum, phase, cluster.LeaderUrl, followers, settings.Followers, nodes, status, probeHttp, token)
                .ConfigureAwait(false));
        }

        return runs;
    }

    private async Task<IReadOnlyList<QuorumRun>> RunTargetAsync(Uri target, StatusReader status, HttpClient probeHttp, CancellationToken token)
    {
        var view = await status.ReadLeaderAsync(target, token).ConfigureAwait(false);
        var followers = settings.TargetFollowers.Count > 0 ? settings.TargetFollowers : view?.FollowerAcked.Keys.ToList() ?? [];
        var mode = view?.Mode == "unordered" ? ReplicationMode.Unordered : view?.Mode == "ordered" ? ReplicationMode.Ordered : settings.Modes[0];
        var quorum = view?.WriteQuorum ?? settings.Quorums[0];
        var followerCount = view?.FollowerAcked.Count is > 0 and var n ? n : settings.Followers;
        progress.Note($"Measuring {NodeAddress.Format(target)}: {BenchText.Mode(mode)}, quorum {quorum}, {followerCount} followers" +
            (view is null ? " (no /status: quorum and mode as given on the command line)" : ""));
        var runs = new List<QuorumRun>();
        foreach (var phase in settings.Phases)
        {
            runs.Add(await RunPassAsync(mode, quorum, phase, target, followers, followerCount, null, status, probeHttp, token).ConfigureAwait(false));
        }

        return runs;
    }

    private async Task<QuorumRun> RunPassAsync(
        ReplicationMode mode,
        int quorum,
        BenchPhase phase,
        Uri leader,
        IReadOnlyList<Uri> followers,
        int followerCount,
        ClusterProcesses? nodes,
        StatusReader status,
        HttpClient probeHttp,
        CancellationToken token)
    {
        var label = $"{BenchText.Mode(mode)} q={quorum}{(phase == BenchPhase.Warm ? " warm" : settings.Throughput ? " cold" : "")}";
        using var http = BenchHttp.Create(settings.Concurrency, TimeSpan.FromMilliseconds(settings.MaxDelayMs));
        var load = new WriteLoad(http, leader, new WriteBodies(settings.Keys, settings.ValueBytes), settings.Writes, settings.Concurrency);
        var before = nodes?.Read();
        LoadResult result;
        using (var line = progress.Start(label, settings.Writes, () => load.Completed))
        {
            result = await load.RunAsync(token).ConfigureAwait(false);
            var loadEnded = time.GetTimestamp();
            var after = nodes?.Read();
            var figures = LoadFigures.From(result, quorum, followerCount, settings.MinDelayMs, settings.MaxDelayMs);
            line.Status($"{figures.Succeeded}/{figures.Writes} acknowledged; checking followers...");
            var consistency = await new ConsistencyProbe(settings, status, new SeedChecks(new NodeClient(probeHttp)), time)
                .RunAsync(leader, followers, loadEnded, token).ConfigureAwait(false);
            var run = new QuorumRun(mode, quorum, phase, figures, consistency, ClusterProcesses.Resources(before, after))
            {
                Samples = result.Samples,
            };
            line.Complete(Headline(run));
            return run;
        }
    }

    private Dictionary<string, string> NodeEnvironment()
    {
        var environment = new Dictionary<string, string>(settings.NodeEnvironment);
        if (settings.DelaySeed is { } seed)
        {
            environment["DELAY_SEED"] = seed.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return environment;
    }

    private static string Headline(QuorumRun run)
    {
        var load = run.Load;
        return $"mean {BenchText.Ms(load.Latency?.Mean)} ms, p99 {BenchText.Ms(load.Latency?.P99)} ms, " +
            $"{load.ThroughputPerS:0} writes/s, {load.Failed} failed, " +
            $"replicated in {BenchText.Ms(run.Consistency.ReplicationCompleteMs)} ms, " +
            $"diverged {BenchText.Count(run.Consistency.DivergedAfterSettle)}";
    }
}
