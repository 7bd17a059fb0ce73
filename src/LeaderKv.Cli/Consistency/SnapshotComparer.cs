using System.Text.Json.Nodes;

namespace LeaderKv.Cli.Consistency;

/// <summary>
/// Full-snapshot equality, as the seed's tests.py checks it (<c>follower_data != leader_data</c>),
/// plus the first differing key in ordinal order so a mismatch names a concrete example.
/// </summary>
public static class SnapshotComparer
{
    public static FollowerComparison Compare(int follower, Uri url, JsonObject leader, JsonObject replica)
    {
        var keys = leader.Select(p => p.Key).Union(replica.Select(p => p.Key)).Order(StringComparer.Ordinal);
        foreach (var key in keys)
        {
            var inLeader = leader.TryGetPropertyValue(key, out var leaderValue);
            var inFollower = replica.TryGetPropertyValue(key, out var followerValue);
            if (inLeader != inFollower || !JsonNode.DeepEquals(leaderValue, followerValue))
            {
                return new FollowerComparison(
                    follower, url, Consistent: false, key, Show(inLeader, leaderValue), Show(inFollower, followerValue));
            }
        }

        return new FollowerComparison(follower, url, Consistent: true);
    }

    /// <summary>"N/A" for a missing key, as tests.py prints it; JSON text (so null shows as null) otherwise.</summary>
    private static string Show(bool present, JsonNode? value) =>
        present ? value?.ToJsonString() ?? "null" : "N/A";
}
