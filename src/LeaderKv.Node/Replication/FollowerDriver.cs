using LeaderKv.Core;
using LeaderKv.Node.Configuration;
using LeaderKv.Node.Durability;
using LeaderKv.Storage.Snapshots;

namespace LeaderKv.Node.Replication;

/// <summary>
/// The follower's side: receives appends under one lock and answers with its watermark. With a
/// data directory every received entry is logged (in arrival order) before it is applied and
/// acknowledged, and the state is rebuilt from snapshot + log at start-up.
/// </summary>
public sealed class FollowerDriver : INodeStore, ISnapshotSource
{
    private readonly AppliedIndexWatch _watch;
    private readonly Lock _gate = new();
    private readonly FollowerState _state;
    private readonly NodeStorage? _storage;
    private readonly ILogger<FollowerDriver> _logger;
    private long _snapshotsInstalled;

    public FollowerDriver(NodeSettings settings, TimeProvider time, ILogger<FollowerDriver> logger, NodeStorage? storage = null)
    {
        _watch = new AppliedIndexWatch(time);
        _state = new FollowerState(settings.Mode);
        _storage = storage;
        _logger = logger;
        if (storage is not null)
        {
            Recover(storage);
        }
    }

    /// <summary>
    /// Identifies this run of the process. The leader compares it across replies: a new value means
    /// the follower restarted, so it is caught up from what it reports now (its recovered
    /// applied-through index with a data directory, 0 without).
    /// </summary>
    public long Incarnation { get; } = Random.Shared.NextInt64(1, long.MaxValue);

    /// <summary>Snapshots received from the leader since start-up.</summary>
    public long SnapshotsInstalled => Interlocked.Read(ref _snapshotsInstalled);

    public long AppliedThrough
    {
        get
        {
            lock (_gate)
            {
                return _state.AppliedThrough;
            }
        }
    }

    public T Read<T>(Func<KeyValueTable, T> read)
    {
        lock (_gate)
        {
            return read(_state.Table);
        }
    }

    public Task<bool> WaitForAppliedAsync(long index, TimeSpan timeout, CancellationToken token) =>
        _watch.WaitAsync(index, timeout, token);

    /// <summary>Receives an append. Without a data directory this completes synchronously.</summary>
    public async ValueTask<AppendReply> ReceiveAsync(IReadOnlyList<LogEntry> entries, CancellationToken token)
    {
        if (_storage is not null)
        {
            List<LogEntry> fresh;
            lock (_gate)
            {
                // Entries already applied are acknowledged again but not logged again.
                var applied = _state.AppliedThrough;
                fresh = entries.Where(entry => entry.Index > applied).ToList();
            }

            // Logged before applied and acknowledged: an ack means "on this follower's disk".
            await _storage.Log.AppendAsync(fresh, token).ConfigureAwait(false);
        }

        return Receive(entries);
    }

    /// <summary>
    /// Installs the leader's snapshot streamed in <paramref name="source"/>: verified (and with a data
    /// directory stored durably) before the served table is replaced.
    /// </summary>
    public async Task<AppendReply> InstallSnapshotAsync(Stream source, CancellationToken token)
    {
        KeyValueTable table;
        SnapshotHeader header;
        if (_storage is not null)
        {
            var loaded = await _storage.InstallSnapshotAsync(source, token).ConfigureAwait(false);
            (table, header) = (loaded.Table, loaded.Header);
        }
        else
        {
            table = new KeyValueTable();
            header = await SnapshotReader.ReadIntoAsync(source, table, token).ConfigureAwait(false);
        }

        ReceiveResult result;
        lock (_gate)
        {
            result = _state.InstallSnapshot(table, header.AppliedThrough, header.Term);
        }

        _watch.Advance(result.AppliedThrough);
        Interlocked.Increment(ref _snapshotsInstalled);
        _logger.SnapshotInstalled(header.AppliedThrough, table.Count, result.AppliedThrough);
        return new AppendReply(result.AppliedThrough, result.AcceptedThrough, Incarnation);
    }

    public FollowerSnapshot Describe()
    {
        lock (_gate)
        {
            return new FollowerSnapshot(_state.Term, _state.LastIndex, _state.AppliedThrough, _state.Table.Count, _state.PendingCount);
        }
    }

    public SnapshotCut CutSnapshot()
    {
        lock (_gate)
        {
            return new SnapshotCut(_state.AppliedThrough, _state.Term, _state.Table.Entries.ToArray());
        }
    }

    /// <summary>A follower's log is only read at recovery, so compaction changes nothing here.</summary>
    public void OnLogCompacted(long firstIndex)
    {
    }

    private AppendReply Receive(IReadOnlyList<LogEntry> entries)
    {
        ReceiveResult result;
        lock (_gate)
        {
            result = _state.Receive(entries);
        }

        _watch.Advance(result.AppliedThrough);
        return new AppendReply(result.AppliedThrough, result.AcceptedThrough, Incarnation);
    }

    /// <summary>Snapshot first, then the logged entries after it: the contiguous prefix is applied, the rest waits as pending, exactly as if they had just arrived.</summary>
    private void Recover(NodeStorage storage)
    {
        var (snapshot, entries) = storage.TakeRecovered();
        if (snapshot is not null)
        {
            _state.InstallSnapshot(snapshot.Table, snapshot.Header.AppliedThrough, snapshot.Header.Term);
        }

        _state.Receive(entries);
        _watch.Advance(_state.AppliedThrough);
        storage.LogRecovery(_logger);
    }
}

public sealed record FollowerSnapshot(long Term, long LastIndex, long AppliedThrough, int Keys, int Pending);
