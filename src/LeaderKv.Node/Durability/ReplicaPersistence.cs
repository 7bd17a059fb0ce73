using LeaderKv.Core.Consensus;
using LeaderKv.Node.Configuration;
using LeaderKv.Storage;
using LeaderKv.Storage.State;
using CoreHardState = LeaderKv.Core.Consensus.HardState;
using StoredHardState = LeaderKv.Storage.State.HardState;

namespace LeaderKv.Node.Durability;

/// <summary>Where a replica's <see cref="Ready"/> goes before anything in it is sent, and what comes back at start.</summary>
public interface IReplicaPersistence
{
    /// <summary>What storage kept, once, at start.</summary>
    RecoveredReplica Recover();

    /// <summary>Makes the hard state (always fsynced), the snapshot and the entries of <paramref name="ready"/> as durable as the FSYNC policy promises.</summary>
    ValueTask PersistAsync(Ready ready, CancellationToken token);

    /// <summary>The replica caught up after a tainted start: its promises count again, across restarts too.</summary>
    void OnTaintCleared()
    {
    }

    /// <summary>
    /// Remembers the applied index (now and then, and at a clean stop) so a restart shows its own logged
    /// slots at once. Out of space it keeps the one saved before: a lower saved index is always safe.
    /// </summary>
    void SaveApplied(long appliedThrough)
    {
    }

    /// <summary>
    /// A Ready could not be stored for lack of space while the replica's log reached <paramref name="lastIndex"/>:
    /// slots up to there may be applied in memory without a fresh record on disk.
    /// </summary>
    void OnStorageFull(long lastIndex)
    {
    }

    /// <summary>Whether a write of the largest record would fit now (the disk-full alarm's probe).</summary>
    bool HasRoom() => true;

    /// <summary>A clean stop: the next start knows nothing was lost to the operating system.</summary>
    void OnCleanShutdown()
    {
    }
}

/// <summary>
/// A node without a data directory keeps nothing. It cannot tell its first start from a restart,
/// so it is treated as new, except the seed layout's leader: it is the one node whose restart the
/// lab's users try first, and it must not count its own empty promise (its followers hold the writes).
/// </summary>
public sealed class InMemoryPersistence(NodeSettings settings) : IReplicaPersistence
{
    public RecoveredReplica Recover() => RecoveredReplica.Empty(tainted: !settings.HasPeers && settings.Role == NodeRole.Leader);

    public ValueTask PersistAsync(Ready ready, CancellationToken token) => ValueTask.CompletedTask;
}

/// <summary>
/// A node with a data directory: the term and vote in the hard-state file (replaced atomically and
/// fsynced before any promise leaves), slots in the write-ahead log (latest record per index wins at
/// recovery), installed snapshots in the snapshot store.
/// </summary>
public sealed class DurablePersistence : IReplicaPersistence
{
    private readonly NodeStorage _storage;
    private readonly HardStateStore _hardState;
    private readonly BootRecord _boot;
    private readonly AppliedIndexFile _applied;
    private readonly string? _fingerprint;
    private long _appliedSaved;
    private long _unloggedThrough;
    private readonly string _directory;
    private readonly Storage.Io.StorageFileSystem _fileSystem;
    private readonly ILogger _logger;

    public DurablePersistence(NodeSettings settings, NodeStorage storage, HardStateStore hardState, BootRecord boot, ILogger<DurablePersistence> logger)
    {
        _storage = storage;
        _logger = logger;
        var directory = settings.Durability.DataDirectory!;
        _directory = directory;
        _fileSystem = settings.Durability.FileSystem;
        _hardState = hardState;
        _fingerprint = settings.ClusterFingerprint;

        _boot = boot;
        _applied = new AppliedIndexFile(directory, _fileSystem);
    }

    public RecoveredReplica Recover()
    {
        var stored = _hardState.Load();
        var (snapshot, entries) = _storage.TakeRecovered();
        _storage.LogRecovery(_logger);
        var image = snapshot is null ? null : SnapshotImage.Of(snapshot.Table, snapshot.Header.AppliedThrough);
        // A snapshot that failed verification made recovery fall back to an older one: slots between the two may be gone.
        var tainted = _boot.Tainted || _storage.Report.RejectedSnapshots.Count > 0;
        return new RecoveredReplica(new CoreHardState(stored.Term, stored.VotedFor, stored.VotedIncarnation), image, entries, tainted, KeptVotes: true, _applied.Load());
    }

    public void SaveApplied(long appliedThrough)
    {
        if (_unloggedThrough > 0)
        {
            // A slot that failed to log may be applied in memory while the log holds an older record
            // for it (or none): a restart that trusted a saved index above it would apply the stale
            // record. Frozen until a snapshot covers every such slot.
            if (_storage.SnapshotIndex < _unloggedThrough)
            {
                return;
            }

            _unloggedThrough = 0;
        }

        if (appliedThrough > _appliedSaved)
        {
            // Every slot at or below it must be in the log first: under FSYNC=never it may not be yet.
            _storage.Log.SyncAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult();
            try
            {
                _applied.Save(appliedThrough);
            }
            catch (StorageFullException)
            {
                return;
            }

            _appliedSaved = appliedThrough;
        }
    }

    public void OnStorageFull(long lastIndex) => _unloggedThrough = Math.Max(_unloggedThrough, Math.Max(lastIndex, 1));

    public bool HasRoom() => Storage.Io.SpaceProbe.HasRoom(_directory, _fileSystem);

    public async ValueTask PersistAsync(Ready ready, CancellationToken token)
    {
        if (ready.HardState is { } hard)
        {
            _hardState.Save(new StoredHardState(hard.Term, hard.VotedFor, hard.VotedIncarnation, _fingerprint));
        }

        if (ready.Snapshot is { } snapshot)
        {
            await _storage.WriteSnapshotAsync(new SnapshotCut(ready.HardState?.Term ?? 0, snapshot), token).ConfigureAwait(false);
        }

        if (ready.Entries.Count > 0)
        {
            await _storage.Log.AppendAsync(ready.Entries, CancellationToken.None).ConfigureAwait(false);
        }
    }

    public void OnTaintCleared() => _boot.ClearTaint();

    public void OnCleanShutdown()
    {
        // Under FSYNC=never disposing the log alone would not make its tail durable.
        _storage.Log.SyncAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult();
        _boot.MarkCleanShutdown();
    }
}
