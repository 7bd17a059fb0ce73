namespace LeaderKv.Core.Consensus;

/// <summary>
/// The proposer's side of an election (DESIGN §3 "Election = recovery"): pre-vote, promises, and
/// the recovery that makes the winner hold every committed write before it serves any.
/// </summary>
public sealed partial class Replica
{
    private readonly HashSet<string> _preVotes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, VoteResponse> _promises = new(StringComparer.Ordinal);
    private bool _bestEffort;

    // Recovery after winning: catch up to the highest v among the voters, from the voter that has it.
    private bool _recovering;
    private long _recoveryTarget;
    private string? _recoverySource;
    private long _recoveryElapsed;
    private long _recoveredThrough;

    /// <summary>
    /// Makes this node leader whatever the cost (an operator's <c>promote --accept-data-loss</c>): it
    /// runs an election and, if the election quorum does not answer within an election timeout,
    /// leads with the promises it has. Writes committed only on nodes that did not answer may be lost.
    /// </summary>
    public void Promote()
    {
        Campaign(bestEffort: true);
    }

    /// <summary>True while this node is leader but still recovering what its voters hold (no reads or writes yet).</summary>
    public bool IsRecovering => Role == ReplicaRole.Leader && _recovering;

    private void StartElection()
    {
        if (_config.Failover == FailoverMode.Manual)
        {
            // Only the designated node campaigns here, and nobody else could: no pre-vote needed.
            Campaign(bestEffort: _config.WriteQuorum == 0);
            return;
        }

        Role = ReplicaRole.PreCandidate;
        LeaderId = null;
        _preVotes.Clear();
        _preVotes.Add(Id);
        _electionElapsed = 0;
        // The node named to lead a new cluster asks again quickly until a first leader exists, so it
        // wins as soon as enough peers are up instead of racing their randomised timers. Pre-votes
        // raise no term, so asking often disturbs nobody.
        _electionTimeout = _config.CampaignsAtStart && !_everFollowed ? 2 : RandomElectionTimeout();
        if (_preVotes.Count >= _config.ElectionQuorum)
        {
            Campaign(bestEffort: false);
            return;
        }

        foreach (var peer in _config.Peers)
        {
            Send(new PreVoteRequest { From = Id, To = peer, Term = Term + 1 });
        }
    }

    private void OnElectionTimeout()
    {
        if (Role == ReplicaRole.Candidate && _bestEffort)
        {
            Event(ReplicaEventKind.BestEffortRecovery, detail: $"leading with {_promises.Count} of {_config.Voters} promises (election quorum {_config.ElectionQuorum}): writes committed only on the silent nodes may be lost");
            Win();
            return;
        }

        var bestEffort = _bestEffort;
        if (_config.Failover == FailoverMode.Manual || bestEffort)
        {
            Campaign(bestEffort);
        }
        else
        {
            StartElection();
        }
    }

    private void Campaign(bool bestEffort)
    {
        if (Role == ReplicaRole.Leader)
        {
            StepDown();
        }

        Term++;
        _votedFor = Id;
        _votedIncarnation = Incarnation;
        _hardStateChanged = true;
        Role = ReplicaRole.Candidate;
        LeaderId = null;
        _leaderCommit = 0;
        _bestEffort = bestEffort;
        _preVotes.Clear();
        _promises.Clear();
        _promises[Id] = OwnPromise();
        _electionElapsed = 0;
        _electionTimeout = RandomElectionTimeout();
        Event(ReplicaEventKind.StartedElection);
        if (HasElectionQuorum() || (bestEffort && _promises.Count == _config.Voters))
        {
            Win();
            return;
        }

        foreach (var peer in _config.Peers)
        {
            Send(new VoteRequest { From = Id, To = peer, Term = Term, Incarnation = Incarnation });
        }
    }

    private VoteResponse OwnPromise() => new()
    {
        From = Id, To = Id, Term = Term, Granted = true, Incarnation = Incarnation,
        AppliedThrough = AppliedThrough, Held = Log.HeldAbove(AppliedThrough), Tainted = Tainted,
    };

    private int CountedPromises() => _promises.Values.Count(p => !p.Tainted);

    /// <summary>
    /// E promises that count. A tainted promise counts for nothing, with one exception: the seed
    /// layout's own leader (the only node that ever campaigns there) restarted in memory. Its vote
    /// still counts toward E, which keeps two runs of it from leading one term (their voters must
    /// overlap), but not toward the writes it must recover: for that it needs N + 1 − W untainted
    /// followers, which meet every set of W followers a committed write was acked by. Without this a
    /// leader with one follower could never start in memory at all.
    /// </summary>
    private bool HasElectionQuorum()
    {
        if (CountedPromises() >= _config.ElectionQuorum)
        {
            return true;
        }

        var self = _promises[Id];
        if (_config.Failover != FailoverMode.Manual || !self.Tainted)
        {
            return false;
        }

        var untaintedFollowers = _promises.Values.Count(p => !p.Tainted && !string.Equals(p.From, Id, StringComparison.Ordinal));
        return _promises.Count >= _config.ElectionQuorum && untaintedFollowers >= _config.Voters - _config.WriteQuorum;
    }

    private void OnPreVoteRequest(PreVoteRequest request)
    {
        // "Yes, I heard no leader either": a node that hears a working leader never helps unseat it.
        var heardNoLeader = Role != ReplicaRole.Leader && (LeaderId is null || _electionElapsed >= _config.ElectionTicks);
        var granted = request.Term > Term && heardNoLeader;
        Send(new PreVoteResponse { From = Id, To = request.From, Term = granted ? request.Term : Term, RequestId = request.RequestId, Granted = granted });
    }

    private void OnPreVoteResponse(PreVoteResponse response)
    {
        if (Role != ReplicaRole.PreCandidate || !response.Granted || response.Term != Term + 1)
        {
            return;
        }

        _preVotes.Add(response.From);
        if (_preVotes.Count >= _config.ElectionQuorum)
        {
            Campaign(bestEffort: false);
        }
    }

    private void OnVoteRequest(VoteRequest request)
    {
        // One vote per term, durably; the same candidate may ask again, but only the same run of it
        // (a restarted in-memory candidate must not collect the votes its previous run was given).
        var granted = request.Term == Term
            && Role != ReplicaRole.Leader
            && !StorageFull
            && (_votedFor is null || (string.Equals(_votedFor, request.From, StringComparison.Ordinal) && _votedIncarnation == request.Incarnation));
        if (granted)
        {
            if (_votedFor is null)
            {
                _votedFor = request.From;
                _votedIncarnation = request.Incarnation;
                _hardStateChanged = true;
            }

            _electionElapsed = 0;
        }

        Send(new VoteResponse
        {
            From = Id, To = request.From, Term = Term, RequestId = request.RequestId, Granted = granted, Incarnation = request.Incarnation,
            AppliedThrough = AppliedThrough, Held = granted ? Log.HeldAbove(AppliedThrough) : [], Tainted = Tainted,
        });
    }

    private void OnVoteResponse(VoteResponse response)
    {
        if (Role == ReplicaRole.Leader && response.Term == Term && response.Incarnation == Incarnation && _peers.TryGetValue(response.From, out var late))
        {
            // A vote that arrived after the election was won still shows the voter is there.
            late.LastHeardTick = _tick;
            return;
        }

        if (Role != ReplicaRole.Candidate || response.Term != Term || response.Incarnation != Incarnation || !response.Granted)
        {
            return;
        }

        _promises[response.From] = response;
        if (HasElectionQuorum())
        {
            Win();
        }
        else if (_bestEffort && _promises.Count == _config.Voters)
        {
            // Everyone answered: waiting longer cannot make the recovery any more complete.
            Event(ReplicaEventKind.BestEffortRecovery, detail: $"every node answered, {CountedPromises()} of them with a promise that counts (election quorum {_config.ElectionQuorum})");
            Win();
        }
    }

    /// <summary>
    /// Won: lead as "recovering". First catch up to the highest v any voter reported (those slots
    /// are committed, and only that voter is sure to have them), then decide the slots above it.
    /// </summary>
    private void Win()
    {
        Role = ReplicaRole.Leader;
        LeaderId = Id;
        _everFollowed = true;
        _bestEffort = false;
        _pending.Clear();
        _highestAnsweredCommitted = 0;
        _commitNoticed = AppliedThrough;
        _leaderSinceTick = _tick;
        _heartbeatElapsed = 0;
        CommitIndex = AppliedThrough;
        foreach (var peer in _peers.Values)
        {
            peer.Restart(0, 0);
            peer.LastHeardTick = -1;
            peer.IsDown = false;
            if (_promises.TryGetValue(peer.Id, out var promise))
            {
                peer.Restart(0, promise.AppliedThrough);
                peer.LastHeardTick = _tick;
                peer.Tainted = promise.Tainted;
            }
        }

        var source = _promises.Values.MaxBy(p => p.AppliedThrough)!;
        _recovering = true;
        _recoveryElapsed = 0;
        _recoveryTarget = source.AppliedThrough;
        _recoverySource = source.From;
        Event(ReplicaEventKind.BecameLeader, detail: $"{_promises.Count} promises; recovering through {_recoveryTarget} from {_recoverySource}");
        BroadcastHeartbeat();
        ContinueRecovery();
    }

    private void ContinueRecovery()
    {
        if (AppliedThrough >= _recoveryTarget)
        {
            FinishRecovery();
            return;
        }

        Send(new FetchRequest { From = Id, To = _recoverySource!, Term = Term, FromIndex = AppliedThrough + 1, ToIndex = _recoveryTarget });
    }

    private void OnFetchResponse(FetchResponse response)
    {
        if (!IsRecovering || response.Term != Term || response.Rejected || !string.Equals(response.From, _recoverySource, StringComparison.Ordinal))
        {
            return;
        }

        if (response.Snapshot is { } snapshot)
        {
            InstallSnapshot(snapshot);
        }

        var before = AppliedThrough;
        foreach (var entry in response.Entries)
        {
            if (entry.Index != AppliedThrough + 1)
            {
                continue;
            }

            // Committed, so applied at once; stamped with this term because this leader will send it in this term.
            var accepted = entry.AcceptedIn(Term);
            Log.Accept(accepted);
            _toPersist.Add(accepted);
            ApplyEntry(accepted);
        }

        // Only progress buys more time. A source that restarted since its promise (a durable node comes
        // back at v = 0) answers every fetch with nothing; resetting the timer on those answers kept
        // this leader recovering forever instead of failing over to a new term.
        if (AppliedThrough > before)
        {
            _recoveryElapsed = 0;
        }

        CommitIndex = Math.Max(CommitIndex, AppliedThrough);
        ContinueRecovery();
    }

    /// <summary>
    /// Decides every slot above the recovered prefix: the value with the highest accepted term any
    /// voter reported, or a no-op where none did, re-proposed in this term. The prefix counts as
    /// committed in this term; only the slots above it need W acks again.
    /// </summary>
    private void FinishRecovery()
    {
        _recovering = false;
        var recoveredBase = AppliedThrough;
        var best = new Dictionary<long, LogEntry>();
        foreach (var promise in _promises.Values.Where(p => !string.Equals(p.From, Id, StringComparison.Ordinal)).Append(OwnPromise()))
        {
            foreach (var entry in promise.Held)
            {
                if (entry.Index > recoveredBase && (!best.TryGetValue(entry.Index, out var current) || entry.Term > current.Term))
                {
                    best[entry.Index] = entry;
                }
            }
        }

        var last = best.Count == 0 ? recoveredBase : best.Keys.Max();
        for (var index = recoveredBase + 1; index <= last; index++)
        {
            var entry = best.TryGetValue(index, out var chosen) ? chosen.AcceptedIn(Term) : LogEntry.NoOp(index, Term);
            Log.Accept(entry);
            _toPersist.Add(entry);
            _pending[index] = new PendingSlot(index, []);
            if (entry.IdempotencyKey is { } idempotencyKey)
            {
                _inLogIdempotency[idempotencyKey] = index;
            }
        }

        _recoveredThrough = last;
        _promises.Clear();
        CommitIndex = recoveredBase;
        Event(ReplicaEventKind.LeaderRecovered, detail: $"prefix through {recoveredBase}, re-proposed {last - recoveredBase} slots");
        foreach (var peer in _peers.Values)
        {
            Replicate(peer, heartbeat: true);
        }
    }

    private void FailRecovery()
    {
        Event(ReplicaEventKind.RecoveryFailed, _recoverySource, $"could not catch up to {_recoveryTarget}");
        // The seed's layout at W = 0 only ever recovers best-effort (E = every node, and tainted ones
        // never count): a strict retry there could never win again, leaving the cluster leaderless.
        Campaign(bestEffort: _config.Failover == FailoverMode.Manual && _config.WriteQuorum == 0);
    }
}
