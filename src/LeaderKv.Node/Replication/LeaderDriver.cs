using LeaderKv.Core;
using LeaderKv.Node.Configuration;
using LeaderKv.Node.Durability;
using LeaderKv.Node.Observability;
using LeaderKv.Node.Security;
using LeaderKv.Node.Transport;

namespace LeaderKv.Node.Replication;

/// <summary>
/// The one place where the leader's core state, its transport and its waiting clients meet. The
/// core decides under <see cref="_gate"/>; sends, waits, log writes and responses happen outside it.
/// </summary>
public sealed partial class LeaderDriver : BackgroundService, INodeStore
{
    private readonly Lock _gate = new();
    private readonly LeaderState _state;
    private readonly Dictionary<long, TaskCompletionSource<QuorumDecision>> _waiters = [];
    private readonly FollowerReplicator[] _replicators;
    private readonly NodeSettings _settings;
    private readonly TimeProvider _time;
    private readonly ILogger<LeaderDriver> _logger;
    private readonly NodeStorage? _storage;
    private readonly IHostApplicationLifetime? _lifetime;
    private readonly NodeMetrics? _metrics;

    public LeaderDriver(
        NodeSettings settings,
        IDelaySource delays,
        TimeProvider time,
        ILogger<LeaderDriver> logger,
        ReplicationLimits? limits = null,
        NodeStorage? storage = null,
        IHostApplicationLifetime? lifetime = null,
        NodeMetrics? metrics = null)
    {
        _metrics = metrics;
        _settings = settings;
        _time = time;
        _logger = logger;
        _storage = storage;
        _lifetime = lifetime;
        var effectiveLimits = (limits ?? ReplicationLimits.Default) with { LogTailEntries = settings.Durability.LogTailEntries };
        _state = new LeaderState(settings.Followers.Count, settings.WriteQuorum, term: 1, delays, effectiveLimits, durableLog: storage is not null);
        if (storage is not null)
        {
            Restore(storage);
        }

        _replicators = new FollowerReplicator[settings.Followers.Count];
        for (var i = 0; i < _replicators.Length; i++)
        {
            var connections = _state.Limits.MaxAppendsInFlight + 2;
            var client = new HttpReplicationClient(
                settings.Followers[i],
                connections,
                ClusterTransport.CreateHandler(settings.Security, time, connections),
                () => ClusterTransport.CreateHandler(settings.Security, time, 1));
            _replicators[i] = new FollowerReplicator(i, client, this, time, logger);
        }
    }

    public long Term => _state.Term;

    public ReplicationLimits Limits => _state.Limits;

    public long AppliedThrough
    {
        get
        {
            lock (_gate)
            {
                return _state.Log.LastIndex;
            }
        }
    }

    /// <summary>The leader applies every write before assigning the next index: an index it has not assigned will not appear by waiting.</summary>
    public Task<bool> WaitForAppliedAsync(long index, TimeSpan timeout, CancellationToken token) =>
        Task.FromResult(index <= AppliedThrough);

    public T Read<T>(Func<KeyValueTable, T> read)
    {
        lock (_gate)
        {
            return read(_state.Table);
        }
    }

    internal T WithState<T>(Func<LeaderState, T> action)
    {
        lock (_gate)
        {
            return action(_state);
        }
    }

    /// <summary>Applies a write locally, replicates it, and waits for WRITE_QUORUM follower acks or the write timeout.</summary>
    public async Task<WriteOutcome> WriteAsync(string key, ReadOnlyMemory<byte> value, CancellationToken token)
    {
        var started = _time.GetTimestamp();
        var outcome = await ReplicateAsync(key, value, token).ConfigureAwait(false);
        if (outcome.Outcome == QuorumOutcome.Met)
        {
            _metrics?.WriteCommitted(_time.GetElapsedTime(started), outcome.QuorumWait);
        }
        else
        {
            _metrics?.WriteUnknown();
        }

        return outcome;
    }

    private async Task<WriteOutcome> ReplicateAsync(string key, ReadOnlyMemory<byte> value, CancellationToken token)
    {
        Proposal proposal;
        TaskCompletionSource<QuorumDecision>? waiter = null;
        ValueTask logged = default;
        lock (_gate)
        {
            proposal = _state.Propose(key, value);
            if (!proposal.Decision.IsDecided)
            {
                waiter = new TaskCompletionSource<QuorumDecision>(TaskCreationOptions.RunContinuationsAsynchronously);
                _waiters.Add(proposal.Entry.Index, waiter);
            }

            if (_storage is not null)
            {
                // Queued under the lock, so the log receives entries in index order.
                logged = _storage.Log.AppendAsync([proposal.Entry], CancellationToken.None);
            }
        }

        if (_storage is not null)
        {
            await LogAsync(proposal.Entry.Index, logged).ConfigureAwait(false);
        }

        foreach (var send in proposal.Sends)
        {
            _replicators[send.Follower].Schedule(proposal.Entry, send.Delay);
        }

        var index = proposal.Entry.Index;
        if (waiter is null)
        {
            return Outcome(proposal.Decision);
        }

        var waitStarted = _time.GetTimestamp();
        try
        {
            return Outcome(await waiter.Task.WaitAsync(_settings.WriteTimeout, _time, token).ConfigureAwait(false)) with { QuorumWait = _time.GetElapsedTime(waitStarted) };
        }
        catch (Exception exception) when (exception is TimeoutException or OperationCanceledException)
        {
            int acks;
            lock (_gate)
            {
                _waiters.Remove(index);
                acks = _state.Tracker.Abandon(index);
            }

            // A decision may have landed between the timeout and the lock: prefer it over "timed out".
            if (waiter.Task.IsCompletedSuccessfully)
            {
                return Outcome(waiter.Task.Result) with { QuorumWait = _time.GetElapsedTime(waitStarted) };
            }

            token.ThrowIfCancellationRequested();
            return new WriteOutcome(index, QuorumOutcome.Failed, acks, _settings.WriteQuorum, TimeSpan.Zero);
        }
    }

    /// <summary>Hands quorum decisions to the writes waiting on them.</summary>
    internal void Complete(IReadOnlyList<QuorumDecision> decisions)
    {
        foreach (var decision in decisions)
        {
            TaskCompletionSource<QuorumDecision>? waiter;
            lock (_gate)
            {
                _waiters.Remove(decision.Index, out waiter);
            }

            waiter?.TrySetResult(decision);
        }
    }

    public LeaderSnapshot Describe()
    {
        var now = _time.GetUtcNow();
        lock (_gate)
        {
            var lastIndex = _state.Log.LastIndex;
            var followers = _state.Followers
                .Select(f => new FollowerView(_settings.Followers[f.Id], f.Status(lastIndex), f.MatchIndex, lastIndex - f.MatchIndex, f.Lag(lastIndex, now), f.OutstandingCount))
                .ToList();
            return new LeaderSnapshot(_state.Term, lastIndex, _state.Table.Count, _state.Tracker.PendingCount, followers);
        }
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // The fixed layout's one leader change: this node leads term 1 from its start.
        _metrics?.LeaderChanged();
        _logger.NodeStarted(_settings.NodeId, "leader", _settings.Mode.ToString(), _settings.WriteQuorum, _replicators.Length, _settings.DelayMin.TotalMilliseconds, _settings.DelayMax.TotalMilliseconds);
        return Task.WhenAll(_replicators.Select(r => r.RunAsync(stoppingToken)));
    }

    public override void Dispose()
    {
        foreach (var replicator in _replicators)
        {
            replicator.Dispose();
        }

        base.Dispose();
    }

    private WriteOutcome Outcome(QuorumDecision decision) =>
        new(decision.Index, decision.Outcome, decision.Acks, _settings.WriteQuorum, decision.CompletingDelay);
}

/// <summary>How a write ended: met its quorum, or not (it is applied on the leader either way).</summary>
public sealed record WriteOutcome(long Index, QuorumOutcome Outcome, int Acks, int Required, TimeSpan QuorumDelay)
{
    /// <summary>How long the write really waited for its follower acks (zero when it needed none).</summary>
    public TimeSpan QuorumWait { get; init; }
}

public sealed record LeaderSnapshot(long Term, long LastIndex, int Keys, int PendingWrites, IReadOnlyList<FollowerView> Followers);

public sealed record FollowerView(Uri Url, FollowerStatus Status, long AckedIndex, long Lag, TimeSpan LagTime, int Outstanding);
