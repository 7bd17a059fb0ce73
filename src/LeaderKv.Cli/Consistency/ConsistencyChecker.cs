using LeaderKv.Cli.Client;

namespace LeaderKv.Cli.Consistency;

/// <summary>Compares every follower's <c>/data</c> with the leader's, once or until they agree.</summary>
public sealed class ConsistencyChecker(NodeClient client, TimeProvider time)
{
    /// <summary>Pause between rounds while waiting for convergence; small next to MAX_DELAY's default of 1 s.</summary>
    public static readonly TimeSpan RetryInterval = TimeSpan.FromMilliseconds(200);

    /// <summary>One round. The leader being unreachable throws; an unreachable follower is reported as a failure.</summary>
    public async Task<ConsistencyReport> CheckOnceAsync(Uri leader, IReadOnlyList<Uri> followers, CancellationToken token)
    {
        var leaderData = await client.GetDataAsync(leader, token).ConfigureAwait(false);
        var comparisons = await Task.WhenAll(followers.Select(async (url, i) =>
        {
            try
            {
                var followerData = await client.GetDataAsync(url, token).ConfigureAwait(false);
                return SnapshotComparer.Compare(i + 1, url, leaderData, followerData);
            }
            catch (NodeRequestException ex)
            {
                return new FollowerComparison(i + 1, url, Consistent: false, Error: ex.Message);
            }
        })).ConfigureAwait(false);

        return new ConsistencyReport(leaderData.Count, comparisons);
    }

    /// <summary>
    /// Repeats <see cref="CheckOnceAsync"/> until every follower matches or <paramref name="wait"/> has passed,
    /// and returns the last round: followers converge only after the replication delays have run out.
    /// </summary>
    public async Task<ConsistencyReport> CheckUntilConsistentAsync(
        Uri leader, IReadOnlyList<Uri> followers, TimeSpan wait, CancellationToken token)
    {
        var start = time.GetTimestamp();
        while (true)
        {
            var report = await CheckOnceAsync(leader, followers, token).ConfigureAwait(false);
            if (report.AllConsistent || time.GetElapsedTime(start) >= wait)
            {
                return report;
            }

            await Task.Delay(RetryInterval, time, token).ConfigureAwait(false);
        }
    }
}

/// <summary>The result of one consistency round.</summary>
public sealed record ConsistencyReport(int LeaderKeyCount, IReadOnlyList<FollowerComparison> Followers)
{
    public bool AllConsistent => Followers.All(f => f.Consistent);

    public int Mismatches => Followers.Count(f => !f.Consistent);
}
