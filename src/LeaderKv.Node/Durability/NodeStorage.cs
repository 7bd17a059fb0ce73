using LeaderKv.Core;
using LeaderKv.Core.Consensus;
using LeaderKv.Node.Configuration;
using LeaderKv.Storage;
using LeaderKv.Storage.Recovery;
using LeaderKv.Storage.Snapshots;

namespace LeaderKv.Node.Durability;

/// <summary>
/// A node's data directory, opened: the write-ahead log, the snapshot store, and what recovery
/// found in them. One per node with <c>DATA_DIR</c>; in-memory nodes have none. Snapshot writes
/// and installs go through here one at a time, since the store allows a single writer.
/// </summary>
public sealed class NodeStorage : IAsyncDisposable
{
    private readonly SemaphoreSlim _snapshotGate = new(1, 1);
    private RecoveredNode? _recovered;
    private long _snapshotIndex;

    private NodeStorage(DurabilitySettings settings, RecoveredNode recovered)
    {
        Settings = settings;
        _recovered = recovered;
        Log = recovered.Log;
        Snapshots = recovered.Snapshots;
        Report = recovered.Report;
        _snapshotIndex = recovered.Report.SnapshotIndex;
    }

    public DurabilitySettings Settings { get; }

    public IWriteAheadLog Log { get; }

    public SnapshotStore Snapshots { get; }

    /// <summary>What recovery found at start-up (tail repairs included), for the log and /status.</summary>
    public RecoveryReport Report { get; }

    /// <summary>Applied-through index of the newest snapshot on disk (loaded, written or installed).</summary>
    public long SnapshotIndex => Interlocked.Read(ref _snapshotIndex);

    /// <summary>
    /// Runs recovery on <see cref="DurabilitySettings.DataDirectory"/>. Called once while the host is
    /// built, before it serves anything, so it blocks: a node must not answer before its state is back.
    /// Throws <see cref="StorageCorruptionException"/> for damage that is not a torn tail.
    /// </summary>
    public static NodeStorage Open(DurabilitySettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings.DataDirectory);
        Directory.CreateDirectory(settings.DataDirectory);
        Directory.CreateDirectory(Path.Combine(settings.DataDirectory, NodeRecovery.LogDirectoryName));
        var recovered = NodeRecovery.RecoverAsync(settings.DataDirectory, settings.LogOptions(), CancellationToken.None).GetAwaiter().GetResult();
        return new NodeStorage(settings, recovered);
    }

    /// <summary>Hands the recovered snapshot and entries to the role's driver, once; the storage keeps no reference to them.</summary>
    public (LoadedSnapshot? Snapshot, IReadOnlyList<LogEntry> Entries) TakeRecovered()
    {
        var recovered = Interlocked.Exchange(ref _recovered, null) ?? throw new InvariantViolationException("recovered state handed out twice");
        return (recovered.Snapshot, recovered.Entries);
    }

    /// <summary>
    /// Writes a durable snapshot of <paramref name="cut"/>, then deletes the log segments it covers.
    /// Returns the log's first index afterwards (0 when it holds no entries).
    /// </summary>
    public async Task<long> WriteSnapshotAsync(SnapshotCut cut, CancellationToken token)
    {
        await _snapshotGate.WaitAsync(token).ConfigureAwait(false);
        try
        {
            if (cut.AppliedThrough > SnapshotIndex)
            {
                await Snapshots.WriteAsync(cut.Term, cut.Image, token).ConfigureAwait(false);
                Interlocked.Exchange(ref _snapshotIndex, cut.AppliedThrough);
                await Log.DeleteThroughAsync(cut.AppliedThrough, token).ConfigureAwait(false);
            }

            return Log.FirstIndex;
        }
        finally
        {
            _snapshotGate.Release();
        }
    }

    /// <summary>
    /// Receives a snapshot from the leader: verified, stored durably, then the log segments it
    /// covers are deleted. Returns the snapshot's table for the follower to serve.
    /// </summary>
    public async Task<LoadedSnapshot> InstallSnapshotAsync(Stream source, CancellationToken token)
    {
        await _snapshotGate.WaitAsync(token).ConfigureAwait(false);
        try
        {
            var loaded = await Snapshots.InstallAsync(source, token).ConfigureAwait(false);
            var index = loaded.Header.AppliedThrough;
            if (index > SnapshotIndex)
            {
                Interlocked.Exchange(ref _snapshotIndex, index);
                await Log.DeleteThroughAsync(index, token).ConfigureAwait(false);
            }

            return loaded;
        }
        finally
        {
            _snapshotGate.Release();
        }
    }

    /// <summary>The newest snapshot file, to stream to a follower as it is; null when there is none.</summary>
    public SnapshotFile? LatestSnapshotFile()
    {
        var files = Snapshots.List();
        return files.Count == 0 ? null : files[0];
    }

    /// <summary>Writes what recovery found to the node's log; a repaired tail or a rejected snapshot is a warning.</summary>
    public void LogRecovery(ILogger logger)
    {
        if (Report.TailTruncated || Report.RejectedSnapshots.Count > 0)
        {
            logger.RecoveredWithRepair(Settings.DataDirectory!, Report.Summary());
        }
        else
        {
            logger.Recovered(Settings.DataDirectory!, Report.Summary());
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Log.DisposeAsync().ConfigureAwait(false);
        _snapshotGate.Dispose();
    }
}

/// <summary>
/// A consistent copy of a node's table (values, idempotency records, clock) as of its index, taken
/// under the node's lock, and the node's term.
/// </summary>
public sealed record SnapshotCut(long Term, SnapshotImage Image)
{
    public long AppliedThrough => Image.Index;
}
