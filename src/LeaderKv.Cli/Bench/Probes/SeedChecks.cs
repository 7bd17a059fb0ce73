using LeaderKv.Cli.Client;
using LeaderKv.Cli.Consistency;

namespace LeaderKv.Cli.Bench.Probes;

/// <summary>
/// The seed's two consistency checks in one round of <c>/data</c> reads: benchmark.py's (a follower whose
/// key count differs from the leader's) and tests.py's (a follower whose whole <c>/data</c> differs).
/// </summary>
public sealed class SeedChecks(NodeClient client)
{
    public async Task<SeedCheckResult> RunAsync(Uri leader, IReadOnlyList<Uri> followers, CancellationToken token)
    {
        var leaderData = await client.GetDataAsync(leader, token).ConfigureAwait(false);
        var rounds = await Task.WhenAll(followers.Select(async (url, i) =>
        {
            try
            {
                var data = await client.GetDataAsync(url, token).ConfigureAwait(false);
                return (Reached: true, CountDiffers: data.Count != leaderData.Count,
                    Comparison: SnapshotComparer.Compare(i + 1, url, leaderData, data));
            }
            catch (NodeRequestException)
            {
                return (Reached: false, CountDiffers: false, Comparison: (FollowerComparison?)null);
            }
        })).ConfigureAwait(false);

        return new SeedCheckResult(
            leaderData.Count,
            rounds.Count(r => r.Reached && r.CountDiffers),
            rounds.Count(r => r.Reached && !r.Comparison!.Consistent),
            rounds.Count(r => !r.Reached),
            rounds.Where(r => r.Reached && !r.Comparison!.Consistent).Select(r => r.Comparison!.Describe()).ToList());
    }
}

/// <param name="LeaderKeys">Keys in the leader's /data.</param>
/// <param name="KeyCountMismatches">benchmark.py's check: followers with a different number of keys.</param>
/// <param name="DataMismatches">tests.py's check: followers whose /data is not equal to the leader's.</param>
/// <param name="Unreachable">Followers that could not be read (counted in neither check).</param>
/// <param name="Mismatches">tests.py's line for each differing follower, naming a differing key.</param>
public sealed record SeedCheckResult(int LeaderKeys, int KeyCountMismatches, int DataMismatches, int Unreachable, IReadOnlyList<string> Mismatches);
