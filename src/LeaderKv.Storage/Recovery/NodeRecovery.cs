using LeaderKv.Core;
using LeaderKv.Storage.Snapshots;
using LeaderKv.Storage.Wal;

namespace LeaderKv.Storage.Recovery;

/// <summary>
/// Everything a node with a data directory needs at start-up: the newest valid snapshot, the log
/// entries after it, the report, and the open log and snapshot store to keep using.
/// </summary>
/// <param name="Snapshot">The newest snapshot that verified, or null.</param>
/// <param name="Entries">
/// Log entries with index above the snapshot's, one per index, sorted by index: for each index the
/// record logged last, whose term is the term this node accepted that entry in (a re-proposal by
/// a newer leader re-stamps a slot, see <see cref="RecoveryReport.RecordsSuperseded"/>). They may
/// have gaps (a follower logs entries as they arrive), and an entry may be a no-op (empty key and
/// value: a new leader filling a hole). Which of them may be applied is the node's decision.
/// </param>
/// <param name="Report">What was found and repaired.</param>
/// <param name="Log">The write-ahead log, open for appends after the recovered records. The caller owns and disposes it.</param>
/// <param name="Snapshots">The snapshot store.</param>
public sealed record RecoveredNode(
    LoadedSnapshot? Snapshot,
    IReadOnlyList<LogEntry> Entries,
    RecoveryReport Report,
    FileWriteAheadLog Log,
    SnapshotStore Snapshots);

/// <summary>
/// Rebuilds a node's durable state from its data directory: "snapshots/" and "wal/" under it.
/// Storage returns the entries; which of them may be applied now is decided by the node (the
/// rule lives in one place, in Core, so that commit-index gating can change it later).
/// </summary>
public static class NodeRecovery
{
    public const string LogDirectoryName = "wal";
    public const string SnapshotDirectoryName = "snapshots";

    /// <summary>
    /// Loads the newest valid snapshot, reads every log record once (verifying each, truncating a
    /// torn or corrupt tail of the newest segment), keeps the last record per index, and opens the
    /// log for appending. Throws <see cref="StorageCorruptionException"/> for damage that cannot be
    /// a crash-torn tail, and for a slot whose accepted term goes down in log order or that holds
    /// two values in one term.
    /// </summary>
    public static async Task<RecoveredNode> RecoverAsync(string dataDirectory, WriteAheadLogOptions options, CancellationToken token)
    {
        ArgumentException.ThrowIfNullOrEmpty(dataDirectory);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();

        var snapshots = new SnapshotStore(Path.Combine(dataDirectory, SnapshotDirectoryName));
        var loaded = await snapshots.LoadLatestAsync(token).ConfigureAwait(false);
        var snapshotIndex = loaded.Snapshot?.Header.AppliedThrough ?? 0;

        var logDirectory = Path.Combine(dataDirectory, LogDirectoryName);
        var collected = new RecoveredEntries(snapshotIndex);
        // One sequential pass over possibly gigabytes of segments: keep it off the caller's thread.
        var scan = await Task.Run(() => LogDirectoryScanner.Scan(logDirectory, options, collected.Add), token).ConfigureAwait(false);
        var entries = collected.Finish();
        var segmentsRead = scan.Segments.Count;
        var log = FileWriteAheadLog.Open(logDirectory, options, scan);

        var report = new RecoveryReport(
            snapshotIndex,
            loaded.Snapshot?.Path,
            loaded.Rejected,
            segmentsRead,
            scan.RecordsRead,
            collected.CoveredBySnapshot,
            collected.Superseded,
            collected.ValuesReplaced,
            scan.Repair,
            Math.Max(snapshotIndex, collected.HighestIndex));
        return new RecoveredNode(loaded.Snapshot, entries, report, log, snapshots);
    }
}
