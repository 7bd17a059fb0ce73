using LeaderKv.Cli.Bench.Figures;

namespace LeaderKv.Cli.Bench.Probes;

/// <summary>
/// The followers' state after a load, in the seed's order: the two seed checks at the check delay (2 s),
/// then, once every follower has applied the leader's last index, whether their data equals the leader's.
/// Replication lag is timed from the end of the load while the check delay runs.
/// </summary>
public sealed class ConsistencyProbe(BenchSettings settings, StatusReader status, SeedChecks checks, TimeProvider time)
{
    /// <summary>Each comparison reads every node's whole store, so it repeats less often than the status poll.</summary>
    private static readonly TimeSpan SettlePollInterval = TimeSpan.FromMilliseconds(100);

    public async Task<ConsistencyFigures> RunAsync(Uri leader, IReadOnlyList<Uri> followers, long loadEnded, CancellationToken token)
    {
        var view = await status.ReadLeaderAsync(leader, token).ConfigureAwait(false);
        var replication = view is null
            ? Task.FromResult<TimeSpan?>(null)
            : new ReplicationProbe(status, time).WaitForAllAppliedAsync(leader, followers, view.LastIndex, loadEnded, settings.SettleTimeout, token);

        var untilCheck = settings.CheckDelay - time.GetElapsedTime(loadEnded);
        if (untilCheck > TimeSpan.Zero)
        {
            await Task.Delay(untilCheck, time, token).ConfigureAwait(false);
        }

        var atCheck = await checks.RunAsync(leader, followers, token).ConfigureAwait(false);
        var replicated = await replication.ConfigureAwait(false);
        // Caught up (or timed out waiting): one comparison is final. Without /status nothing says when
        // followers have caught up, so the comparison repeats until the data agrees or time runs out.
        var settled = view is null
            ? await CompareUntilEqualAsync(leader, followers, loadEnded, token).ConfigureAwait(false)
            : await checks.RunAsync(leader, followers, token).ConfigureAwait(false);

        return new ConsistencyFigures(
            view?.LastIndex,
            replicated?.TotalMilliseconds,
            settings.CheckDelay.TotalSeconds,
            atCheck.KeyCountMismatches,
            atCheck.DataMismatches,
            settled.DataMismatches,
            settled.Unreachable,
            settled.Mismatches);
    }

    private async Task<SeedCheckResult> CompareUntilEqualAsync(
        Uri leader, IReadOnlyList<Uri> followers, long loadEnded, CancellationToken token)
    {
        var result = await checks.RunAsync(leader, followers, token).ConfigureAwait(false);
        while (result.DataMismatches > 0 && time.GetElapsedTime(loadEnded) < settings.SettleTimeout)
        {
            await Task.Delay(SettlePollInterval, time, token).ConfigureAwait(false);
            result = await checks.RunAsync(leader, followers, token).ConfigureAwait(false);
        }

        return result;
    }
}
