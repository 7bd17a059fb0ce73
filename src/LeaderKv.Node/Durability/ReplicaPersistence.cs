using LeaderKv.Core.Consensus;
using LeaderKv.Node.Configuration;
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

    /// <summary>Remembers the applied index (now and then, and at a clean stop) so a restart shows its own logged slots at once.</summary>
    void SaveApplied(long appliedThrough)
    {
    }

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
    private readonly ILogger _logger;

    public DurablePersistence(NodeSettings settings, NodeStorage storage, HardStateStore hardState, BootRecord boot, ILogger<DurablePersistence> logger)
    {
        _storage = storage;
        _logger = logger;
        var directory = settings.Durability.DataDirectory!;
        _hardState = hardState;
        _fingerprint = settings.ClusterFingerprint;

        _boot = boot;
        _applied = new AppliedIndexFile(directory);
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
        if (appliedThrough > _appliedSaved)
        {
            // Every slot at or below it must be in the log first: under FSYNC=never it may not be yet.
            _storage.Log.SyncAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult();
            _applied.Save(appliedThrough);
            _appliedSaved = appliedThrough;
        }
    }

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
