namespace LeaderKv.Core.Consensus;

/// <summary>The leader's side: proposing, replicating per slot, counting acks of its term, committing, and knowing when to stop.</summary>
public sealed partial class Replica
{
    private readonly Dictionary<string, PeerProgress> _peers;
    private readonly Dictionary<long, PendingSlot> _pending = [];

    // Committed slots whose client waits for the verdict, which comes when the slot is applied (in index order).
    private readonly Dictionary<long, PendingSlot> _awaitingApply = [];

    // Idempotency keys of entries in this leader's log above its applied index: a retry joins the entry.
    private readonly Dictionary<string, long> _inLogIdempotency = new(StringComparer.Ordinal);

    // Keys with an expiry entry in the log, and the version it expires.
    private readonly Dictionary<string, long> _expiring = new(StringComparer.Ordinal);
    private long _commitNoticed;
    private long _highestAnsweredCommitted;
    private long _leaderSinceTick;

    /// <summary>The leader's view of each follower (empty unless this node leads).</summary>
    public IReadOnlyCollection<PeerProgress> Peers => _peers.Values;

    /// <summary>True when <see cref="Propose(WriteCommand, long)"/> would take a write now: this node leads, has recovered, can log, and hears from W followers that can.</summary>
    public bool CanAcceptWrites => Role == ReplicaRole.Leader && !_recovering && !StorageFull && ReachableFollowers() >= _config.WriteQuorum;

    /// <summary>Slots proposed in this term and not yet under the commit index.</summary>
    public int PendingCount => _pending.Count;

    /// <summary>
    /// Puts a client write in the log and sends it to every follower, each after its own simulated
    /// delay. Its outcome (committed or unknown) comes later in a <see cref="Ready"/>; a rejection is
    /// immediate and means nothing entered the log.
    /// </summary>
    public ProposeResult Propose(string key, ReadOnlyMemory<byte> value) => Propose(WriteCommand.Put(key, value), nowMs: 0);

    /// <summary>
    /// Puts a client write in the log, stamped with <paramref name="nowMs"/> (the leader's clock, Unix
    /// milliseconds: it ages idempotency records and sets the expiry deadline of a time-to-live).
    /// A write with an idempotency key this leader already knows is not written again: an applied one
    /// is answered with its record (<see cref="ProposeStatus.Replayed"/>), one still in the log is
    /// joined (the same index; its outcome answers both). A write with a condition or an idempotency
    /// key is answered once it is applied, with its verdict.
    /// </summary>
    public ProposeResult Propose(WriteCommand command, long nowMs)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentException.ThrowIfNullOrEmpty(command.Key);
        Invariant.Check(command.Op != WriteOp.Expire, "expiry entries are the leader's own (ExpireDue)");
        if (Role != ReplicaRole.Leader)
        {
            return new ProposeResult(LeaderId is null ? ProposeStatus.NoLeader : ProposeStatus.NotLeader, 0, Term, LeaderId);
        }

        if (_recovering)
        {
            return new ProposeResult(ProposeStatus.Recovering, 0, Term, Id);
        }

        // A retry of a known write logs nothing, so it is answered even when the disk is full or the quota is reached.
        if (command.IdempotencyKey is { } idempotencyKey && Known(command, idempotencyKey) is { } known)
        {
            return known;
        }

        if (StorageFull)
        {
            return new ProposeResult(ProposeStatus.StorageFull, 0, Term, Id);
        }

        // Deletes and shrinking overwrites are taken past the quota: they are how a full table is emptied.
        if (_config.MaxDataBytes > 0 && Table.GrowthOf(command.Op, command.Key, command.Value.Length) is > 0 and var growth
            && Table.Bytes + growth > _config.MaxDataBytes)
        {
            return new ProposeResult(ProposeStatus.QuotaExceeded, 0, Term, Id);
        }

        if (ReachableFollowers() < _config.WriteQuorum)
        {
            return new ProposeResult(ProposeStatus.QuorumUnreachable, 0, Term, Id);
        }

        if (Log.LastIndex - CommitIndex >= _config.MaxUncommitted)
        {
            return new ProposeResult(ProposeStatus.Overloaded, 0, Term, Id);
        }

        var expiresAt = command.Op == WriteOp.Put && command.TimeToLive is { } ttl ? nowMs + Math.Max(1, (long)ttl.TotalMilliseconds) : 0;
        var entry = new LogEntry(Log.LastIndex + 1, Term, command.Key, command.Value)
        {
            Op = command.Op,
            Condition = command.Condition,
            IdempotencyKey = command.IdempotencyKey,
            StampMs = nowMs,
            ExpiresAtMs = expiresAt,
        };
        Append(entry, hasClient: true, needsVerdict: command.NeedsVerdict);
        return new ProposeResult(ProposeStatus.Accepted, entry.Index, Term, Id);
    }

    /// <summary>
    /// Proposes the expiry of every key whose deadline is at or before <paramref name="nowMs"/> (this
    /// leader's clock), as a delete conditional on the version that carries the deadline: a key written
    /// again meanwhile is kept. The deadline is in the replicated table, so a new leader expires what
    /// its predecessor did not. Returns how many it proposed (at most <see cref="ClusterConfig.MaxExpiriesPerTick"/>).
    /// </summary>
    public int ExpireDue(long nowMs)
    {
        if (!CanAcceptWrites)
        {
            return 0;
        }

        var due = Table.DueBy(nowMs)
            .Where(d => !(_expiring.TryGetValue(d.Key, out var index) && index == d.Index))
            .Take(_config.MaxExpiriesPerTick)
            .ToList();
        var proposed = 0;
        foreach (var (key, version) in due)
        {
            if (Log.LastIndex - CommitIndex >= _config.MaxUncommitted)
            {
                break;
            }

            var entry = new LogEntry(Log.LastIndex + 1, Term, key, ReadOnlyMemory<byte>.Empty)
            {
                Op = WriteOp.Expire,
                Condition = WriteCondition.IfIndex(version),
                StampMs = nowMs,
            };
            Append(entry, hasClient: false, needsVerdict: false);
            _expiring[key] = version;
            proposed++;
        }

        return proposed;
    }

    /// <summary>What to answer a write whose idempotency key this leader knows; null when it is new.</summary>
    private ProposeResult? Known(WriteCommand command, string idempotencyKey)
    {
        var hash = WriteRequestHash.Of(command.Op, command.Key, command.Value.Span, command.Condition);
        if (Table.TryGetIdempotency(idempotencyKey, out var record))
        {
            return record.RequestHash == hash
                ? new ProposeResult(ProposeStatus.Replayed, record.Index, Term, Id) { Replay = record }
                : new ProposeResult(ProposeStatus.IdempotencyKeyReused, record.Index, Term, Id);
        }

        if (!_inLogIdempotency.TryGetValue(idempotencyKey, out var index) || !Log.TryGet(index, out var entry))
        {
            return null;
        }

        if (WriteRequestHash.Of(entry) != hash)
        {
            return new ProposeResult(ProposeStatus.IdempotencyKeyReused, index, Term, Id);
        }

        // The same write is in the log, not yet applied: the retry waits for its outcome.
        var slot = _pending.GetValueOrDefault(index) ?? _awaitingApply.GetValueOrDefault(index);
        if (slot is null)
        {
            return null;
        }

        slot.NeedsVerdict = true;
        if (!slot.HasClient || slot.OutcomeGiven)
        {
            // Re-armed: a slot re-proposed in recovery had no client, and one answered unknown may still commit.
            slot.HasClient = true;
            slot.OutcomeGiven = false;
            OnSlotProgress(slot);
        }

        return new ProposeResult(ProposeStatus.Accepted, index, Term, Id);
    }

    private void Append(LogEntry entry, bool hasClient, bool needsVerdict)
    {
        var index = entry.Index;
        Log.Accept(entry);
        _toPersist.Add(entry);
        var delays = new TimeSpan[_config.Peers.Count];
        foreach (var peer in _peers.Values)
        {
            delays[peer.Position] = _delays.Next(peer.Position, index);
        }

        _pending[index] = new PendingSlot(index, delays) { HasClient = hasClient, NeedsVerdict = needsVerdict };
        if (entry.IdempotencyKey is { } idempotencyKey)
        {
            _inLogIdempotency[idempotencyKey] = index;
        }

        foreach (var peer in _peers.Values.Where(p => !p.DiskFull))
        {
            peer.MarkSent(index, _tick);
            Send(new AppendRequest
            {
                From = Id, To = peer.Id, Term = Term, Entries = [entry], CommitIndex = CommitIndex,
                LeaderLastIndex = index, LeaderIncarnation = Incarnation, Delay = delays[peer.Position],
            });
        }
    }

    /// <summary>The leader applied a slot: a write waiting for its verdict gets its answer now.</summary>
    private void OnLeaderApplied(LogEntry entry, WriteVerdict verdict)
    {
        if (entry.IdempotencyKey is { } idempotencyKey && _inLogIdempotency.TryGetValue(idempotencyKey, out var index) && index == entry.Index)
        {
            _inLogIdempotency.Remove(idempotencyKey);
        }

        if (entry.Op == WriteOp.Expire && _expiring.TryGetValue(entry.Key, out var version) && entry.Condition.Index == version)
        {
            _expiring.Remove(entry.Key);
        }

        if (_awaitingApply.Remove(entry.Index, out var slot) && slot.HasClient && !slot.OutcomeGiven)
        {
            slot.OutcomeGiven = true;
            _highestAnsweredCommitted = Math.Max(_highestAnsweredCommitted, slot.Index);
            _outcomes.Add(new WriteOutcome(slot.Index, Term, WriteOutcomeKind.Committed, slot.Acks, slot.CompletingDelay, verdict));
        }
    }

    /// <summary>
    /// The transport could not deliver an append (or snapshot) to <paramref name="peer"/>: its slots go
    /// again through catch-up, and a write whose quorum can no longer be met is answered unknown.
    /// </summary>
    public void ReportUnreachable(string peer, IReadOnlyList<long> indexes)
    {
        if (Role != ReplicaRole.Leader || !_peers.TryGetValue(peer, out var progress))
        {
            return;
        }

        foreach (var index in indexes)
        {
            progress.Settle(index);
            progress.Next = Math.Min(progress.Next, index);
            if (_pending.TryGetValue(index, out var slot))
            {
                slot.Fail(progress.Position);
                OnSlotProgress(slot);
            }
        }

        progress.SnapshotSentTick = -1;
        if (!progress.IsDown)
        {
            progress.IsDown = true;
            Event(ReplicaEventKind.FollowerDown, peer);
        }
    }

    /// <summary>
    /// The transport dropped these live sends to <paramref name="peer"/> (its queue was full): they are no
    /// longer on their way, so catch-up sends them once the follower keeps up. The write's quorum stays open.
    /// </summary>
    public void ReportDropped(string peer, IReadOnlyList<long> indexes)
    {
        if (Role != ReplicaRole.Leader || !_peers.TryGetValue(peer, out var progress))
        {
            return;
        }

        foreach (var index in indexes)
        {
            progress.Settle(index);
            progress.Next = Math.Min(progress.Next, index);
        }
    }

    /// <summary>Follower acks a slot still waiting for its quorum has (0 once committed or unknown to this leader).</summary>
    public int AcksOf(long index) => _pending.TryGetValue(index, out var slot) ? slot.Acks : 0;

    /// <summary>
    /// Followers that answered within an election timeout. A follower believed down a moment ago still
    /// counts: the belief may be one failed send old (a follower that was restarting), and refusing the
    /// write would fail one it could ack; a follower that really is down refuses the send at once, which
    /// answers the write unknown just as fast. A follower whose disk is full answers but cannot ack, so it
    /// counts toward writes only with <paramref name="countDiskFull"/> (check-quorum: it still hears us).
    /// </summary>
    private int ReachableFollowers(bool countDiskFull = false)
    {
        var since = _tick - _config.ElectionTicks;
        return _peers.Values.Count(p => p.LastHeardTick >= since && (countDiskFull || !p.DiskFull));
    }

    private void TickLeader()
    {
        if (_recovering && ++_recoveryElapsed > _config.ElectionTicks)
        {
            FailRecovery();
            return;
        }

        // Check-quorum: fewer than N + 2 − E nodes answering means an election quorum may exist
        // without us, so a newer leader may already serve writes.
        if (_tick - _leaderSinceTick >= _config.ElectionTicks)
        {
            var heard = 1 + ReachableFollowers(countDiskFull: true);
            if (heard < _config.LeaseQuorum)
            {
                if (_config.Failover == FailoverMode.Automatic)
                {
                    Event(ReplicaEventKind.SteppedDown, detail: $"heard {heard} of the {_config.LeaseQuorum} nodes it needs within an election timeout");
                    BecomeFollower(Term, null, 0);
                }
                else
                {
                    // The seed's layout has no other candidate: running recovery again is how it regains a quorum.
                    Campaign(bestEffort: _config.WriteQuorum == 0);
                }

                return;
            }
        }

        var expiredBefore = _tick - _config.RetryTicks;
        foreach (var peer in _peers.Values)
        {
            var lowest = peer.ExpireSentBefore(expiredBefore);
            if (lowest != 0)
            {
                peer.Next = Math.Min(peer.Next, lowest);
            }

            if (peer.LastHeardTick < _tick - _config.ElectionTicks && !peer.IsDown && _tick - _leaderSinceTick >= _config.ElectionTicks)
            {
                peer.IsDown = true;
                Event(ReplicaEventKind.FollowerDown, peer.Id);
            }
        }

        if (++_heartbeatElapsed >= _config.HeartbeatTicks)
        {
            _heartbeatElapsed = 0;
            BroadcastHeartbeat();
        }
    }

    private void BroadcastHeartbeat()
    {
        foreach (var peer in _peers.Values)
        {
            Replicate(peer, heartbeat: true);
        }
    }

    /// <summary>
    /// Sends a follower what it lacks above its applied index: every slot not already on its way and
    /// not acked in this term (re-sent in this term even when the follower holds an older copy), or a
    /// snapshot when those slots were compacted. With <paramref name="heartbeat"/>, an empty append goes
    /// when nothing else does.
    /// </summary>
    private void Replicate(PeerProgress peer, bool heartbeat)
    {
        if (peer.Next <= peer.AppliedThrough)
        {
            peer.Next = peer.AppliedThrough + 1;
        }

        var entries = new List<LogEntry>();
        if (!_recovering && !peer.IsDown && !peer.DiskFull)
        {
            if (peer.AppliedThrough < Log.CompactedThrough)
            {
                if (peer.SnapshotSentTick < 0 || _tick - peer.SnapshotSentTick > _config.RetryTicks * 4)
                {
                    peer.SnapshotSentTick = _tick;
                    Send(new SnapshotRequest { From = Id, To = peer.Id, Term = Term, Snapshot = SnapshotImage.Of(Table, AppliedThrough), LeaderIncarnation = Incarnation });
                    Event(ReplicaEventKind.SnapshotSent, peer.Id, $"through {AppliedThrough}");
                }

                return;
            }

            if (peer.OutstandingCount < _config.MaxCatchUpInFlight)
            {
                CollectCatchUp(peer, entries);
            }
        }

        if (entries.Count == 0 && !heartbeat)
        {
            return;
        }

        Send(new AppendRequest
        {
            From = Id, To = peer.Id, Term = Term, Entries = entries, CommitIndex = CommitIndex,
            LeaderLastIndex = Log.LastIndex, LeaderIncarnation = Incarnation, ReadRound = _readRound,
        });
    }

    private void CollectCatchUp(PeerProgress peer, List<LogEntry> entries)
    {
        var bytes = 0;
        var index = peer.Next;
        var room = Math.Min(_config.MaxEntriesPerAppend, _config.MaxCatchUpInFlight - peer.OutstandingCount);
        for (; index <= Log.LastIndex && entries.Count < room; index++)
        {
            if (peer.IsOutstanding(index) || (_pending.TryGetValue(index, out var slot) && slot.IsAckedBy(peer.Position)))
            {
                continue;
            }

            Invariant.Check(Log.TryGet(index, out var entry), $"leader lacks slot {index} below its last index {Log.LastIndex}");
            bytes += entry.ApproximateSize;
            if (entries.Count > 0 && bytes > _config.MaxBytesPerAppend)
            {
                break;
            }

            entries.Add(entry);
            peer.MarkSent(index, _tick);
        }

        peer.Next = index;
    }

    private void OnAppendResponse(AppendResponse response)
    {
        if (Role != ReplicaRole.Leader || response.Term != Term || !_peers.TryGetValue(response.From, out var peer)
            || response.LeaderIncarnation != Incarnation)
        {
            // A late answer to a previous run of this node (which may have led this same term with other values) counts for nothing.
            return;
        }

        if (response.Rejected)
        {
            // Same term, refused: a previous run of this node led this term there. Leave the term.
            Event(ReplicaEventKind.SteppedDown, response.From, $"an earlier run of {Id} led term {Term}");
            if (_config.Failover == FailoverMode.Manual)
            {
                Campaign(bestEffort: _config.WriteQuorum == 0);
            }
            else
            {
                BecomeFollower(Term, null, 0);
            }

            return;
        }

        if (peer.Incarnation == 0)
        {
            // First answer in this term. The applied index its promise reported may be from an earlier
            // run of the follower (a promise does not name the voter's run): a voter that restarted
            // since (a durable node comes back at v = 0) would otherwise never be sent the slots
            // between its real v and the promised one, and could never apply again.
            peer.Incarnation = response.Incarnation;
            peer.AppliedThrough = response.AppliedThrough;
            peer.Next = Math.Min(peer.Next, response.AppliedThrough + 1);
        }
        else if (response.Incarnation != peer.Incarnation)
        {
            // The follower restarted: what it reported before is gone, what is on its way to the old run is lost.
            peer.Restart(response.Incarnation, response.AppliedThrough);

            // So are its acks of slots not yet committed: a node that lost its page cache (FSYNC=never)
            // may no longer hold them, and catch-up skips slots the follower acked, so they would never
            // be sent to it again and it could never apply past them (seed 1340).
            foreach (var slot in _pending.Values)
            {
                slot.Forget(peer.Position);
            }
        }

        OnReadRoundEchoed(response);
        peer.AppliedThrough = Math.Max(peer.AppliedThrough, response.AppliedThrough);
        peer.LastHeardTick = _tick;
        peer.Tainted = response.Tainted;
        if (peer.IsDown)
        {
            peer.IsDown = false;
            peer.Next = peer.AppliedThrough + 1;
            Event(ReplicaEventKind.FollowerBack, peer.Id, $"applied through {response.AppliedThrough}");
        }

        if (response.DiskFull != peer.DiskFull)
        {
            // Its disk filled: it refuses entries, so send it none (heartbeats ask whether it has room again).
            // It has room again: catch-up resends what it refused.
            peer.DiskFull = response.DiskFull;
            peer.Next = Math.Min(peer.Next, peer.AppliedThrough + 1);
            peer.SnapshotSentTick = -1;
            if (peer.DiskFull)
            {
                Event(ReplicaEventKind.FollowerDiskFull, peer.Id, $"applied through {response.AppliedThrough}");
            }
            else
            {
                Event(ReplicaEventKind.FollowerBack, peer.Id, $"its disk has room again; applied through {response.AppliedThrough}");
            }
        }

        if (response.AppliedThrough >= Log.CompactedThrough)
        {
            peer.SnapshotSentTick = -1;
        }

        foreach (var index in response.Acked)
        {
            peer.HighestAcked = Math.Max(peer.HighestAcked, index);
            peer.Settle(index);
            if (_pending.TryGetValue(index, out var slot) && slot.Ack(peer.Position, _config.WriteQuorum))
            {
                OnSlotProgress(slot);
            }
        }

        // A slot the follower has applied is committed and it holds the chosen value there: it acks any
        // append of it (see OnAppend). But catch-up sends only slots above the follower's applied index,
        // so a slot this leader re-proposes that the follower had applied under an earlier leader would
        // never be acked by it; with W = N that slot (and everything after it) never committed.
        for (var index = CommitIndex + 1; index <= response.AppliedThrough; index++)
        {
            if (_pending.TryGetValue(index, out var slot) && slot.Ack(peer.Position, _config.WriteQuorum))
            {
                OnSlotProgress(slot);
            }
        }

        foreach (var index in response.Refused)
        {
            peer.Settle(index);
            peer.Next = Math.Min(peer.Next, index);
            if (_pending.TryGetValue(index, out var slot))
            {
                slot.Fail(peer.Position);
                OnSlotProgress(slot);
            }
        }

        AdvanceCommit();
        Replicate(peer, heartbeat: false);
    }

    /// <summary>Gives a slot's outcome once it is decided: committed on a replication quorum, or unknown when that can no longer happen in time.</summary>
    private void OnSlotProgress(PendingSlot slot)
    {
        if (slot.OutcomeGiven || !slot.HasClient)
        {
            return;
        }

        if (slot.IsCommitted(_config.WriteQuorum) && slot.NeedsVerdict)
        {
            // Committed, but its verdict is decided when it is applied (OnLeaderApplied answers it).
            slot.CommittedSeen = true;
        }
        else if (slot.IsCommitted(_config.WriteQuorum))
        {
            slot.OutcomeGiven = true;
            _highestAnsweredCommitted = Math.Max(_highestAnsweredCommitted, slot.Index);
            _outcomes.Add(new WriteOutcome(slot.Index, Term, WriteOutcomeKind.Committed, slot.Acks, slot.CompletingDelay));
        }
        else if (!slot.CommittedSeen && slot.CannotCommit(_config.Peers.Count, _config.WriteQuorum))
        {
            slot.OutcomeGiven = true;
            _outcomes.Add(new WriteOutcome(slot.Index, Term, WriteOutcomeKind.Unknown, slot.Acks, TimeSpan.Zero));
        }
    }

    /// <summary>Moves the commit index over every contiguous committed slot and applies them.</summary>
    private void AdvanceCommit()
    {
        var moved = false;
        while (_pending.TryGetValue(CommitIndex + 1, out var slot) && slot.IsCommitted(_config.WriteQuorum))
        {
            _pending.Remove(slot.Index);
            if (slot.HasClient && slot.NeedsVerdict && !slot.OutcomeGiven)
            {
                _awaitingApply[slot.Index] = slot;
            }

            CommitIndex++;
            moved = true;
        }

        while (AppliedThrough < CommitIndex)
        {
            Invariant.Check(Log.TryGet(AppliedThrough + 1, out var next) && next.Term == Term, $"leader's committed slot {AppliedThrough + 1} is not of its term");
            ApplyEntry(next);
        }

        if (moved)
        {
            if (Tainted && CommitIndex >= _recoveredThrough)
            {
                Tainted = false;
                Event(ReplicaEventKind.TaintCleared, detail: "led a recovery to completion");
            }

            CompactIfLarge();
        }
    }

    private bool CommitNoticeDue => Role == ReplicaRole.Leader && CommitIndex > _commitNoticed;

    /// <summary>
    /// Tells every follower promptly when the commit index moved, once per <see cref="Ready"/> however
    /// often it moved in between: a follower applies only what it knows is committed, and waiting for
    /// the next heartbeat would delay every read on it. (The transport merges these into appends
    /// queued for the same follower.)
    /// </summary>
    private void NoticeCommit()
    {
        if (!CommitNoticeDue)
        {
            return;
        }

        _commitNoticed = CommitIndex;
        foreach (var peer in _peers.Values.Where(p => !p.IsDown))
        {
            Send(new AppendRequest
            {
                From = Id, To = peer.Id, Term = Term, Entries = [], CommitIndex = CommitIndex,
                LeaderLastIndex = Log.LastIndex, LeaderIncarnation = Incarnation, ReadRound = _readRound,
            });
        }
    }

    /// <summary>Leaves leadership: every write still waiting is answered unknown (it may commit under the next leader, or be dropped).</summary>
    private void StepDown()
    {
        // A slot committed but not yet applied is answered unknown too: its verdict is not known here.
        foreach (var slot in _pending.Values.Concat(_awaitingApply.Values).Where(s => s.HasClient && !s.OutcomeGiven).OrderBy(s => s.Index))
        {
            slot.OutcomeGiven = true;
            _outcomes.Add(new WriteOutcome(slot.Index, Term, WriteOutcomeKind.Unknown, slot.Acks, TimeSpan.Zero));
        }

        _pending.Clear();
        _awaitingApply.Clear();
        _inLogIdempotency.Clear();
        _expiring.Clear();
        _recovering = false;
        Role = ReplicaRole.Follower;
        LeaderId = null;
        CommitIndex = AppliedThrough;
        Event(ReplicaEventKind.SteppedDown);
    }
}
