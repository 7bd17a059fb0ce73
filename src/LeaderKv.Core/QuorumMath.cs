namespace LeaderKv.Core;

/// <summary>Arithmetic of "wait for k of n follower acknowledgements", kept in one place.</summary>
public static class QuorumMath
{
    /// <summary>
    /// Followers are tracked as bits of a 64-bit mask, which bounds the cluster size. Sixty-four
    /// followers is far beyond what one leader fanning out every write should carry.
    /// </summary>
    public const int MaxFollowers = 64;

    public static bool IsValid(int quorum, int followerCount) =>
        quorum >= 0 && quorum <= followerCount && followerCount <= MaxFollowers;

    public static bool IsMet(int acks, int quorum) => acks >= quorum;

    /// <summary>True while the followers that have not failed could still bring the acks up to the quorum.</summary>
    public static bool CanStillBeMet(int failures, int followerCount, int quorum) => followerCount - failures >= quorum;

    /// <summary>
    /// Expected wait for the k-th of n acknowledgements when each follower's delay is uniform on
    /// [min, max]: the k-th order statistic of n uniforms has mean min + k·(max − min)/(n + 1).
    /// This is the latency the seed's experiment measures, before any software overhead.
    /// </summary>
    public static TimeSpan ExpectedKthDelay(TimeSpan min, TimeSpan max, int followerCount, int quorum)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(quorum);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(quorum, followerCount);
        if (quorum == 0)
        {
            return TimeSpan.Zero;
        }

        return min + (max - min) * quorum / (followerCount + 1);
    }

    /// <summary>
    /// Election quorum E = max(nodes − W, majority) for <paramref name="nodes"/> = N + 1 nodes and
    /// W follower acks per write: large enough to meet every replication quorum (W + 1 nodes) and
    /// every other election quorum.
    /// </summary>
    public static int ElectionQuorum(int nodes, int writeQuorum)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(nodes, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(writeQuorum);
        return Math.Max(nodes - writeQuorum, nodes / 2 + 1);
    }
}
