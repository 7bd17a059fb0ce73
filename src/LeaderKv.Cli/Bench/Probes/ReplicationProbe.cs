namespace LeaderKv.Cli.Bench.Probes;

/// <summary>
/// Measures replication lag at the end of a load: how long after the last answer every follower has
/// applied the leader's last index. Polls each follower's <c>appliedThrough</c>; a follower whose own
/// /status cannot be reached (a docker network) is judged by the ack index the leader reports for it.
/// </summary>
public sealed class ReplicationProbe(StatusReader status, TimeProvider time)
{
    /// <summary>Short next to the delays measured (hundreds of ms by default), light on six nodes.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(10);

    /// <summary>
    /// Time from <paramref name="loadEnded"/> (a <see cref="TimeProvider"/> timestamp) until every follower
    /// reached <paramref name="lastIndex"/>; null if that did not happen within <paramref name="timeout"/>.
    /// </summary>
    public async Task<TimeSpan?> WaitForAllAppliedAsync(
        Uri leader, IReadOnlyList<Uri> followers, long lastIndex, long loadEnded, TimeSpan timeout, CancellationToken token)
    {
        var pending = followers.ToList();
        while (true)
        {
            var reached = await Task.WhenAll(pending.Select(f => HasAppliedAsync(leader, f, lastIndex, token))).ConfigureAwait(false);
            pending = pending.Where((_, i) => !reached[i]).ToList();
            var elapsed = time.GetElapsedTime(loadEnded);
            if (pending.Count == 0)
            {
                return elapsed;
            }

            if (elapsed >= timeout)
            {
                return null;
            }

            await Task.Delay(PollInterval, time, token).ConfigureAwait(false);
        }
    }

    private async Task<bool> HasAppliedAsync(Uri leader, Uri follower, long lastIndex, CancellationToken token)
    {
        if (await status.ReadAppliedThroughAsync(follower, token).ConfigureAwait(false) is { } applied)
        {
            return applied >= lastIndex;
        }

        var view = await status.ReadLeaderAsync(leader, token).ConfigureAwait(false);
        return view is not null && view.FollowerAcked.TryGetValue(follower, out var acked) && acked >= lastIndex;
    }
}
