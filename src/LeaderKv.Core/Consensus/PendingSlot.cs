using System.Numerics;

namespace LeaderKv.Core.Consensus;

/// <summary>
/// A slot the leader proposed (or re-proposed) in its term and has not yet passed with its commit
/// index: which followers acked it in this term, which could not be reached, and whether its
/// outcome was already given.
/// </summary>
internal sealed class PendingSlot(long index, TimeSpan[] delays)
{
    private ulong _acked;
    private ulong _failed;

    public long Index { get; } = index;

    /// <summary>The leader's own copy is logged (counted as its own acceptance).</summary>
    public bool SelfAccepted { get; set; }

    /// <summary>A client waits for this slot (false for slots re-proposed during recovery).</summary>
    public bool HasClient { get; set; }

    public bool OutcomeGiven { get; set; }

    /// <summary>The answer waits until the slot is applied: its verdict (a condition, an idempotency key) is decided only then.</summary>
    public bool NeedsVerdict { get; set; }

    /// <summary>Seen committed while its answer waits for the apply: it can no longer become unknown by lack of acks.</summary>
    public bool CommittedSeen { get; set; }

    public int Acks => BitOperations.PopCount(_acked);

    public TimeSpan CompletingDelay { get; private set; }

    public bool IsAckedBy(int position) => (_acked & (1UL << position)) != 0;

    public TimeSpan DelayFor(int position) => delays.Length > position ? delays[position] : TimeSpan.Zero;

    public bool IsCommitted(int writeQuorum) => SelfAccepted && Acks >= writeQuorum;

    /// <summary>Records an ack; returns true when it is the one that completes <paramref name="writeQuorum"/>.</summary>
    public bool Ack(int position, int writeQuorum)
    {
        if (IsAckedBy(position))
        {
            return false;
        }

        _acked |= 1UL << position;
        _failed &= ~(1UL << position);
        if (Acks == writeQuorum)
        {
            CompletingDelay = DelayFor(position);
            return true;
        }

        return false;
    }

    /// <summary>Drops a follower's ack: the run of the follower that gave it is gone and may not have kept the slot.</summary>
    public void Forget(int position) => _acked &= ~(1UL << position);

    public void Fail(int position)
    {
        if (!IsAckedBy(position))
        {
            _failed |= 1UL << position;
        }
    }

    /// <summary>True when too few followers are left to ack it: acked + not yet failed &lt; W.</summary>
    public bool CannotCommit(int followers, int writeQuorum) =>
        followers - BitOperations.PopCount(_failed) < writeQuorum;
}
