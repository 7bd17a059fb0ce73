namespace LeaderKv.Core.Consensus;

/// <summary>The acceptor's side: taking appends and snapshots, applying what is verified, serving a new leader's catch-up.</summary>
public sealed partial class Replica
{
    private void OnAppend(AppendRequest append)
    {
        if (append.Term < Term || AnotherRunLeads(append.Term, append.From, append.LeaderIncarnation))
        {
            Send(new AppendResponse
            {
                From = Id, To = append.From, Term = Term, RequestId = append.RequestId, LeaderIncarnation = append.LeaderIncarnation,
                Acked = [], AppliedThrough = AppliedThrough, Incarnation = Incarnation, Tainted = Tainted, Rejected = true, DiskFull = StorageFull,
                ReadRound = append.ReadRound,
            });
            return;
        }

        if (Role == ReplicaRole.Leader)
        {
            // Only a previous run of this very node can send us an append in our own term (its messages
            // may still be in flight); anything else is two leaders in one term.
            Invariant.Check(string.Equals(append.From, Id, StringComparison.Ordinal), $"two leaders in term {Term}: {Id} and {append.From}");
            return;
        }

        if (Role != ReplicaRole.Follower || LeaderId is null)
        {
            BecomeFollower(Term, append.From, append.LeaderIncarnation);
        }

        LeaderId = append.From;
        _electionElapsed = 0;
        if (Tainted && Term > _taintTerm && _taintTarget < 0)
        {
            _taintTarget = append.LeaderLastIndex;
        }

        var acked = new List<long>(append.Entries.Count);
        List<long>? refused = null;
        var window = AppliedThrough + _config.MaxPendingWindow;
        foreach (var entry in append.Entries)
        {
            if (entry.Index <= AppliedThrough)
            {
                // Already applied, so committed: what this node holds there is the chosen value.
                acked.Add(entry.Index);
                continue;
            }

            if (entry.Index > window || StorageFull)
            {
                // Beyond the pending window, or not loggable: not taken, so not acked.
                (refused ??= []).Add(entry.Index);
                continue;
            }

            // Accepting re-stamps the slot with this term even when the value is the same: a later
            // election must see that this value was accepted in this term, not only in an older one.
            var accepted = entry.AcceptedIn(Term);
            var isNew = !Log.TryGet(entry.Index, out _);
            Log.Accept(accepted);
            _toPersist.Add(accepted);
            acked.Add(entry.Index);
            if (_config.ApplyOnArrival && isNew)
            {
                _arrivalVerdicts[accepted.Index] = Table.Apply(accepted);
            }
        }

        _leaderCommit = Math.Max(_leaderCommit, append.CommitIndex);
        ApplyVerified();
        Send(new AppendResponse
        {
            From = Id, To = append.From, Term = Term, RequestId = append.RequestId, LeaderIncarnation = append.LeaderIncarnation,
            Acked = acked, Refused = refused ?? [], AppliedThrough = AppliedThrough, Incarnation = Incarnation, Tainted = Tainted, DiskFull = StorageFull,
            ReadRound = append.ReadRound,
        });
    }

    /// <summary>
    /// True when <paramref name="leader"/> already led <paramref name="term"/> here as another run of its
    /// process. A leader that restarted in memory forgot its term; recovering best-effort (W = 0) it
    /// may come back to lead a term its previous run led, and its new values would land on slots this
    /// node accepted in that very term from the previous run (two values in one term: the slot log's
    /// invariant). Refusing makes it move to a new term (it sees a same-term rejection).
    /// </summary>
    private bool AnotherRunLeads(long term, string leader, long incarnation)
    {
        if (term != Term || !string.Equals(_votedFor, leader, StringComparison.Ordinal))
        {
            return false;
        }

        if (_votedIncarnation == 0)
        {
            // The vote came from a message without the leader's run (a fetch): learn it now.
            _votedIncarnation = incarnation;
            _hardStateChanged = true;
            return false;
        }

        return _votedIncarnation != incarnation;
    }

    /// <summary>
    /// Applies slot by slot while the next one is within the leader's commit index and was accepted
    /// in the leader's term. An older-term entry under the commit index is never applied: it may be a
    /// value the cluster never chose; the leader re-sends it in its own term.
    /// </summary>
    private void ApplyVerified()
    {
        CommitIndex = Math.Max(CommitIndex, _leaderCommit);
        while (AppliedThrough < _leaderCommit && Log.TryGet(AppliedThrough + 1, out var next) && next.Term == Term)
        {
            ApplyEntry(next);
        }

        CheckTaintCleared();
        CompactIfLarge();
    }

    private void CheckTaintCleared()
    {
        if (Tainted && _taintTarget >= 0 && AppliedThrough >= _taintTarget)
        {
            Tainted = false;
            Event(ReplicaEventKind.TaintCleared, detail: $"caught up to {_taintTarget} under the leader of term {Term}");
        }
    }

    private void OnSnapshot(SnapshotRequest request)
    {
        var refused = request.Term < Term || Role == ReplicaRole.Leader || AnotherRunLeads(request.Term, request.From, request.LeaderIncarnation);
        if (refused || StorageFull)
        {
            // A snapshot this node could not store is not installed either: the leader sends it again once the disk has room.
            Send(new AppendResponse
            {
                From = Id, To = request.From, Term = Term, RequestId = request.RequestId, LeaderIncarnation = request.LeaderIncarnation,
                Acked = [], AppliedThrough = AppliedThrough, Incarnation = Incarnation, Tainted = Tainted,
                Rejected = refused && Role != ReplicaRole.Leader, DiskFull = StorageFull,
            });
            return;
        }

        if (Role != ReplicaRole.Follower || LeaderId is null)
        {
            BecomeFollower(Term, request.From, request.LeaderIncarnation);
        }

        LeaderId = request.From;
        _electionElapsed = 0;
        InstallSnapshot(request.Snapshot);
        ApplyVerified();
        Send(new AppendResponse
        {
            From = Id, To = request.From, Term = Term, RequestId = request.RequestId, LeaderIncarnation = request.LeaderIncarnation,
            Acked = [], AppliedThrough = AppliedThrough, Incarnation = Incarnation, Tainted = Tainted, DiskFull = StorageFull,
        });
    }

    /// <summary>Replaces the table with a newer snapshot (everything in it is committed); slots it covers are dropped.</summary>
    private void InstallSnapshot(SnapshotImage snapshot)
    {
        if (snapshot.Index <= AppliedThrough)
        {
            return;
        }

        Table = snapshot.ToTable(_config.Idempotency);
        AppliedThrough = snapshot.Index;
        CommitIndex = Math.Max(CommitIndex, snapshot.Index);
        Log.ResetTo(snapshot.Index);
        _snapshotToPersist = snapshot;
        Event(ReplicaEventKind.SnapshotInstalled, detail: $"through {snapshot.Index}");
    }

    /// <summary>A new leader asks for applied entries it lacks; they are committed, so any voter's copy will do.</summary>
    private void OnFetchRequest(FetchRequest request)
    {
        if (request.Term < Term)
        {
            Send(new FetchResponse { From = Id, To = request.From, Term = Term, RequestId = request.RequestId, Entries = [], Rejected = true });
            return;
        }

        if (request.FromIndex <= Log.CompactedThrough)
        {
            Send(new FetchResponse
            {
                From = Id, To = request.From, Term = Term, RequestId = request.RequestId,
                Entries = [], Snapshot = SnapshotImage.Of(Table, AppliedThrough),
            });
            return;
        }

        var entries = new List<LogEntry>();
        var bytes = 0;
        var last = Math.Min(request.ToIndex, AppliedThrough);
        for (var index = request.FromIndex; index <= last && entries.Count < _config.MaxEntriesPerAppend; index++)
        {
            Invariant.Check(Log.TryGet(index, out var entry), $"applied slot {index} missing above the compaction point {Log.CompactedThrough}");
            bytes += entry.ApproximateSize;
            if (entries.Count > 0 && bytes > _config.MaxBytesPerAppend)
            {
                break;
            }

            entries.Add(entry);
        }

        Send(new FetchResponse { From = Id, To = request.From, Term = Term, RequestId = request.RequestId, Entries = entries });
    }
}
