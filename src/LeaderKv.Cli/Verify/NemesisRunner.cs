namespace LeaderKv.Cli.Verify;

/// <summary>
/// Injects one fault at a time on a seeded schedule (gap, fault, heal, gap, ...), choosing the
/// kind among those enabled and the victims at random, the current leader half of the time:
/// kill -9 and restart on the same data directory, SIGSTOP then SIGCONT, or a partition (one node
/// cut off, or the cluster split into a minority and a majority) through the fault endpoints.
/// </summary>
internal sealed class NemesisRunner(VerifySettings settings, VerifyCluster cluster, FaultClient faults, LeaderMonitor leaders, RunHistory history, Random random, TimeProvider time)
{
    public async Task RunAsync(CancellationToken token)
    {
        var kinds = new[] { Nemesis.Kill, Nemesis.Pause, Nemesis.Partition }
            .Where(k => settings.Nemesis.HasFlag(k) && (k == Nemesis.Partition || cluster.OwnsProcesses))
            .ToList();
        if (kinds.Count == 0)
        {
            return;
        }

        while (!token.IsCancellationRequested)
        {
            if (!await DelayAsync(settings.FaultGap, token))
            {
                return;
            }

            var kind = kinds[random.Next(kinds.Count)];
            var victim = ChooseVictim();
            FaultEvent fault;
            switch (kind)
            {
                case Nemesis.Kill:
                    fault = Start("kill", [victim.Id], $"kill -9 {victim.Id}, restart after {settings.FaultLength.TotalSeconds:0.#} s");
                    await victim.KillAsync();
                    await DelayAsync(settings.FaultLength, CancellationToken.None);
                    await cluster.RestartAsync(victim);
                    break;
                case Nemesis.Pause:
                    fault = Start("pause", [victim.Id], $"SIGSTOP {victim.Id} for {settings.FaultLength.TotalSeconds:0.#} s");
                    victim.Pause();
                    await DelayAsync(settings.FaultLength, CancellationToken.None);
                    victim.Resume();
                    break;
                default:
                    var side = PartitionSide(victim);
                    var others = cluster.Nodes.Select(n => n.Id).Except(side).ToList();
                    fault = Start("partition", side, $"partition {{{string.Join(", ", side)}}} | {{{string.Join(", ", others)}}}");
                    await Task.WhenAll(cluster.Nodes.Select(n => faults.DropAsync(n, side.Contains(n.Id) ? others : side, CancellationToken.None)));
                    await DelayAsync(settings.FaultLength, CancellationToken.None);
                    await HealAsync(CancellationToken.None);
                    break;
            }

            history.EndFault(fault, history.NowUs);
        }
    }

    /// <summary>Undoes whatever is still in force: resumes paused nodes, restarts killed ones, heals partitions.</summary>
    public async Task HealAsync(CancellationToken token)
    {
        foreach (var node in cluster.Nodes)
        {
            node.Resume();
            await cluster.RestartAsync(node);
        }

        await Task.WhenAll(cluster.Nodes.Select(n => faults.HealAsync(n, token)));
    }

    private VerifyNode ChooseVictim()
    {
        var leader = leaders.CurrentLeader;
        if (leader is not null && random.Next(2) == 0 && cluster.Nodes.FirstOrDefault(n => n.Id == leader) is { } led)
        {
            return led;
        }

        return cluster.Nodes[random.Next(cluster.Nodes.Count)];
    }

    /// <summary>The victim alone, or the victim with others up to a minority.</summary>
    private List<string> PartitionSide(VerifyNode victim)
    {
        var minority = (cluster.Nodes.Count - 1) / 2;
        var size = Math.Max(1, random.Next(1, minority + 1));
        return [victim.Id, .. cluster.Nodes.Where(n => n != victim).OrderBy(_ => random.Next()).Take(size - 1).Select(n => n.Id)];
    }

    private FaultEvent Start(string kind, IReadOnlyList<string> nodes, string description)
    {
        var fault = new FaultEvent(kind, nodes, history.NowUs, null, description);
        history.AddFault(fault);
        return fault;
    }

    private async Task<bool> DelayAsync(TimeSpan delay, CancellationToken token)
    {
        try
        {
            await Task.Delay(delay, time, token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
