using LeaderKv.Core;

namespace LeaderKv.Storage;

/// <summary>
/// An append-only log of <see cref="LogEntry"/> records. A leader appends its own contiguous
/// history; a follower appends entries as they arrive, so its log may hold them out of index
/// order and more than once. A record's term is the term this node accepted the entry in: when a
/// newer leader re-proposes a slot the node logs the index again with the higher term (and maybe
/// another value, or a no-op: empty key and value), and the record logged last for an index is
/// the node's current acceptance. The log stores what it is given: deciding which entries may be
/// applied is the caller's job, never the log's.
/// </summary>
public interface IWriteAheadLog : IAsyncDisposable
{
    /// <summary>Lowest index the log still holds, or 0 when it holds no entries.</summary>
    long FirstIndex { get; }

    /// <summary>Highest index appended (or recovered) so far, or 0 when none.</summary>
    long LastIndex { get; }

    /// <summary>Counters for metrics and tests.</summary>
    WriteAheadLogStats Stats { get; }

    /// <summary>
    /// Appends a batch. Completes when the batch is as durable as the fsync policy promises, so
    /// the caller may acknowledge it then. Entries may be in any index order and may repeat
    /// earlier ones. The token only stops waiting for room in the queue: once queued, a batch
    /// is written. The entries are copied before this returns, so the caller may reuse its list.
    /// Await the result exactly once: the file log's awaitable is pooled, which is what keeps the
    /// write path free of per-append allocations (the batch is encoded into one pooled buffer and
    /// written with one call).
    /// </summary>
    ValueTask AppendAsync(IReadOnlyList<LogEntry> entries, CancellationToken token);

    /// <summary>Forces everything appended so far to disk, whatever the fsync policy.</summary>
    ValueTask SyncAsync(CancellationToken token);

    /// <summary>
    /// Reads up to <paramref name="maxEntries"/> entries with index ≥ <paramref name="index"/>,
    /// in index order, for catch-up: for each index the record logged last (the node's current
    /// acceptance, so a slot re-stamped by a newer leader comes back with its newest term and
    /// value). Assumes the log holds every index from <see cref="FirstIndex"/> to
    /// <see cref="LastIndex"/> (a leader's log); a missing index in the range read, or an
    /// accepted term that goes down, is reported as corruption. Sees exactly the appends that completed.
    /// </summary>
    ValueTask<LogReadResult> ReadFromAsync(long index, int maxEntries, CancellationToken token);

    /// <summary>
    /// Drops stored entries covered by a durable snapshot at <paramref name="snapshotIndex"/>:
    /// a file log deletes every closed segment in which every record, re-stamps included, has an
    /// index ≤ it. Every record above the snapshot is kept wherever it sits, so recovery still
    /// sees every acceptance of a slot above it in log order and the last one still wins. Returns
    /// the number of records dropped (an index logged twice counts twice).
    /// <para>
    /// Records at or below the snapshot may survive in a kept segment while later re-stamps of
    /// the same slots are gone: harmless while that snapshot is the one recovery loads, but if it
    /// is rejected and recovery falls back to an older one, slots between the two may come back
    /// missing or with an older acceptance (see <c>RecoveryReport.RejectedSnapshots</c>).
    /// </para>
    /// </summary>
    ValueTask<long> DeleteThroughAsync(long snapshotIndex, CancellationToken token);
}

/// <summary>
/// What a catch-up read found. <paramref name="Compacted"/> is true when the requested index is
/// below <see cref="IWriteAheadLog.FirstIndex"/>: it lives only in a snapshot now, so the follower
/// needs a snapshot transfer.
/// </summary>
public readonly record struct LogReadResult(IReadOnlyList<LogEntry> Entries, bool Compacted)
{
    public static LogReadResult Empty { get; } = new([], false);

    public static LogReadResult NeedsSnapshot { get; } = new([], true);
}

/// <summary>Point-in-time counters of a write-ahead log.</summary>
/// <param name="Appends">Completed <c>AppendAsync</c> calls with at least one entry.</param>
/// <param name="Entries">Entries in those appends.</param>
/// <param name="BytesWritten">Record bytes written to segments.</param>
/// <param name="Writes">Write system calls issued for records (one per group, plus one per segment roll).</param>
/// <param name="Fsyncs">Segment fsyncs. Under group commit this is below <paramref name="Appends"/> whenever appends overlap.</param>
/// <param name="SegmentsCreated">Segments created since the log was opened.</param>
public readonly record struct WriteAheadLogStats(
    long Appends,
    long Entries,
    long BytesWritten,
    long Writes,
    long Fsyncs,
    long SegmentsCreated);
