using System.Text;
using LeaderKv.Core.Consensus;

namespace LeaderKv.Core.Tests.Simulation;

/// <summary>
/// Six real <see cref="Replica"/> objects over an in-memory network, on a fake clock, all chance from
/// one seeded <see cref="Random"/>: messages are delayed (fractions of a tick, appends also by their
/// simulated lag), dropped, duplicated and reordered; partitions of any shape (random groups, one-way
/// links) come and go; nodes crash and restart with what their storage policy kept. Clients propose to
/// the leader and to other nodes. A <see cref="StateChecker"/> runs after every step; then the faults
/// heal and the cluster must elect a leader and converge. One integer replays a run exactly.
/// </summary>
public sealed partial class ClusterSimulation
{
    /// <summary>Fake-clock units per tick; message delays are drawn in these.</summary>
    private const long UnitsPerTick = 1000;

    /// <summary>One tick stands for the default heartbeat interval, so ELECTION_TIMEOUT = 10 ticks.</summary>
    private static readonly TimeSpan TickLength = TimeSpan.FromMilliseconds(100);

    private static readonly string[] Keys = ["a", "b", "c", "d", "e"];

    private readonly int _seed;
    private readonly SimulationOptions _options;
    private readonly Random _random;
    private readonly Random _workload;
    private readonly SimNode[] _nodes;
    private readonly PriorityQueue<Action, (long Time, long Sequence)> _events = new();
    private readonly bool[,] _blocked = new bool[SimulationOptions.NodeCount, SimulationOptions.NodeCount];
    private readonly Dictionary<(string Id, long Incarnation, long Index, long Term), string> _proposals = [];
    private readonly List<WriteCommand> _idempotent = [];
    private long _sequence;
    private long _now;
    private long _tick;
    private bool _faults = true;
    private string _phase = "faults";

    // Rates, drawn from the seed so runs differ in how hostile they are.
    private readonly double _dropRate;
    private readonly double _duplicateRate;
    private readonly double _slowRate;
    private readonly double _crashRate;
    private readonly double _partitionRate;
    private readonly double _proposeRate;
    private readonly double _syncRate;
    private readonly double _pauseRate;
    private readonly TimeSpan _maxAppendDelay;

    // Full disks draw from their own generator, so seeds without them replay exactly as before they existed.
    private readonly Random _diskRandom;
    private readonly double _diskFullRate;

    public ClusterSimulation(int seed, SimulationOptions? options = null)
    {
        _seed = seed;
        _options = options ?? new SimulationOptions();
        Layout = _options.Layout ?? SimulationLayout.ForSeed(seed);
        _random = new Random(seed);
        // What each client write asks (put, delete, condition, retry, ttl) comes from its own stream, so the
        // fault schedule a seed draws from _random is the one it drew before writes had these kinds.
        _workload = new Random(seed ^ 0x6b76);
        Checker = new StateChecker(Layout.Guarantees, DescribeFailure);
        _dropRate = _random.NextDouble() * 0.15;
        _duplicateRate = _random.NextDouble() * 0.1;
        _slowRate = _random.NextDouble() * 0.1;
        _crashRate = _random.NextDouble() * 0.03;
        _partitionRate = _random.NextDouble() * 0.05;
        _proposeRate = 0.3 + _random.NextDouble() * 0.7;
        _syncRate = _random.NextDouble() * 0.3;
        _maxAppendDelay = TimeSpan.FromMilliseconds(_random.Next(0, 400));
        _pauseRate = _random.NextDouble() * 0.02;
        _diskRandom = new Random(unchecked((seed * 7919) + 17));
        _diskFullRate = _diskRandom.NextDouble() < 0.5 ? 0 : _diskRandom.NextDouble() * 0.03;
        var logTail = _random.NextDouble() < 0.3 ? 4 + _random.Next(16) : 100_000;
        var batch = _random.NextDouble() < 0.3 ? 4 + _random.Next(8) : 1024;
        var policies = AssignPolicies();
        var ids = Enumerable.Range(0, SimulationOptions.NodeCount).Select(i => $"n{i}").ToArray();
        _nodes = new SimNode[SimulationOptions.NodeCount];
        for (var i = 0; i < _nodes.Length; i++)
        {
            var config = ConfigFor(ids, i) with { LogTailEntries = logTail, MaxEntriesPerAppend = batch };
            if (_options.ElectionQuorum is { } quorum)
            {
                config = config with { ElectionQuorum = quorum };
            }

            _nodes[i] = new SimNode(i, config, new NodeStorage(policies[i]));
            Start(_nodes[i], recovered: null);
        }
    }

    public SimulationLayout Layout { get; }

    public StateChecker Checker { get; }

    public int CommittedWrites => Checker.CommittedCount;

    public IReadOnlyList<Replica> Replicas => _nodes.Select(n => n.Replica).ToList();

    /// <summary>Runs the faulty phase, heals everything, runs on, and checks convergence.</summary>
    public void Run()
    {
        try
        {
            for (var i = 0; i < _options.FaultTicks; i++)
            {
                Step(propose: true);
            }

            Heal();
            for (var i = 0; i < _options.HealTicks; i++)
            {
                Step(propose: i < _options.HealTicks / 4);
            }

            Checker.CheckConverged(Replicas);
        }
        catch (InvariantViolationException exception)
        {
            throw new SimulationViolation($"core invariant: {exception.Message}\n{DescribeFailure()}");
        }
    }

    private string DescribeFailure() =>
        $"seed {_seed} ({Layout.Name}, policies {string.Join(",", _nodes?.Select(n => $"{n.Id}:{n.Storage.Policy}") ?? [])}) at tick {_tick}, {_phase}.\n"
        + $"Replay: SimulationTests.Replay({_seed}), e.g. SIM_SEED={_seed} dotnet test tests/LeaderKv.Core.Tests --filter \"FullyQualifiedName~One_seed_replays\"";

    private StoragePolicy[] AssignPolicies()
    {
        var policies = Enumerable.Repeat(StoragePolicy.Durable, SimulationOptions.NodeCount).ToArray();
        if (Layout.Guarantees != Guarantees.Full)
        {
            // W = 0: anything goes, the seed's default is every node in memory.
            for (var i = 0; i < policies.Length; i++)
            {
                policies[i] = (StoragePolicy)_random.Next(3);
            }

            return policies;
        }

        // A committed write is on W + 1 nodes; the design keeps it only while one of them keeps its
        // disk, so at most W nodes may lose state. Tainted nodes count toward no election, so more
        // than N + 1 - E of them at once could elect nobody: a liveness limit of the design, not a
        // bug. Automatic failover refuses to start in memory (a forgotten promise breaks Paxos), so
        // there they are lossy at worst.
        var electionQuorum = QuorumMath.ElectionQuorum(SimulationOptions.NodeCount, Layout.WriteQuorum);
        var losing = _random.Next(Math.Min(Layout.WriteQuorum, SimulationOptions.NodeCount - electionQuorum) + 1);
        foreach (var i in Enumerable.Range(0, SimulationOptions.NodeCount).OrderBy(_ => _random.Next()).Take(losing))
        {
            policies[i] = Layout.Failover == FailoverMode.Automatic || _random.Next(2) == 0 ? StoragePolicy.Lossy : StoragePolicy.InMemory;
        }

        return policies;
    }

    private ClusterConfig ConfigFor(string[] ids, int i)
    {
        if (Layout.Failover == FailoverMode.Automatic)
        {
            return new ClusterConfig(ids[i], ids.Where((_, j) => j != i).ToList(), Layout.WriteQuorum, FailoverMode.Automatic, ids[0]);
        }

        // The seed's layout: only the designated leader knows its followers; they only answer.
        return i == 0
            ? new ClusterConfig(ids[0], ids.Skip(1).ToList(), Layout.WriteQuorum, FailoverMode.Manual, ids[0])
            : new ClusterConfig(ids[i], [], 0, FailoverMode.Manual, ids[0]);
    }

    private void Start(SimNode node, RecoveredReplica? recovered)
    {
        var delays = new UniformDelaySource(TimeSpan.Zero, _maxAppendDelay, new Random(_random.Next()));
        node.Replica = new Replica(node.Config, new Random(_random.Next()), delays, recovered);
        node.VisibleThrough = node.Replica.AppliedThrough;
        node.Up = true;
        node.PausedUntil = 0;
        Drain(node);
    }

    private void Step(bool propose)
    {
        var end = (_tick + 1) * UnitsPerTick;
        while (_events.TryPeek(out var action, out var due) && due.Time < end)
        {
            _events.Dequeue();
            _now = due.Time;
            action();
        }

        _now = end;
        _tick++;
        Trace(() => "tick " + string.Join(" ", _nodes.Select(n => n.Up ? $"{n.Id}:{n.Replica.Role.ToString()[0]}{n.Replica.Term}/a{n.Replica.AppliedThrough}/l{n.Replica.LastIndex}{(n.Replica.Tainted ? "T" : "")}" : $"{n.Id}:down")));
        foreach (var node in _nodes.Where(n => n.Runs(_tick)))
        {
            node.Replica.Tick();
            node.Replica.ExpireDue(NowMs);
            Drain(node);
        }

        if (_faults)
        {
            InjectFaults();
        }

        foreach (var node in _nodes.Where(n => !n.Up && n.RestartTick <= _tick))
        {
            Restart(node);
        }

        if (propose)
        {
            ProposeSome();
            ReadSome();
        }
    }

    /// <summary>Carries out everything the replica wants, in the driver's order, until it wants nothing more.</summary>
    private void Drain(SimNode node)
    {
        var replica = node.Replica;
        while (replica.HasReady)
        {
            var ready = replica.TakeReady();
            if (node.DiskFull && (ready.Entries.Count > 0 || ready.Snapshot is not null || ready.HardState is not null))
            {
                // As the driver persists: the hard state first (it may still fit), then what does not.
                if (ready.HardState is { } hardState && _diskRandom.Next(2) == 0)
                {
                    node.Storage.SaveHardState(hardState);
                }

                Trace(() => $"{replica.Id} disk full: {ready.Entries.Count} entries, snapshot {ready.Snapshot?.Index}, hard state {ready.HardState is not null} not stored");
                replica.ReportStorageFull(ready);
                CarryOut(
                    node,
                    new Ready { Snapshot = ready.Snapshot, Applied = ready.Applied, Verdicts = ready.Verdicts, Outcomes = ready.Outcomes, Events = ready.Events, Reads = ready.Reads },
                    advance: false);
                continue;
            }

            node.Storage.Persist(ready);
            CarryOut(node, ready, advance: true);
        }

        node.VisibleThrough = replica.AppliedThrough;
        ServeReads(node);
        foreach (var other in _nodes)
        {
            if (other is { Up: true })
            {
                Checker.CheckStep(other.Replica);
            }
        }
    }

    /// <summary>Everything after persisting, in the driver's order: events, visibility, outcomes, messages, then Advance.</summary>
    private void CarryOut(SimNode node, Ready ready, bool advance)
    {
        var replica = node.Replica;
        foreach (var e in ready.Events)
        {
            Trace(() => $"{replica.Id} event {e.Kind} term {e.Term} {e.Peer} {e.Detail}");
        }

        foreach (var leader in ready.Events.Where(e => e.Kind == ReplicaEventKind.BecameLeader))
        {
            Checker.OnLeader(leader.Term, replica.Id, replica.Incarnation);
        }

        if (ready.Applied.Count > 0 || ready.Snapshot is not null)
        {
            Checker.OnApplied(replica.Id, replica.Incarnation, node.VisibleThrough, ready.Snapshot, ready.Applied, ready.Verdicts);
        }

        node.VisibleThrough = replica.AppliedThrough;
        foreach (var outcome in ready.Outcomes)
        {
            Trace(() => $"{replica.Id} outcome {outcome.Kind} ({outcome.Index}, {outcome.Term})");
            OnOutcome(node, outcome);
        }

        OnReadAnswers(node, ready.Reads);

        foreach (var message in ready.Messages)
        {
            Send(node, message);
        }

        if (advance)
        {
            replica.Advance();
        }
    }

    private void OnOutcome(SimNode node, WriteOutcome outcome)
    {
        var key = (node.Id, node.Replica.Incarnation, outcome.Index, outcome.Term);
        if (!_proposals.TryGetValue(key, out var value))
        {
            Checker.Fail($"{node.Id} answered {outcome.Kind} for ({outcome.Index}, {outcome.Term}), which no client proposed to it");
            return;
        }

        _proposals.Remove(key);
        if (outcome.Kind == WriteOutcomeKind.Committed)
        {
            Checker.OnCommitted(outcome.Index, value);
        }
        else if (outcome.Kind == WriteOutcomeKind.NotLogged)
        {
            Checker.OnNotLogged(value);
        }
    }

    private void Send(SimNode from, Message message)
    {
        var to = NodeById(message.To);
        var (entries, isAppend) = message switch
        {
            AppendRequest append => (append.Entries.Select(e => e.Index).ToList(), true),
            SnapshotRequest => (new List<long>(), true),
            _ => (new List<long>(), false),
        };
        if (!to.Runs(_tick) || _blocked[from.Index, to.Index])
        {
            // The transport notices some failed sends (connection refused) and tells the leader.
            if (isAppend && _random.NextDouble() < 0.5)
            {
                var incarnation = from.Replica.Incarnation;
                Schedule(_random.Next((int)UnitsPerTick), () =>
                {
                    if (from.Runs(_tick) && from.Replica.Incarnation == incarnation)
                    {
                        from.Replica.ReportUnreachable(to.Id, entries);
                        Drain(from);
                    }
                });
            }

            return;
        }

        if (_faults && _random.NextDouble() < _dropRate)
        {
            return;
        }

        var copies = _faults && _random.NextDouble() < _duplicateRate ? 2 : 1;
        for (var copy = 0; copy < copies; copy++)
        {
            var delay = (long)(_random.NextDouble() * UnitsPerTick / 2);
            if (_faults && _random.NextDouble() < _slowRate)
            {
                delay += _random.Next((int)(3 * UnitsPerTick));
            }

            if (message is AppendRequest { Delay: var lag })
            {
                delay += (long)(lag / TickLength * UnitsPerTick);
            }

            Schedule(delay, () => Deliver(from, to, message));
        }
    }

    private void Deliver(SimNode from, SimNode to, Message message)
    {
        if (!to.Runs(_tick) || _blocked[from.Index, to.Index])
        {
            return;
        }

        Trace(() => $"{message.From}->{message.To} {Summarise(message)}");

        to.Replica.Step(message);
        Drain(to);
    }

    private void Trace(Func<string> line)
    {
        if (_options.Trace is { } trace)
        {
            trace($"[{_now / (double)UnitsPerTick:F3}] {line()}");
        }
    }

    private static string Summarise(Message message) => message switch
    {
        AppendRequest a => $"Append t{a.Term} [{string.Join(",", a.Entries.Select(e => $"{e.Index}@{e.Term}:{StateChecker.Describe(e)}"))}] commit {a.CommitIndex} last {a.LeaderLastIndex} inc {a.LeaderIncarnation % 1000}",
        AppendResponse r => $"AppendResp t{r.Term} acked [{string.Join(",", r.Acked)}] applied {r.AppliedThrough}{(r.Rejected ? " rejected" : "")}{(r.Tainted ? " tainted" : "")} inc {r.Incarnation % 1000}",
        VoteRequest v => $"Vote t{v.Term} inc {v.Incarnation % 1000}",
        VoteResponse v => $"VoteResp t{v.Term} granted {v.Granted} applied {v.AppliedThrough} held [{string.Join(",", v.Held.Select(e => $"{e.Index}@{e.Term}:{StateChecker.Describe(e)}"))}]{(v.Tainted ? " tainted" : "")}",
        PreVoteRequest p => $"PreVote t{p.Term}",
        PreVoteResponse p => $"PreVoteResp t{p.Term} granted {p.Granted}",
        FetchRequest f => $"Fetch t{f.Term} [{f.FromIndex}..{f.ToIndex}]",
        FetchResponse f => $"FetchResp t{f.Term} {f.Entries.Count} entries snapshot {f.Snapshot?.Index}{(f.Rejected ? " rejected" : "")}",
        SnapshotRequest s => $"Snapshot t{s.Term} through {s.Snapshot.Index}",
        _ => message.GetType().Name,
    };

    private void Schedule(long delay, Action action) => _events.Enqueue(action, (_now + Math.Max(delay, 1), _sequence++));

    private SimNode NodeById(string id) => _nodes[int.Parse(id.AsSpan(1), System.Globalization.CultureInfo.InvariantCulture)];

    private void InjectFaults()
    {
        foreach (var node in _nodes.Where(n => n.Storage.Policy == StoragePolicy.Lossy && _random.NextDouble() < _syncRate))
        {
            node.Storage.Sync();
        }

        if (_random.NextDouble() < _crashRate)
        {
            var node = _nodes[_random.Next(_nodes.Length)];
            if (node.Up)
            {
                node.Up = false;
                node.RestartTick = _tick + 1 + _random.Next(30);
                Trace(() => $"{node.Id} crashes until tick {node.RestartTick}");
            }
        }

        if (_random.NextDouble() < _partitionRate)
        {
            ChangePartitions();
        }

        if (_random.NextDouble() < _pauseRate)
        {
            // A process stopped (SIGSTOP, a long GC pause): its clock stops with it, so when it resumes it
            // has not noticed the time that passed, and what was sent to it meanwhile is lost.
            var node = _nodes[_random.Next(_nodes.Length)];
            if (node.Runs(_tick))
            {
                node.PausedUntil = _tick + 1 + _random.Next(40);
                Trace(() => $"{node.Id} pauses until tick {node.PausedUntil}");
            }
        }

        if (_diskRandom.NextDouble() < _diskFullRate)
        {
            var node = _nodes[_diskRandom.Next(_nodes.Length)];
            node.DiskFull = true;
            Trace(() => $"{node.Id}'s disk fills");
        }

        // A paused process runs no probe: its disk is found to have room once it runs again.
        foreach (var node in _nodes.Where(n => n.DiskFull && !(n.Up && !n.Runs(_tick)) && _diskRandom.NextDouble() < 0.05))
        {
            FreeDisk(node);
        }
    }

    /// <summary>Space is back: the driver's probe finds room and tells the replica.</summary>
    private void FreeDisk(SimNode node)
    {
        node.DiskFull = false;
        Trace(() => $"{node.Id}'s disk has room again");
        if (node.Up)
        {
            node.Replica.ReportStorageRecovered();
            Drain(node);
        }
    }

    private void ChangePartitions()
    {
        var n = SimulationOptions.NodeCount;
        switch (_random.Next(4))
        {
            case 0:
                // Two random groups that cannot hear each other.
                var side = Enumerable.Range(0, n).Select(_ => _random.Next(2) == 0).ToArray();
                for (var a = 0; a < n; a++)
                {
                    for (var b = 0; b < n; b++)
                    {
                        _blocked[a, b] = side[a] != side[b];
                    }
                }

                break;
            case 1:
                // Some one-way links fail.
                for (var k = _random.Next(1, 6); k > 0; k--)
                {
                    _blocked[_random.Next(n), _random.Next(n)] = true;
                }

                break;
            case 2:
                // One node cut off from everyone, in one or both directions.
                var cut = _random.Next(n);
                var mode = _random.Next(3);
                for (var other = 0; other < n; other++)
                {
                    _blocked[cut, other] = mode != 1;
                    _blocked[other, cut] = mode != 0;
                }

                break;
            default:
                Array.Clear(_blocked);
                break;
        }

        for (var a = 0; a < n; a++)
        {
            _blocked[a, a] = false;
        }

        Trace(() => "links blocked: " + string.Join(" ", from a in Enumerable.Range(0, n) from b in Enumerable.Range(0, n) where _blocked[a, b] select $"{a}>{b}"));
    }

    private void Restart(SimNode node)
    {
        var recovered = node.Storage.Recover(_random);
        Trace(() => $"{node.Id} restarts ({node.Storage.Policy}): term {recovered.HardState.Term}, {recovered.Entries.Count} records, snapshot {recovered.Snapshot?.Index}");
        Start(node, recovered);
    }

    private void Heal()
    {
        _faults = false;
        _phase = "after healing";
        Array.Clear(_blocked);
        foreach (var node in _nodes)
        {
            node.PausedUntil = 0;
        }

        foreach (var node in _nodes.Where(n => !n.Up))
        {
            Restart(node);
        }

        foreach (var node in _nodes.Where(n => n.DiskFull))
        {
            FreeDisk(node);
        }
    }

    private void ProposeSome()
    {
        if (_random.NextDouble() >= _proposeRate)
        {
            return;
        }

        for (var count = _random.Next(1, 4); count > 0; count--)
        {
            var leader = _nodes.Where(n => n.Runs(_tick) && n.Replica.IsLeader).MaxBy(n => n.Replica.Term);
            var target = leader is not null && _random.NextDouble() < 0.85 ? leader : _nodes[_random.Next(_nodes.Length)];
            if (!target.Runs(_tick))
            {
                continue;
            }

            var replica = target.Replica;
            var value = $"\"{target.Id}-{_tick}-{_sequence++}\"";
            var key = Keys[_random.Next(Keys.Length)];
            var lastBefore = replica.LastIndex;
            var command = NextCommand(replica, key, value);
            var result = replica.Propose(command, NowMs);
            Trace(() => $"client -> {replica.Id} {command.Op} {command.Key}={Encoding.UTF8.GetString(command.Value.Span)} {command.Condition} {command.IdempotencyKey}: {result.Status} ({result.Index}, {result.Term})");
            if (result.IsAccepted)
            {
                // A retry whose idempotency key is on an entry still in the log joins that entry.
                var joined = command.IdempotencyKey is not null && result.Index <= lastBefore;
                if (!replica.IsLeader || (result.Index != lastBefore + 1 && !joined) || result.Term != replica.Term
                    || !replica.Log.TryGet(result.Index, out var proposed) || (joined && proposed.IdempotencyKey != command.IdempotencyKey))
                {
                    Checker.Fail($"{replica.Id} accepted a write at ({result.Index}, {result.Term}) as {replica.Role} with last index {lastBefore}");
                    return;
                }

                _proposals[(replica.Id, replica.Incarnation, result.Index, result.Term)] = StateChecker.Describe(proposed);
            }
            else
            {
                if (replica.LastIndex != lastBefore)
                {
                    Checker.Fail($"{replica.Id} rejected a write ({result.Status}) but its log grew");
                }

                if (!replica.IsLeader && result.Status is not (ProposeStatus.NotLeader or ProposeStatus.NoLeader))
                {
                    Checker.Fail($"{replica.Id}, a {replica.Role}, rejected a write with {result.Status}");
                }
            }

            Drain(target);
        }
    }

    private long NowMs => _tick * (long)TickLength.TotalMilliseconds;

    /// <summary>Mostly plain puts; some deletes, compare-and-sets on the version the node shows (often stale), create-only and must-exist writes, idempotent writes and their retries, and puts with a time-to-live.</summary>
    private WriteCommand NextCommand(Replica replica, string key, string value)
    {
        var roll = _workload.NextDouble();
        if (roll < 0.05 && _idempotent.Count > 0)
        {
            return _idempotent[_workload.Next(_idempotent.Count)];
        }

        var command = roll < 0.15 ? WriteCommand.Delete(key) : WriteCommand.Put(key, Encoding.UTF8.GetBytes(value));
        var version = replica.Table.TryGet(key, out var held) ? held.Index : 0;
        command = _workload.Next(8) switch
        {
            0 or 1 => command with { Condition = WriteCondition.IfIndex(Math.Max(1, version + _workload.Next(-1, 2))) },
            2 => command with { Condition = WriteCondition.IfAbsent },
            3 => command with { Condition = WriteCondition.IfExists },
            _ => command,
        };
        if (command.Op == WriteOp.Put && _workload.Next(8) == 0)
        {
            command = command with { TimeToLive = TimeSpan.FromMilliseconds(_workload.Next(1, 30) * TickLength.TotalMilliseconds) };
        }

        if (_workload.Next(6) == 0)
        {
            command = command with { IdempotencyKey = $"once-{_sequence++}" };
            _idempotent.Add(command);
        }

        return command;
    }

    private sealed class SimNode(int index, ClusterConfig config, NodeStorage storage)
    {
        public int Index { get; } = index;

        public string Id => Config.Self;

        public ClusterConfig Config { get; } = config;

        public NodeStorage Storage { get; } = storage;

        public Replica Replica { get; set; } = null!;

        public bool Up { get; set; }

        /// <summary>Its disk is full: persisting entries, snapshots and (sometimes) the hard state fails. It stays full across restarts.</summary>
        public bool DiskFull { get; set; }

        public long RestartTick { get; set; }

        /// <summary>The node is stopped (not crashed) until this tick: no ticks, nothing delivered, no clients.</summary>
        public long PausedUntil { get; set; }

        public bool Runs(long tick) => Up && PausedUntil <= tick;

        /// <summary>What this run of the node has made visible so far (the checker's prefix bookkeeping).</summary>
        public long VisibleThrough { get; set; }
    }
}
