using LeaderKv.Linearizability;

namespace LeaderKv.Cli.Verify;

/// <summary>
/// One verify run: clients and the nemesis for the given time, then heal, wait for convergence,
/// read every node, and check the history. Progress goes to <c>progress</c> once a second (a
/// line, or the text of a live status on a terminal).
/// </summary>
internal sealed class VerifyRunner(VerifySettings settings, Action<string> progress, TimeProvider time)
{
    public async Task<VerifyVerdict> RunAsync(VerifyCluster cluster, CancellationToken token)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var history = new RunHistory(time);
        var random = new Random(settings.Seed);
        IKvOperations kv = new HttpKvOperations(http, settings.Reads);
        var leaders = new LeaderMonitor(cluster.Nodes, http, history, time);
        var faults = new FaultClient(http, cluster.ClusterSecret, time);
        var nemesis = new NemesisRunner(settings, cluster, faults, leaders, history, new Random(random.Next()), time);

        using var run = CancellationTokenSource.CreateLinkedTokenSource(token);
        using var monitor = CancellationTokenSource.CreateLinkedTokenSource(token);
        var monitoring = leaders.RunAsync(monitor.Token);
        var clients = Enumerable.Range(0, settings.Clients)
            .Select(i => new WorkloadClient(i, settings, cluster.Nodes, kv, history, new Random(random.Next())))
            .Select(c => Task.Run(() => c.RunAsync(run.Token), CancellationToken.None))
            .ToList();
        var injecting = Task.Run(() => nemesis.RunAsync(run.Token), CancellationToken.None);
        var start = time.GetTimestamp();
        while (time.GetElapsedTime(start) < settings.Duration && !token.IsCancellationRequested)
        {
            await Task.Delay(TimeSpan.FromSeconds(1), time, CancellationToken.None);
            var (ok, failed, unknown) = history.Counts;
            var fault = history.Faults.LastOrDefault(f => f.EndUs is null)?.Description ?? "none";
            progress($"verify {time.GetElapsedTime(start).TotalSeconds,5:0}s/{settings.Duration.TotalSeconds:0}s  ops {ok + failed + unknown} (ok {ok}, failed {failed}, unknown {unknown})  leader {leaders.CurrentLeader ?? "none"}  fault: {fault}");
        }

        await run.CancelAsync();
        await Task.WhenAll(clients.Append(injecting));
        var runTime = time.GetElapsedTime(start);
        await monitor.CancelAsync();
        await monitoring;
        var unavailable = leaders.UnavailableTime;

        progress("verify: healing every fault and waiting for the nodes to agree");
        await nemesis.HealAsync(CancellationToken.None);
        var (converged, finals, took) = await Convergence.WaitAsync(cluster.Nodes, settings.Keys, http, settings.ConvergenceTimeout, time, token);

        progress("verify: checking linearizability");
        using var checkDeadline = new CancellationTokenSource(settings.CheckTimeout, time);
        var ops = history.Operations;
        var linearizability = LinearizabilityChecker.Check([.. ops.Select(o => o.Op)], new CheckOptions { Token = checkDeadline.Token });
        var verdict = new VerifyVerdict
        {
            Linearizability = linearizability,
            LostWrites = converged || finals.Count > 0 ? LostWrites.Find(ops, finals) : [],
            Converged = converged,
            ConvergenceTime = took,
            FinalReads = finals,
            RunTime = runTime,
            UnavailableTime = unavailable,
            MaxUnavailableShare = settings.MaxUnavailableShare,
            CommittedWrites = ops.Count(o => o.Op is { Outcome: Outcome.Ok, Kind: OperationKind.Write } or { Outcome: Outcome.Ok, Kind: OperationKind.CompareAndSet, Swapped: true }),
        };
        await VerifyOutput.WriteAsync(settings.OutputDirectory, settings, history, verdict, leaders.Samples);
        return verdict;
    }
}
