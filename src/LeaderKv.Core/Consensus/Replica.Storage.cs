namespace LeaderKv.Core.Consensus;

/// <summary>
/// A full disk (ENOSPC, EDQUOT): a state this node lives through, not a crash. The driver reports a
/// <see cref="Ready"/> it could not persist with <see cref="ReportStorageFull"/> (instead of
/// <see cref="Advance"/>), and space coming back with <see cref="ReportStorageRecovered"/>. Until
/// then the node logs nothing new: as a follower it refuses entries (<see cref="AppendResponse.DiskFull"/>)
/// and grants no votes, as a leader it refuses proposals (<see cref="ProposeStatus.StorageFull"/>), and it
/// starts no election. It keeps serving what it has applied.
/// </summary>
public sealed partial class Replica
{
    // The hard state of a Ready that could not be saved: saved again once space is back.
    private bool _hardStateUnsaved;
    private bool _persistingHardState;

    /// <summary>The last persist ran out of space and no probe has found room since.</summary>
    public bool StorageFull { get; private set; }

    /// <summary>
    /// The driver could not persist <paramref name="failed"/>, the <see cref="Ready"/> it took last, for
    /// lack of space, and nothing of its entries or snapshot is on disk (its hard state may be). Ends that
    /// Ready in place of <see cref="Advance"/>. Nothing of it may go out that promises what was not
    /// stored: its acks become refusals, its granted votes refusals, a candidate's vote requests are
    /// dropped when its own vote was not stored; a leader takes the proposals it could not log out of
    /// its log before anyone saw them and answers them <see cref="WriteOutcomeKind.NotLogged"/>; the
    /// other messages come in the next Ready. The driver still carries out the failed Ready's
    /// <see cref="Ready.Applied"/>, <see cref="Ready.Verdicts"/>, <see cref="Ready.Outcomes"/>,
    /// <see cref="Ready.Reads"/> and <see cref="Ready.Events"/>: none of them depends on what failed (they
    /// are already visible in the table, or were decided on what was stored before or on answers received).
    /// </summary>
    public void ReportStorageFull(Ready failed)
    {
        Invariant.Check(_readyTaken, "ReportStorageFull without TakeReady");
        _readyTaken = false;
        _persisting = [];
        _persistingHardState = false;
        StorageFull = true;
        _hardStateUnsaved |= failed.HardState is not null;
        var unloggedFrom = Role == ReplicaRole.Leader ? DropUnlogged(failed.Entries) : long.MaxValue;

        var carried = new List<Message>(failed.Messages.Count);
        foreach (var message in failed.Messages)
        {
            switch (message)
            {
                case AppendResponse response:
                    carried.Add(response with
                    {
                        Acked = [.. response.Acked.Where(i => i <= AppliedThrough)],
                        Refused = [.. response.Refused, .. response.Acked.Where(i => i > AppliedThrough)],
                        DiskFull = true,

                        // ReadRound is kept: confirming leadership needs only that the follower answered in the leader's term (no higher promise), and a refusal for lack of space still shows that.
                    });
                    break;
                case VoteResponse { Granted: true } vote:
                    carried.Add(vote with { Granted = false, Held = [] });
                    break;
                case VoteRequest when failed.HardState is not null:
                    // Its own vote in the new term was not stored: asking for others' would be campaigning on a forgettable vote.
                    break;
                case AppendRequest append when Strip(append, unloggedFrom) is { } kept:
                    carried.Add(kept);
                    break;
                case AppendRequest:
                    break;
                default:
                    carried.Add(message);
                    break;
            }
        }

        _messages.InsertRange(0, carried);
    }

    /// <summary>The driver found room on the disk again: the node logs again (and saves a hard state it could not save).</summary>
    public void ReportStorageRecovered()
    {
        if (!StorageFull)
        {
            return;
        }

        StorageFull = false;
        _hardStateChanged |= _hardStateUnsaved;
    }

    /// <summary>
    /// A leader's own slots that failed to log, and every slot proposed after them (none of them left
    /// this node: the messages carrying them are in the failed Ready or not yet taken), come out of
    /// its log. Reusing those indexes is safe because no copy exists anywhere. If a slot it re-proposed
    /// after its election is among them, it cannot finish what it recovered and steps down: the next
    /// leader recovers those slots from the voters again. Returns the first index dropped.
    /// </summary>
    private long DropUnlogged(IReadOnlyList<LogEntry> failed)
    {
        var from = failed.Where(e => e.Index > AppliedThrough).Select(e => e.Index).DefaultIfEmpty(long.MaxValue).Min();
        if (from == long.MaxValue)
        {
            return from;
        }

        var last = Log.LastIndex;
        foreach (var index in _pending.Keys.Where(i => i >= from).Order().ToList())
        {
            var slot = _pending[index];
            Invariant.Check(!slot.SelfAccepted, $"slot {index} counted as logged on the leader, but its log write failed");
            if (slot.HasClient && !slot.OutcomeGiven)
            {
                slot.OutcomeGiven = true;
                _outcomes.Add(new WriteOutcome(index, Term, WriteOutcomeKind.NotLogged, 0, TimeSpan.Zero));
            }

            _pending.Remove(index);
        }

        // What the leader keeps per slot beyond _pending: an idempotency key whose retry would join the
        // dropped slot, and an expiry that would never be proposed again (the key still carries its deadline).
        for (var index = from; index <= last; index++)
        {
            if (!Log.TryGet(index, out var entry))
            {
                continue;
            }

            if (entry.IdempotencyKey is { } idempotencyKey && _inLogIdempotency.TryGetValue(idempotencyKey, out var keyed) && keyed == index)
            {
                _inLogIdempotency.Remove(idempotencyKey);
            }

            if (entry.Op == WriteOp.Expire && _expiring.TryGetValue(entry.Key, out var version) && entry.Condition.Index == version)
            {
                _expiring.Remove(entry.Key);
            }
        }

        Log.TruncateFrom(from);
        _toPersist.RemoveAll(e => e.Index >= from);
        var messages = new List<Message>(_messages.Count);
        foreach (var message in _messages)
        {
            if (message is not AppendRequest append)
            {
                messages.Add(message);
            }
            else if (Strip(append, from) is { } kept)
            {
                messages.Add(kept);
            }
        }

        _messages = messages;
        foreach (var peer in _peers.Values)
        {
            for (var index = from; index <= last; index++)
            {
                peer.Settle(index);
            }

            peer.Next = Math.Min(peer.Next, from);
        }

        if (from <= _recoveredThrough)
        {
            BecomeFollower(Term, null, 0);
        }

        return from;
    }

    /// <summary>The append without entries at or above <paramref name="from"/>; null when nothing is left of one that carried entries.</summary>
    private static AppendRequest? Strip(AppendRequest append, long from)
    {
        if (from == long.MaxValue || append.Entries.All(e => e.Index < from))
        {
            return append;
        }

        var kept = append.Entries.Where(e => e.Index < from).ToList();
        return kept.Count == 0 ? null : append with { Entries = kept, LeaderLastIndex = Math.Min(append.LeaderLastIndex, from - 1) };
    }
}
