namespace LeaderKv.Core.Consensus;

/// <summary>
/// One node's replication state machine, whatever its role: it owns the term and vote, the slots,
/// the table and the commit index, and decides everything the protocol decides (DESIGN §3:
/// Flexible Paxos over a log of slots, the term as the ballot). Inputs: <see cref="Step"/>
/// (a message), <see cref="Tick"/> (time), <see cref="Propose(WriteCommand, long)"/> (a client write),
/// <see cref="ReportUnreachable"/> (a send that failed), <see cref="Advance"/> (the last
/// <see cref="Ready"/> is durable and sent) or <see cref="ReportStorageFull"/> (it could not be stored)
/// and <see cref="ReportStorageRecovered"/>. Output: <see cref="TakeReady"/>. Pure and
/// single-threaded: no clock, no I/O, randomness only from the <see cref="Random"/> it is given,
/// so a simulation with one seed replays a run exactly.
/// </summary>
public sealed partial class Replica
{
    private readonly ClusterConfig _config;
    private readonly Random _random;
    private readonly IDelaySource _delays;

    private string? _votedFor;
    private long _votedIncarnation;
    private bool _hardStateChanged;

    private long _tick;
    private long _electionElapsed;
    private long _electionTimeout;
    private long _heartbeatElapsed;

    // The highest commit index heard from the leader of the current term (followers).
    private long _leaderCommit;

    // A tainted node counts toward no election until it has caught up under a leader elected after it came back.
    private long _taintTerm;
    private long _taintTarget = -1;

    private List<LogEntry> _toPersist = [];
    private List<LogEntry> _persisting = [];
    private SnapshotImage? _snapshotToPersist;
    private List<Message> _messages = [];
    private List<LogEntry> _applied = [];
    private List<WriteVerdict> _verdicts = [];

    // Unordered (teaching) mode only: what a follower's table did with an entry when it arrived.
    private readonly Dictionary<long, WriteVerdict> _arrivalVerdicts = [];
    private List<WriteOutcome> _outcomes = [];
    private List<ReplicaEvent> _events = [];
    private bool _readyTaken;

    // True once this node has known a leader (or led): the designated leader stops its quick start-up retries then.
    private bool _everFollowed;

    /// <param name="config">Who this node is and what its cluster requires.</param>
    /// <param name="random">The only source of chance (election timeouts, the incarnation id): seed it to replay.</param>
    /// <param name="delays">The simulated per-follower lag of live appends.</param>
    /// <param name="recovered">What this node's storage kept; null for a node with nothing (in memory, or new).</param>
    public Replica(ClusterConfig config, Random random, IDelaySource delays, RecoveredReplica? recovered = null)
    {
        _config = config;
        _random = random;
        _delays = delays;
        Incarnation = random.NextInt64(1, long.MaxValue);
        recovered ??= RecoveredReplica.Empty(tainted: false);
        Table = new KeyValueTable(config.Idempotency);
        Term = recovered.HardState.Term;
        _votedFor = recovered.HardState.VotedFor;
        _votedIncarnation = recovered.HardState.VotedIncarnation;
        Tainted = recovered.Tainted;
        // A durable node's votes survived (they are always fsynced), only accepted slots may be lost:
        // the current leader's term already counts. A node that lost everything must see a new election.
        _taintTerm = recovered.KeptVotes ? Term - 1 : long.MaxValue;
        if (recovered.Snapshot is { } snapshot)
        {
            Table = snapshot.ToTable(config.Idempotency);
            AppliedThrough = snapshot.Index;
            Log.ResetTo(snapshot.Index);
        }

        foreach (var entry in recovered.Entries.Where(e => e.Index > AppliedThrough).OrderBy(e => e.Index))
        {
            Log.Accept(entry);
        }

        // Slots this node had applied before it stopped hold chosen values: show them again at once.
        // Only a contiguous prefix: a slot lost with the page cache ends it.
        while (AppliedThrough < recovered.AppliedThrough && Log.TryGet(AppliedThrough + 1, out var applied))
        {
            ApplyEntry(applied);
        }

        _applied.Clear();
        _verdicts.Clear();

        CommitIndex = AppliedThrough;
        // The designated leader asks at once; everyone else waits a randomised timeout first.
        _electionTimeout = config.CampaignsAtStart ? 1 : RandomElectionTimeout();
        _peers = [];
        for (var position = 0; position < config.Peers.Count; position++)
        {
            _peers[config.Peers[position]] = new PeerProgress(config.Peers[position], position);
        }
    }

    public ClusterConfig Config => _config;

    public string Id => _config.Self;

    /// <summary>This run of the node's process: drawn at start, so two runs of one node are told apart.</summary>
    public long Incarnation { get; }

    public long Term { get; private set; }

    public ReplicaRole Role { get; private set; } = ReplicaRole.Follower;

    /// <summary>The leader of <see cref="Term"/> as far as this node knows; null during an election.</summary>
    public string? LeaderId { get; private set; }

    public SlotLog Log { get; } = new();

    public KeyValueTable Table { get; private set; }

    /// <summary>
    /// v, the verified commit: the highest index such that every slot ≤ it is committed and applied
    /// here. It is what votes report, what snapshots cover, and what reads see.
    /// </summary>
    public long AppliedThrough { get; private set; }

    /// <summary>
    /// On the leader, the highest index committed together with every lower one; on a follower, the
    /// highest the current leader has told it (it applies only what it holds in that leader's term).
    /// </summary>
    public long CommitIndex { get; private set; }

    public long LastIndex => Math.Max(Log.LastIndex, AppliedThrough);

    /// <summary>This node lost state it may have promised (restarted in memory, or after a power loss without FSYNC=always).</summary>
    public bool Tainted { get; private set; }

    public HardState HardState => new(Term, _votedFor, _votedIncarnation);

    public bool IsLeader => Role == ReplicaRole.Leader;

    /// <summary>
    /// The read index: every write this leader answered <c>committed</c>, and every slot it
    /// recovered, is at or below it. A linearizable read waits until <see cref="CommitIndex"/>
    /// reaches it (after confirming leadership).
    /// </summary>
    public long ReadIndex => Math.Max(_recoveredThrough, _highestAnsweredCommitted);

    public long CurrentTick => _tick;

    /// <summary>Feeds one message in. Requests are always answered, with this node's term when stale.</summary>
    public void Step(Message message)
    {
        Invariant.Check(string.Equals(message.To, Id, StringComparison.Ordinal) || _config.Peers.Count == 0, $"message for {message.To} stepped on {Id}");
        if (message.Term > Term)
        {
            switch (message)
            {
                case PreVoteRequest:
                case PreVoteResponse { Granted: true }:
                    break;
                case AppendRequest append:
                    BecomeFollower(message.Term, append.From, append.LeaderIncarnation);
                    break;
                case SnapshotRequest snapshot:
                    BecomeFollower(message.Term, snapshot.From, snapshot.LeaderIncarnation);
                    break;
                case FetchRequest fetch:
                    BecomeFollower(message.Term, fetch.From, 0);
                    break;
                default:
                    BecomeFollower(message.Term, null, 0);
                    break;
            }
        }

        switch (message)
        {
            case AppendRequest append:
                OnAppend(append);
                break;
            case SnapshotRequest snapshot:
                OnSnapshot(snapshot);
                break;
            case AppendResponse response:
                OnAppendResponse(response);
                break;
            case PreVoteRequest request:
                OnPreVoteRequest(request);
                break;
            case PreVoteResponse response:
                OnPreVoteResponse(response);
                break;
            case VoteRequest request:
                OnVoteRequest(request);
                break;
            case VoteResponse response:
                OnVoteResponse(response);
                break;
            case FetchRequest request:
                OnFetchRequest(request);
                break;
            case FetchResponse response:
                OnFetchResponse(response);
                break;
            default:
                throw new InvariantViolationException($"unknown message {message.GetType().Name}");
        }
    }

    /// <summary>One unit of time: heartbeats, retries, election and check-quorum timers all count ticks.</summary>
    public void Tick()
    {
        _tick++;
        switch (Role)
        {
            case ReplicaRole.Leader:
                TickLeader();
                break;
            case ReplicaRole.Follower:
                _electionElapsed++;
                // A node that cannot store its own vote must not campaign.
                if (_electionElapsed >= _electionTimeout && !StorageFull && (_config.CampaignsOnTimeout || (_config.CampaignsAtStart && LeaderId is null)))
                {
                    StartElection();
                }

                break;
            default:
                _electionElapsed++;
                if (_electionElapsed >= _electionTimeout && !StorageFull)
                {
                    OnElectionTimeout();
                }

                break;
        }
    }

    /// <summary>The output so far. Call <see cref="Advance"/> once it is persisted and sent, before the next one.</summary>
    public Ready TakeReady()
    {
        Invariant.Check(!_readyTaken, "TakeReady called twice without Advance");
        NoticeCommit();
        var reads = SettleReads();
        var ready = new Ready
        {
            HardState = _hardStateChanged ? HardState : null,
            Entries = _toPersist,
            Snapshot = _snapshotToPersist,
            Messages = _messages,
            Applied = _applied,
            Verdicts = _verdicts,
            Outcomes = _outcomes,
            Events = _events,
            Reads = reads,
        };
        _persistingHardState = _hardStateChanged;
        _hardStateChanged = false;
        _persisting = _toPersist;
        _toPersist = [];
        _snapshotToPersist = null;
        _messages = [];
        _applied = [];
        _verdicts = [];
        _outcomes = [];
        _events = [];
        _readyTaken = true;
        return ready;
    }

    /// <summary>The last <see cref="Ready"/> is durable and its messages are sent: the leader may now count its own copies.</summary>
    public void Advance()
    {
        Invariant.Check(_readyTaken, "Advance without TakeReady");
        _readyTaken = false;
        _hardStateUnsaved &= !_persistingHardState;
        if (Role == ReplicaRole.Leader)
        {
            foreach (var entry in _persisting)
            {
                if (entry.Term == Term && _pending.TryGetValue(entry.Index, out var slot))
                {
                    slot.SelfAccepted = true;
                    OnSlotProgress(slot);
                }
            }

            AdvanceCommit();
        }

        _persisting = [];
    }

    /// <summary>True when <see cref="TakeReady"/> would return something.</summary>
    public bool HasReady =>
        CommitNoticeDue || ReadsDue
        || _hardStateChanged || _toPersist.Count > 0 || _snapshotToPersist is not null || _messages.Count > 0
        || _applied.Count > 0 || _outcomes.Count > 0 || _events.Count > 0;

    private void Send(Message message) => _messages.Add(message);

    private long RandomElectionTimeout() => _config.ElectionTicks + _random.NextInt64(_config.ElectionTicks);

    /// <summary>Moves to <paramref name="term"/> (never down) as a follower of <paramref name="leader"/> (null: unknown).</summary>
    private void BecomeFollower(long term, string? leader, long leaderIncarnation)
    {
        Invariant.Check(term >= Term, $"term would go down from {Term} to {term}");

        // Before the term moves: the writes it leaves unknown were proposed in the old term.
        if (Role == ReplicaRole.Leader)
        {
            StepDown();
        }

        if (term > Term)
        {
            Term = term;
            _votedFor = null;
            _votedIncarnation = 0;
            _hardStateChanged = true;
            _leaderCommit = 0;
            CommitIndex = AppliedThrough;
        }

        Role = ReplicaRole.Follower;
        LeaderId = leader;
        _everFollowed |= leader is not null;
        if (leader is not null && _votedFor is null)
        {
            // This term has a leader: a vote for anyone else in it could only elect a second one. Holding
            // the leader as our vote also keeps a node that forgot its vote from granting it twice.
            _votedFor = leader;
            _votedIncarnation = leaderIncarnation;
            _hardStateChanged = true;
        }

        if (Tainted && _taintTerm == long.MaxValue && Term > 0)
        {
            _taintTerm = Term;
        }

        _electionElapsed = 0;
        _electionTimeout = RandomElectionTimeout();
        _preVotes.Clear();
        _promises.Clear();
        _bestEffort = false;
    }

    private void ApplyEntry(LogEntry entry)
    {
        Invariant.Check(entry.Index == AppliedThrough + 1, $"apply out of order: {entry.Index} after {AppliedThrough}");
        WriteVerdict verdict;
        if (!_config.ApplyOnArrival || Role == ReplicaRole.Leader)
        {
            verdict = Table.Apply(entry);
        }
        else if (!_arrivalVerdicts.Remove(entry.Index, out verdict))
        {
            verdict = new WriteVerdict(entry.Index, WriteVerdictKind.NoOp, 0, 0);
        }

        AppliedThrough = entry.Index;
        _applied.Add(entry);
        _verdicts.Add(verdict);
        if (Role == ReplicaRole.Leader)
        {
            OnLeaderApplied(entry, verdict);
        }
    }

    /// <summary>Drops applied slots beyond the in-memory tail; a follower that needs them gets a snapshot.</summary>
    private void CompactIfLarge()
    {
        var keepFrom = AppliedThrough - _config.LogTailEntries;
        if (keepFrom > Log.CompactedThrough + _config.LogTailEntries / 4)
        {
            Log.CompactThrough(keepFrom);
        }
    }

    private void Event(ReplicaEventKind kind, string? peer = null, string? detail = null) =>
        _events.Add(new ReplicaEvent(kind, Term, peer, detail));
}

/// <summary>What a node's storage kept across a restart.</summary>
/// <param name="HardState">Term and vote (always fsynced).</param>
/// <param name="Snapshot">The newest snapshot: its table is applied as of its index.</param>
/// <param name="Entries">The latest accepted record per slot above the snapshot.</param>
/// <param name="Tainted">The node may have lost slots it acked (in memory, or FSYNC ≠ always after a power loss).</param>
/// <param name="KeptVotes">The hard state survived, so every vote the node granted is known.</param>
/// <param name="AppliedThrough">The applied index the node saved before it stopped (a lower bound: 0 when unknown).</param>
public sealed record RecoveredReplica(HardState HardState, SnapshotImage? Snapshot, IReadOnlyList<LogEntry> Entries, bool Tainted, bool KeptVotes, long AppliedThrough = 0)
{
    public static RecoveredReplica Empty(bool tainted) => new(default, null, [], tainted, KeptVotes: !tainted);
}
