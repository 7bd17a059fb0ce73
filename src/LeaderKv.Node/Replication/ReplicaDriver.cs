using System.Threading.Channels;
using LeaderKv.Core;
using LeaderKv.Core.Consensus;
using LeaderKv.Node.Configuration;
using LeaderKv.Node.Durability;
using LeaderKv.Node.Observability;
using LeaderKv.Node.Security;
using LeaderKv.Node.Transport;
using LeaderKv.Node.Watch;
using LeaderKv.Storage;

namespace LeaderKv.Node.Replication;

/// <summary>
/// The one place where the node's <see cref="Replica"/>, its storage, its transport and its waiting
/// clients meet, and it makes no protocol decision. Inputs (messages, proposals, ticks, failed sends)
/// are stepped into the replica under <see cref="_gate"/>; one loop takes each <see cref="Ready"/>,
/// persists it, then sends its messages and answers its outcomes, then advances the replica.
/// </summary>
public sealed partial class ReplicaDriver : BackgroundService, INodeStore, ISnapshotSource
{
    /// <summary>How long a peer's request may wait for the loop to answer it (a persist, an fsync) before the transport gives up.</summary>
    private static readonly TimeSpan InboundTimeout = TimeSpan.FromSeconds(10);

    private readonly Lock _gate = new();
    private readonly Replica _replica;
    private readonly NodeSettings _settings;
    private readonly TimeProvider _time;
    private readonly ILogger<ReplicaDriver> _logger;
    private readonly IReplicaPersistence _persistence;
    private readonly IHostApplicationLifetime? _lifetime;
    private readonly Dictionary<string, PeerSender> _senders = new(StringComparer.Ordinal);
    private readonly Dictionary<long, TaskCompletionSource<Message>> _inbound = [];
    // Several clients may wait for one slot: retries with the same Idempotency-Key join the write they repeat.
    private readonly Dictionary<(long Index, long Term), List<TaskCompletionSource<WriteOutcome>>> _writes = [];
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });
    private readonly AppliedIndexWatch _watch;
    private readonly WatchHub? _changes;
    /// <summary>How often the applied index is saved (an atomic file write and fsync): a restart re-applies at most this much of its own log late.</summary>
    private static readonly TimeSpan AppliedSaveInterval = TimeSpan.FromSeconds(1);

    /// <summary>How often a node whose disk is full checks whether writes fit again: soon enough that writes resume within a second of space coming back, rare enough that a 1 MiB probe write costs nothing.</summary>
    private static readonly TimeSpan StorageProbeInterval = TimeSpan.FromMilliseconds(500);

    private long _storageFullSince;
    private long _lastProbe;
    private int _probing;

    private long _appliedSavedAt;
    private long _nextRequestId;
    private string? _lastLeader;
    private long _snapshotsInstalled;
    private volatile bool _stopped;

    public ReplicaDriver(
        NodeSettings settings,
        IDelaySource delays,
        TimeProvider time,
        ILogger<ReplicaDriver> logger,
        IReplicaPersistence persistence,
        IHostApplicationLifetime? lifetime = null,
        ReplicationLimits? limits = null,
        PeerLink? links = null,
        NodeMetrics? metrics = null,
        WatchHub? changes = null)
    {
        Metrics = metrics;
        Limits = limits ?? ReplicationLimits.Default;
        _settings = settings;
        _time = time;
        _logger = logger;
        _persistence = persistence;
        _lifetime = lifetime;
        _watch = new AppliedIndexWatch(time);
        ClusterFingerprint = settings.ClusterFingerprint;
        var config = settings.ToClusterConfig() with
        {
            MaxEntriesPerAppend = Limits.MaxEntriesPerAppend,
            MaxBytesPerAppend = Limits.MaxBytesPerAppend,
            MaxPendingWindow = Limits.MaxPendingWindow,
            MaxCatchUpInFlight = Limits.MaxEntriesPerAppend * Limits.MaxAppendsInFlight,
        };
        var random = settings.DelaySeed is { } seed ? new Random(seed ^ 0x5eed) : new Random();
        _replica = new Replica(config, random, delays, persistence.Recover());
        _watch.Advance(_replica.AppliedThrough);
        _changes = changes;
        _changes?.Start(_replica.AppliedThrough);
        foreach (var peer in config.Peers)
        {
            var url = settings.UrlOf(peer) ?? throw new InvariantViolationException($"no URL for peer {peer}");
            var connections = Limits.MaxAppendsInFlight + 2;
            var transport = new PeerTransport(
                peer,
                url,
                ClusterFingerprint,
                Link(links, peer, ClusterTransport.CreateHandler(settings.Security, time, connections)),
                () => Link(links, peer, ClusterTransport.CreateHandler(settings.Security, time, 1)));
            _senders[peer] = new PeerSender(transport, this, time, logger, Limits);
        }
    }

    public ReplicationLimits Limits { get; }

    internal NodeMetrics? Metrics { get; }

    /// <summary><see cref="NodeSettings.ClusterFingerprint"/>, hashed once: every replication message carries and checks it.</summary>
    public string? ClusterFingerprint { get; }

    private static HttpMessageHandler Link(PeerLink? links, string peer, HttpMessageHandler handler) =>
        links is null ? handler : links.Wrap(peer, handler);

    public long AppliedThrough
    {
        get
        {
            lock (_gate)
            {
                return _replica.AppliedThrough;
            }
        }
    }

    public long SnapshotsInstalled => Interlocked.Read(ref _snapshotsInstalled);

    /// <summary>The node stops (a storage failure other than a full disk, or a broken invariant): it takes no more writes.</summary>
    public bool IsStopping => _stopped;

    public Task<bool> WaitForAppliedAsync(long index, TimeSpan timeout, CancellationToken token) => _watch.WaitAsync(index, timeout, token);

    public T Read<T>(Func<KeyValueTable, T> read)
    {
        lock (_gate)
        {
            return read(_replica.Table);
        }
    }

    /// <summary>Runs <paramref name="action"/> on the replica under the lock; a broken invariant stops the node with one clear line.</summary>
    internal T WithReplica<T>(Func<Replica, T> action)
    {
        lock (_gate)
        {
            try
            {
                return action(_replica);
            }
            catch (InvariantViolationException violation)
            {
                Fail(violation.Message, storage: false);
                throw;
            }
        }
    }

    internal void WithReplica(Action<Replica> action) => WithReplica(replica =>
    {
        action(replica);
        return true;
    });

    /// <summary>Proposes a put and waits for its outcome: committed, unknown (timeout or lost leadership), or the rejection.</summary>
    public Task<WriteResult> WriteAsync(string key, ReadOnlyMemory<byte> value, CancellationToken token) =>
        WriteAsync(WriteCommand.Put(key, value), token);

    /// <summary>
    /// Proposes a write (stamped with this node's clock) and waits for its outcome: committed (with its
    /// verdict when it has a condition or an idempotency key), unknown (timeout or lost leadership), the
    /// earlier write's record for a repeated idempotency key, or the rejection.
    /// </summary>
    public async Task<WriteResult> WriteAsync(WriteCommand command, CancellationToken token)
    {
        var started = _time.GetTimestamp();
        var result = await ProposeAndWaitAsync(command, token).ConfigureAwait(false);
        switch (result.Outcome?.Kind)
        {
            case null when result.Proposal.Status == ProposeStatus.Replayed:
                break;
            case null or WriteOutcomeKind.NotLogged:
                Metrics?.WriteRejected();
                break;
            case WriteOutcomeKind.Committed:
                var duration = _time.GetElapsedTime(started);
                Metrics?.WriteCommitted(duration, duration);
                break;
            default:
                Metrics?.WriteUnknown();
                break;
        }

        return result;
    }

    private async Task<WriteResult> ProposeAndWaitAsync(WriteCommand command, CancellationToken token)
    {
        if (_stopped)
        {
            return new WriteResult(default, null, null) { NodeStopping = true };
        }

        var waiter = new TaskCompletionSource<WriteOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var proposal = WithReplica(replica =>
        {
            var result = replica.Propose(command, now);
            if (result.IsAccepted)
            {
                var key = (result.Index, result.Term);
                if (!_writes.TryGetValue(key, out var waiters))
                {
                    _writes[key] = waiters = [];
                }

                waiters.Add(waiter);
            }

            return result;
        });
        if (!proposal.IsAccepted)
        {
            return new WriteResult(proposal, null, _settings.UrlOf(proposal.LeaderId));
        }

        Wake();
        try
        {
            return new WriteResult(proposal, await waiter.Task.WaitAsync(_settings.WriteTimeout, _time, token).ConfigureAwait(false), null);
        }
        catch (NodeStoppingException)
        {
            // In the log, maybe on disk, maybe not: the node stopped before it could tell.
            return new WriteResult(proposal, null, null) { NodeStopping = true };
        }
        catch (Exception exception) when (exception is TimeoutException or OperationCanceledException)
        {
            int acks;
            lock (_gate)
            {
                var key = (proposal.Index, proposal.Term);
                if (_writes.TryGetValue(key, out var waiters) && waiters.Remove(waiter) && waiters.Count == 0)
                {
                    _writes.Remove(key);
                }

                acks = _replica.AcksOf(proposal.Index);
            }

            // An outcome may have landed between the timeout and the lock: prefer it over "unknown".
            if (waiter.Task.IsCompletedSuccessfully)
            {
                return new WriteResult(proposal, waiter.Task.Result, null);
            }

            token.ThrowIfCancellationRequested();
            return new WriteResult(proposal, new WriteOutcome(proposal.Index, proposal.Term, WriteOutcomeKind.Unknown, acks, TimeSpan.Zero), null);
        }
    }

    /// <summary>Steps a peer's request and waits for the response the replica gives it, which is sent only once what it promises is durable.</summary>
    public async Task<Message?> HandleAsync(Message request, CancellationToken token)
    {
        if (_stopped)
        {
            return null;
        }

        var answered = new TaskCompletionSource<Message>(TaskCreationOptions.RunContinuationsAsynchronously);
        long id;
        lock (_gate)
        {
            id = ++_nextRequestId;
            _inbound[id] = answered;
        }

        WithReplica(replica => replica.Step(request with { RequestId = id }));
        Wake();
        try
        {
            return await answered.Task.WaitAsync(InboundTimeout, _time, token).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            lock (_gate)
            {
                _inbound.Remove(id);
            }

            return null;
        }
    }

    /// <summary>Forces this node to lead (the operator's manual failover), accepting that writes only on silent nodes may be lost.</summary>
    public long Promote()
    {
        _logger.Promoted();
        var term = WithReplica(replica =>
        {
            replica.Promote();
            return replica.Term;
        });
        Wake();
        return term;
    }

    internal void Wake() => _wake.Writer.TryWrite(true);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var config = _replica.Config;
        _logger.ReplicaStarted(_settings.NodeId, config.Failover.ToString().ToLowerInvariant(), config.Peers.Count, config.WriteQuorum, config.ElectionQuorum,
            _settings.DelayMin.TotalMilliseconds, _settings.DelayMax.TotalMilliseconds, _replica.Term, _replica.Tainted ? " (tainted: lost state; its votes count again once it has caught up)" : string.Empty);
        if (_settings.HasPeers && _settings.WriteQuorum == 0)
        {
            _logger.FailoverDisabled();
        }

        if (_settings.HasPeers && !_settings.Durability.IsDurable)
        {
            _logger.InMemoryFailover();
        }

        using var ticker = _time.CreateTimer(_ => OnTick(), null, _settings.HeartbeatInterval, _settings.HeartbeatInterval);
        var senders = _senders.Values.Select(s => s.RunAsync(stoppingToken)).ToList();
        try
        {
            Wake();
            while (await _wake.Reader.WaitToReadAsync(stoppingToken).ConfigureAwait(false))
            {
                _wake.Reader.TryRead(out _);
                await DrainReadyAsync(stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
        catch (InvariantViolationException)
        {
            // Already logged by WithReplica; the host is stopping.
        }

        var clean = !_stopped;
        _stopped = true;
        await Task.WhenAll(senders).ConfigureAwait(false);
        if (clean)
        {
            _persistence.SaveApplied(AppliedThrough);
            _persistence.OnCleanShutdown();
        }
    }

    private void OnTick()
    {
        if (_stopped)
        {
            return;
        }

        try
        {
            var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
            WithReplica(replica =>
            {
                replica.Tick();
                // The leader's clock decides expiry; what it proposes is an ordinary (conditional) delete.
                replica.ExpireDue(now);
            });
        }
        catch (InvariantViolationException)
        {
            return;
        }

        ProbeStorageIfFull();
        Wake();
    }

    /// <summary>
    /// A Ready did not fit on the disk: nothing of it that promises what was not stored goes out (the
    /// replica rewrites its messages into refusals), the rest is carried out, and the alarm is raised
    /// once per episode. The node keeps serving reads and probes the disk until writes fit again.
    /// </summary>
    private void OnStorageFull(Ready ready, StorageFullException error)
    {
        var (wasFull, lastIndex) = WithReplica(replica =>
        {
            var before = replica.StorageFull;
            replica.ReportStorageFull(ready);
            return (before, replica.LastIndex);
        });
        _persistence.OnStorageFull(lastIndex);
        if (!wasFull)
        {
            _storageFullSince = _time.GetTimestamp();
            Metrics?.StorageFull();
            _logger.DiskFull(_settings.Durability.DataDirectory ?? "(none)", error.Message);
        }

        Dispatch(new Ready
        {
            Snapshot = ready.Snapshot, Applied = ready.Applied, Verdicts = ready.Verdicts, Outcomes = ready.Outcomes, Events = ready.Events, Reads = ready.Reads,
        });
    }

    /// <summary>While the disk is full: every <see cref="StorageProbeInterval"/>, off the timer's thread, asks the disk whether the largest record fits.</summary>
    private void ProbeStorageIfFull()
    {
        if (!WithReplica(replica => replica.StorageFull) || _time.GetElapsedTime(_lastProbe) < StorageProbeInterval
            || Interlocked.Exchange(ref _probing, 1) != 0)
        {
            return;
        }

        _lastProbe = _time.GetTimestamp();
        _ = Task.Run(() =>
        {
            try
            {
                if (_persistence.HasRoom() && !_stopped)
                {
                    WithReplica(replica => replica.ReportStorageRecovered());
                    _logger.DiskRecovered(_time.GetElapsedTime(_storageFullSince).TotalSeconds);
                    Wake();
                }
            }
            catch (Exception error) when (error is IOException or UnauthorizedAccessException)
            {
                // The probe itself failed for another reason: still full as far as we know; the next probe tries again.
                _logger.DiskProbeFailed(error.Message);
            }
            catch (InvariantViolationException)
            {
                // Logged by WithReplica; the node is stopping.
            }
            finally
            {
                Volatile.Write(ref _probing, 0);
            }
        });
    }

    /// <summary>Persist, then send and answer, then advance: the order that keeps every promise and ack backed by storage.</summary>
    private async Task DrainReadyAsync(CancellationToken token)
    {
        while (!_stopped)
        {
            Ready ready;
            lock (_gate)
            {
                if (!_replica.HasReady)
                {
                    return;
                }

                ready = _replica.TakeReady();
            }

            try
            {
                await _persistence.PersistAsync(ready, token).ConfigureAwait(false);
            }
            catch (StorageFullException full)
            {
                // Cut back to the last whole record, nothing of this Ready on disk: a state, not a crash.
                OnStorageFull(ready, full);
                continue;
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                // Whatever broke, the Ready's messages must not go out: they promise what was not stored.
                Fail($"{error.GetType().Name}: {error.Message}", storage: true);
                return;
            }

            if (ready.Snapshot is not null)
            {
                Interlocked.Increment(ref _snapshotsInstalled);
            }

            Dispatch(ready);
            var leader = WithReplica(replica =>
            {
                replica.Advance();
                return replica.LeaderId;
            });
            if (leader is not null && !string.Equals(leader, _lastLeader, StringComparison.Ordinal))
            {
                _lastLeader = leader;
                Metrics?.LeaderChanged();
            }
            if (_time.GetElapsedTime(_appliedSavedAt) >= AppliedSaveInterval)
            {
                _appliedSavedAt = _time.GetTimestamp();
                try
                {
                    _persistence.SaveApplied(AppliedThrough);
                }
                catch (Exception error) when (error is not OperationCanceledException)
                {
                    // Out of space it keeps the old index by itself; anything else is a failed log sync.
                    Fail($"saving the applied index: {error.GetType().Name}: {error.Message}", storage: true);
                    return;
                }
            }
        }
    }

    private void Dispatch(Ready ready)
    {
        foreach (var message in ready.Messages)
        {
            if (message.RequestId != 0)
            {
                TaskCompletionSource<Message>? answered;
                lock (_gate)
                {
                    _inbound.Remove(message.RequestId, out answered);
                }

                answered?.TrySetResult(message);
            }
            else if (_senders.TryGetValue(message.To, out var sender))
            {
                sender.Enqueue(message);
            }
        }

        foreach (var outcome in ready.Outcomes)
        {
            List<TaskCompletionSource<WriteOutcome>>? waiters;
            lock (_gate)
            {
                _writes.Remove((outcome.Index, outcome.Term), out waiters);
            }

            foreach (var waiter in waiters ?? [])
            {
                waiter.TrySetResult(outcome);
            }
        }

        DispatchReads(ready);
        // Before the applied index moves: a reader woken by it that then watches from it must find the history there.
        _changes?.Publish(ready.Applied, ready.Verdicts, ready.Snapshot);
        if (ready.Applied.Count > 0)
        {
            _watch.Advance(ready.Applied[^1].Index);
        }
        else if (ready.Snapshot is { } snapshot)
        {
            _watch.Advance(snapshot.Index);
        }

        foreach (var happened in ready.Events)
        {
            switch (happened.Kind)
            {
                case ReplicaEventKind.SnapshotInstalled:
                    Metrics?.SnapshotTransferred(installed: true);
                    break;
            }

            if (happened.Kind == ReplicaEventKind.TaintCleared)
            {
                _persistence.OnTaintCleared();
            }

            var peer = happened.Peer is null ? string.Empty : $": {happened.Peer}";
            var detail = happened.Detail is null ? string.Empty : $" ({happened.Detail})";
            if (happened.Kind is ReplicaEventKind.FollowerDown or ReplicaEventKind.SteppedDown or ReplicaEventKind.RecoveryFailed or ReplicaEventKind.BestEffortRecovery)
            {
                _logger.ReplicaEventWarning(happened.Kind, happened.Term, peer, detail);
            }
            else
            {
                _logger.ReplicaEventInfo(happened.Kind, happened.Term, peer, detail);
            }
        }
    }

    private void Fail(string reason, bool storage)
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        if (storage)
        {
            _logger.PersistFailed(reason);
        }
        else
        {
            _logger.InvariantViolated(reason);
        }

        // Waiting writers learn now that the node stops (503), rather than after their timeout.
        List<TaskCompletionSource<WriteOutcome>> waiting;
        lock (_gate)
        {
            waiting = [.. _writes.Values.SelectMany(waiters => waiters)];
            _writes.Clear();
        }

        foreach (var waiter in waiting)
        {
            waiter.TrySetException(new NodeStoppingException());
        }

        _lifetime?.StopApplication();
    }

    public NodeView Describe()
    {
        lock (_gate)
        {
            var r = _replica;
            var lastIndex = r.LastIndex;
            var followers = r.IsLeader
                ? r.Peers.OrderBy(p => p.Position).Select(p => new PeerView(
                    p.Id,
                    _settings.UrlOf(p.Id),
                    p.IsDown ? "down" : p.DiskFull ? "disk-full" : p.AppliedThrough < r.Log.CompactedThrough ? "snapshot" : "streaming",
                    p.HighestAcked,
                    p.AppliedThrough,
                    Math.Max(0, lastIndex - p.AppliedThrough),
                    p.LastHeardTick < 0 ? null : (r.CurrentTick - p.LastHeardTick) * _settings.HeartbeatInterval.TotalMilliseconds,
                    p.OutstandingCount,
                    p.Tainted)).ToList()
                : null;
            return new NodeView(
                r.Role,
                r.Term,
                r.LeaderId,
                _settings.UrlOf(r.LeaderId),
                r.CommitIndex,
                r.AppliedThrough,
                lastIndex,
                r.Table.Count,
                r.PendingCount,
                r.Tainted,
                r.IsRecovering,
                r.CanAcceptWrites,
                r.Config.ElectionQuorum,
                followers)
            {
                StorageFull = r.StorageFull,
                DataBytes = r.Table.Bytes,
                MaxDataBytes = r.Config.MaxDataBytes,
            };
        }
    }

    public SnapshotCut CutSnapshot()
    {
        lock (_gate)
        {
            return new SnapshotCut(_replica.Term, SnapshotImage.Of(_replica.Table, _replica.AppliedThrough));
        }
    }

    /// <summary>The replica keeps its own in-memory tail; the log's segments are only read at recovery.</summary>
    public void OnLogCompacted(long firstIndex)
    {
    }

    public override void Dispose()
    {
        foreach (var sender in _senders.Values)
        {
            sender.Dispose();
        }

        base.Dispose();
    }
}

/// <summary>A proposal's fate: the rejection (with the leader's URL when known), or the outcome of the accepted write.</summary>
public sealed record WriteResult(ProposeResult Proposal, WriteOutcome? Outcome, Uri? LeaderUrl)
{
    /// <summary>The node is stopping (a failed fsync, a broken invariant): the write was refused, or, when the proposal was accepted, its outcome is unknown.</summary>
    public bool NodeStopping { get; init; }
}

/// <summary>Completes the writes still waiting when the node stops.</summary>
internal sealed class NodeStoppingException() : Exception("The node is stopping.");

public sealed record NodeView(
    ReplicaRole Role,
    long Term,
    string? LeaderId,
    Uri? LeaderUrl,
    long CommitIndex,
    long AppliedThrough,
    long LastIndex,
    int Keys,
    int Pending,
    bool Tainted,
    bool Recovering,
    bool AcceptsWrites,
    int ElectionQuorum,
    IReadOnlyList<PeerView>? Followers)
{
    /// <summary>The disk-full alarm: the last persist ran out of space and no probe has found room since.</summary>
    public bool StorageFull { get; init; }

    /// <summary>Bytes of keys and values in the table (what MAX_DATA_BYTES bounds).</summary>
    public long DataBytes { get; init; }

    /// <summary>MAX_DATA_BYTES; 0 for none.</summary>
    public long MaxDataBytes { get; init; }
}

public sealed record PeerView(string Id, Uri? Url, string State, long AckedIndex, long AppliedThrough, long Lag, double? LastHeardMsAgo, int Outstanding, bool Tainted);
