using System.Numerics;

namespace LeaderKv.Core;

/// <summary>
/// Counts follower acknowledgements for writes still waiting on their quorum. Each pending write
/// keeps two bit masks (acked, failed) over the followers, so a duplicated ack or a retry that
/// succeeds after a failure is counted exactly once. Pure and single-threaded: the driver calls it
/// under its lock and completes the waiting requests with what it returns.
/// </summary>
public sealed class QuorumTracker
{
    private readonly Dictionary<long, PendingWrite> _pending = [];
    private readonly int _followerCount;
    private readonly int _quorum;

    public QuorumTracker(int followerCount, int quorum)
    {
        Invariant.Check(QuorumMath.IsValid(quorum, followerCount), $"invalid quorum {quorum} of {followerCount}");
        _followerCount = followerCount;
        _quorum = quorum;
    }

    public int PendingCount => _pending.Count;

    /// <summary>Starts waiting for <paramref name="index"/>; <paramref name="delays"/> holds each follower's simulated lag.</summary>
    public void Track(long index, TimeSpan[] delays)
    {
        Invariant.Check(delays.Length == _followerCount, "one delay per follower");
        Invariant.Check(_pending.TryAdd(index, new PendingWrite(delays)), $"index {index} tracked twice");
    }

    public QuorumDecision OnAck(long index, int follower)
    {
        if (!_pending.TryGetValue(index, out var write))
        {
            return QuorumDecision.None;
        }

        var bit = 1UL << follower;
        write.Acked |= bit;
        write.Failed &= ~bit;
        if (!QuorumMath.IsMet(BitOperations.PopCount(write.Acked), _quorum))
        {
            return QuorumDecision.None;
        }

        _pending.Remove(index);
        return new QuorumDecision(index, QuorumOutcome.Met, BitOperations.PopCount(write.Acked), write.Delays[follower]);
    }

    public QuorumDecision OnFailure(long index, int follower)
    {
        if (!_pending.TryGetValue(index, out var write))
        {
            return QuorumDecision.None;
        }

        var bit = 1UL << follower;
        if ((write.Acked & bit) != 0)
        {
            return QuorumDecision.None;
        }

        write.Failed |= bit;
        if (QuorumMath.CanStillBeMet(BitOperations.PopCount(write.Failed), _followerCount, _quorum))
        {
            return QuorumDecision.None;
        }

        _pending.Remove(index);
        return new QuorumDecision(index, QuorumOutcome.Failed, BitOperations.PopCount(write.Acked), TimeSpan.Zero);
    }

    /// <summary>Stops waiting (the request timed out); returns the acks counted so far.</summary>
    public int Abandon(long index)
    {
        if (!_pending.Remove(index, out var write))
        {
            return 0;
        }

        return BitOperations.PopCount(write.Acked);
    }

    private sealed class PendingWrite(TimeSpan[] delays)
    {
        public ulong Acked;
        public ulong Failed;
        public TimeSpan[] Delays { get; } = delays;
    }
}

public enum QuorumOutcome
{
    Pending,
    Met,
    Failed,
}

/// <summary>
/// What an ack or failure decided. <see cref="CompletingDelay"/> is the simulated lag of the ack
/// that completed the quorum: the part of the write's latency the delay model explains.
/// </summary>
public readonly record struct QuorumDecision(long Index, QuorumOutcome Outcome, int Acks, TimeSpan CompletingDelay)
{
    public static QuorumDecision None => default;

    public bool IsDecided => Outcome != QuorumOutcome.Pending;
}
