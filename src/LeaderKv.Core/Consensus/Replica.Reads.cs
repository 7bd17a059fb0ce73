namespace LeaderKv.Core.Consensus;

/// <summary>
/// Linearizable reads (DESIGN §3 "Reads"; etcd-io/raft's ReadIndex with ReadOnlySafe): the leader
/// notes its read index when a read arrives, then confirms it still leads with a fresh round of
/// appends: a read round number travels on every heartbeat and catch-up append sent after the read
/// arrived, and each follower echoes it. Current-term answers from N + 2 − E nodes (itself included)
/// echoing a round at or after the read's rule out a newer leader having been elected before the read
/// arrived (those nodes would have promised it a higher term), so every write answered committed
/// before the read is at or below the read index. The caller serves the read once that index is applied.
/// </summary>
public sealed partial class Replica
{
    /// <summary>Reads waiting at most for their round; beyond it new ones are refused (bounded memory, like MaxUncommitted for writes).</summary>
    public const int MaxPendingReads = 10_000;

    private readonly List<PendingRead> _pendingReads = [];
    private readonly List<ReadIndexResult> _readResults = [];
    private readonly Dictionary<string, long> _readRoundEchoed = new(StringComparer.Ordinal);

    // The last round started (stamped on appends from then on), and whether reads wait for the next one.
    private long _readRound;
    private bool _readRoundWanted;

    /// <summary>
    /// A linearizable read arrived. Refused at once (nothing pending) unless this node leads and has
    /// recovered; otherwise the answer, confirmed or not, comes in a <see cref="Ready"/> with <paramref name="requestId"/>.
    /// </summary>
    public ReadIndexResult RequestReadIndex(long requestId)
    {
        if (Role != ReplicaRole.Leader)
        {
            return new ReadIndexResult(requestId, LeaderId is null ? ReadIndexStatus.NoLeader : ReadIndexStatus.NotLeader, 0, Term, LeaderId);
        }

        if (_recovering)
        {
            return new ReadIndexResult(requestId, ReadIndexStatus.Recovering, 0, Term, Id);
        }

        if (_pendingReads.Count >= MaxPendingReads)
        {
            return new ReadIndexResult(requestId, ReadIndexStatus.Overloaded, 0, Term, Id);
        }

        // Round 0: it joins the next round, which starts only after now. A round already on its way may
        // have been sent before this read arrived and proves nothing about it.
        _pendingReads.Add(new PendingRead(requestId, ReadIndex, Term, _tick, Round: 0));
        _readRoundWanted = true;
        return new ReadIndexResult(requestId, ReadIndexStatus.Pending, ReadIndex, Term, Id);
    }

    /// <summary>Reads waiting for their round.</summary>
    public int PendingReadCount => _pendingReads.Count;

    /// <summary>True when <see cref="SettleReads"/> has something to do: a round to start, reads to answer or fail.</summary>
    private bool ReadsDue
    {
        get
        {
            if (_pendingReads.Count == 0)
            {
                return _readResults.Count > 0;
            }

            var oldest = _pendingReads[0];
            return _readResults.Count > 0
                || Role != ReplicaRole.Leader || _recovering || _pendingReads.Any(read => read.Term != Term)
                || _tick - oldest.StartTick > _config.ElectionTicks
                || (_readRoundWanted && !RoundInFlight())
                || (oldest.Round > 0 && ConfirmedRound() >= oldest.Round);
        }
    }

    /// <summary>Called once per <see cref="TakeReady"/>: fails, expires, confirms, and starts the next round.</summary>
    private List<ReadIndexResult> SettleReads()
    {
        if (_pendingReads.Count > 0)
        {
            FailReads(read => Role != ReplicaRole.Leader || _recovering || read.Term != Term, ReadIndexStatus.LostLeadership);

            FailReads(read => _tick - read.StartTick > _config.ElectionTicks, ReadIndexStatus.Unconfirmed);
            ConfirmReads();
            if (_readRoundWanted && !RoundInFlight() && _pendingReads.Count > 0)
            {
                StartReadRound();
                ConfirmReads();
            }
        }

        _readRoundWanted &= _pendingReads.Count > 0;
        if (_readResults.Count == 0)
        {
            return [];
        }

        var results = new List<ReadIndexResult>(_readResults);
        _readResults.Clear();
        return results;
    }

    private bool RoundInFlight() => _pendingReads.Count > 0 && _pendingReads[0].Round > 0;

    private void StartReadRound()
    {
        _readRound++;
        _readRoundWanted = false;
        for (var i = 0; i < _pendingReads.Count; i++)
        {
            if (_pendingReads[i].Round == 0)
            {
                _pendingReads[i] = _pendingReads[i] with { Round = _readRound };
            }
        }

        // At once rather than at the next heartbeat tick: a read waits one round trip, not a tick too.
        // An empty append to every peer, even one waiting for a snapshot (Replicate sends it none).
        foreach (var peer in _peers.Values)
        {
            Send(new AppendRequest
            {
                From = Id, To = peer.Id, Term = Term, Entries = [], CommitIndex = CommitIndex,
                LeaderLastIndex = Log.LastIndex, LeaderIncarnation = Incarnation, ReadRound = _readRound,
            });
        }
    }

    /// <summary>The highest round that N + 2 − E nodes (this one included) have echoed in this term.</summary>
    private long ConfirmedRound()
    {
        var needed = _config.LeaseQuorum - 1;
        if (needed <= 0)
        {
            return _readRound;
        }

        var echoed = _peers.Keys.Select(peer => _readRoundEchoed.GetValueOrDefault(peer)).OrderDescending().ToList();
        return echoed.Count >= needed ? echoed[needed - 1] : 0;
    }

    private void ConfirmReads()
    {
        var confirmed = ConfirmedRound();
        var kept = 0;
        for (var i = 0; i < _pendingReads.Count; i++)
        {
            var read = _pendingReads[i];
            if (read.Round > 0 && read.Round <= confirmed)
            {
                _readResults.Add(new ReadIndexResult(read.RequestId, ReadIndexStatus.Confirmed, read.Index, read.Term, Id));
            }
            else
            {
                _pendingReads[kept++] = read;
            }
        }

        _pendingReads.RemoveRange(kept, _pendingReads.Count - kept);
    }

    private void FailReads(Func<PendingRead, bool> failed, ReadIndexStatus status)
    {
        var kept = 0;
        for (var i = 0; i < _pendingReads.Count; i++)
        {
            var read = _pendingReads[i];
            if (failed(read))
            {
                _readResults.Add(new ReadIndexResult(read.RequestId, status, 0, read.Term, LeaderId));
            }
            else
            {
                _pendingReads[kept++] = read;
            }
        }

        _pendingReads.RemoveRange(kept, _pendingReads.Count - kept);
    }

    /// <summary>
    /// A current-term answer to this run: it echoes the read round of the append it answers. A tainted
    /// follower's echo does not count: it may have forgotten a promise of a higher term.
    /// </summary>
    private void OnReadRoundEchoed(AppendResponse response)
    {
        var peer = response.From;
        var round = response.ReadRound;
        if (!response.Tainted && round > _readRoundEchoed.GetValueOrDefault(peer))
        {
            _readRoundEchoed[peer] = round;
        }
    }

    /// <summary>A read waiting for its round; <c>Round</c> is 0 until that round starts.</summary>
    private readonly record struct PendingRead(long RequestId, long Index, long Term, long StartTick, long Round);
}
