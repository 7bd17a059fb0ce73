using System.Buffers;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Threading.Channels;
using LeaderKv.Core;
using LeaderKv.Storage.Io;
using Microsoft.Win32.SafeHandles;

namespace LeaderKv.Storage.Wal;

/// <summary>
/// A segmented write-ahead log in one directory (format: <see cref="LogRecordFormat"/>).
/// <para>
/// Writes go through a single writer loop. Callers encode their batch on their own thread and
/// queue it; the loop drains everything queued, writes it with one gathered write call, syncs
/// once according to the <see cref="FsyncPolicy"/>, publishes the new records to readers and
/// then completes every waiting append: group commit, so N concurrent appends under
/// <see cref="FsyncPolicy.Always"/> share one fsync instead of paying N.
/// </para>
/// <para>
/// A segment is closed before a batch would take it past <see cref="WriteAheadLogOptions.SegmentSizeBytes"/>
/// (a batch never spans two segments). Under every policy a segment is fsynced when it is closed
/// and a new one is fsynced, with its directory, when it is created: that costs two fsyncs per
/// segment and makes every closed segment complete on disk, which is what lets recovery treat
/// damage in an older segment as fatal rather than as a torn tail.
/// </para>
/// <para>
/// A write that runs out of space (<c>ENOSPC</c>, <c>EDQUOT</c>) fails its whole group with
/// <see cref="StorageFullException"/> after cutting every segment the group wrote to back to its
/// last published record and fsyncing the cut: nothing of the group is on disk, and the log takes
/// appends again as soon as there is room. Any other failure, above all a failed fsync, makes the
/// log refuse every later append: after a failed fsync the kernel may have dropped the dirty pages,
/// so what is on disk is unknown and retrying could acknowledge data that is gone.
/// </para>
/// </summary>
public sealed class FileWriteAheadLog : IWriteAheadLog
{
    /// <summary>
    /// Requests drained into one group. Linux's pwritev takes at most IOV_MAX (1024) buffers, and a
    /// bounded group bounds the wait of the first append in it.
    /// </summary>
    private const int MaxRequestsPerGroup = 512;

    /// <summary>
    /// Times a catch-up read re-plans after a planned segment was deleted under it. Each retry means
    /// a deletion happened in between, and deletions follow snapshots, which are rare.
    /// </summary>
    private const int MaxReadAttempts = 8;

    private readonly string _directory;
    private readonly WriteAheadLogOptions _options;
    private readonly Channel<AppendRequest> _queue;
    private readonly Lock _lock = new();
    private readonly List<Segment> _segments;
    private readonly Task _writer;
    private readonly ITimer? _intervalTimer;

    private readonly List<AppendRequest> _group = new(MaxRequestsPerGroup);
    private readonly List<ReadOnlyMemory<byte>> _pendingWrites = new(MaxRequestsPerGroup);

    // Segments closed while the current group was written: a group that runs out of space is cut back in them too.
    private readonly List<Segment> _rolledInGroup = [];
    private Segment _active;
    private SafeFileHandle _activeHandle;
    private long _pendingOffset;
    private long _writeOffset;
    private bool _unsynced;
    private volatile Exception? _fault;

    private long _lastIndex;
    private int _disposed;

    private long _appends;
    private long _entries;
    private long _bytesWritten;
    private long _writes;
    private long _fsyncs;
    private long _segmentsCreated;

    private readonly Histogram<double> _fsyncSeconds;
    private readonly Histogram<int> _appendsPerFsync;
    private int _appendsSinceFsync;

    private FileWriteAheadLog(string directory, WriteAheadLogOptions options, LogScanResult scan)
    {
        _directory = directory;
        _options = options;
        (_fsyncSeconds, _appendsPerFsync) = CreateInstruments(Meter);
        _segments = scan.Segments;
        TailRepair = scan.Repair;
        foreach (var segment in _segments)
        {
            _lastIndex = Math.Max(_lastIndex, segment.MaxIndex);
        }

        if (_segments.Count == 0)
        {
            (_active, _activeHandle) = CreateSegment(1);
        }
        else if (_segments[^1].FormatVersion != LogRecordFormat.FormatVersion)
        {
            // A log written by an older build: keep its segments as they are (they are read in their
            // own format) and append in the current format to a new segment, so no file mixes versions.
            (_active, _activeHandle) = CreateSegment(_segments[^1].Sequence + 1);
        }
        else
        {
            _active = _segments[^1];
            _activeHandle = File.OpenHandle(_active.Path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read);
            Invariant.Check(RandomAccess.GetLength(_activeHandle) == _active.Length, "newest segment's length differs from what was scanned");
        }

        _writeOffset = _pendingOffset = _active.Length;
        _queue = Channel.CreateBounded<AppendRequest>(new BoundedChannelOptions(StorageLimits.MaxAppendsInFlight)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _writer = Task.Run(RunWriterAsync);
        if (options.Fsync == FsyncPolicy.Interval)
        {
            _intervalTimer = options.TimeProvider.CreateTimer(OnIntervalTick, null, options.FsyncInterval, options.FsyncInterval);
        }
    }

    /// <summary>
    /// This log's own instruments (fsync duration, appends made durable per fsync): one meter per
    /// log rather than a static one, so that a host exports the log it owns even when several
    /// nodes share a process (the in-process test clusters). Disposed with the log.
    /// </summary>
    public Meter Meter { get; } = new(MeterName);

    /// <summary>Name of <see cref="Meter"/>.</summary>
    public const string MeterName = "LeaderKv.Storage";

    /// <summary>The directory holding the segments.</summary>
    public string DirectoryPath => _directory;

    /// <summary>The damaged tail cut off the newest segment when the log was opened, if there was one.</summary>
    public LogTailRepair? TailRepair { get; }

    /// <inheritdoc />
    public long FirstIndex
    {
        get
        {
            lock (_lock)
            {
                return FirstIndexLocked();
            }
        }
    }

    /// <inheritdoc />
    public long LastIndex
    {
        get
        {
            lock (_lock)
            {
                return _lastIndex;
            }
        }
    }

    /// <summary>Segment files currently in the log, oldest first.</summary>
    public int SegmentCount
    {
        get
        {
            lock (_lock)
            {
                return _segments.Count;
            }
        }
    }

    /// <inheritdoc />
    public WriteAheadLogStats Stats => new(
        Interlocked.Read(ref _appends),
        Interlocked.Read(ref _entries),
        Interlocked.Read(ref _bytesWritten),
        Interlocked.Read(ref _writes),
        Interlocked.Read(ref _fsyncs),
        Interlocked.Read(ref _segmentsCreated));

    /// <summary>
    /// Opens (or creates) the log in <paramref name="directory"/>, verifying every record and
    /// truncating a damaged tail of the newest segment (see <see cref="TailRepair"/>). Throws
    /// <see cref="StorageCorruptionException"/> for damage anywhere else. To also get the entries,
    /// use <see cref="Recovery.NodeRecovery"/>, which reads the log once for both.
    /// </summary>
    public static FileWriteAheadLog Open(string directory, WriteAheadLogOptions options)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return new FileWriteAheadLog(directory, options, LogDirectoryScanner.Scan(directory, options, onEntry: null));
    }

    internal static FileWriteAheadLog Open(string directory, WriteAheadLogOptions options, LogScanResult scan) =>
        new(directory, options, scan);

    /// <inheritdoc />
    public ValueTask AppendAsync(IReadOnlyList<LogEntry> entries, CancellationToken token)
    {
        ArgumentNullException.ThrowIfNull(entries);
        token.ThrowIfCancellationRequested();
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (_fault is { } fault)
        {
            return ValueTask.FromException(Refusal(fault));
        }

        if (entries.Count == 0)
        {
            return ValueTask.CompletedTask;
        }

        var request = AppendRequest.Rent(RequestKind.Append, LogRecordFormat.Encode(entries));
        return Enqueue(request, token);
    }

    /// <inheritdoc />
    public ValueTask SyncAsync(CancellationToken token)
    {
        token.ThrowIfCancellationRequested();
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return Enqueue(AppendRequest.Rent(RequestKind.Sync), token);
    }

    /// <inheritdoc />
    /// <remarks>The caller must have made the snapshot at <paramref name="snapshotIndex"/> durable first. The active segment is never deleted.</remarks>
    public async ValueTask<long> DeleteThroughAsync(long snapshotIndex, CancellationToken token)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(snapshotIndex);
        token.ThrowIfCancellationRequested();
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var request = AppendRequest.RentDelete(snapshotIndex);
        var deleted = request.Deleted!.Task;
        if (!_queue.Writer.TryWrite(request))
        {
            try
            {
                await _queue.Writer.WriteAsync(request, token).ConfigureAwait(false);
            }
            catch (Exception error) when (error is ChannelClosedException or OperationCanceledException)
            {
                request.Recycle();
                if (error is ChannelClosedException)
                {
                    throw new ObjectDisposedException(nameof(FileWriteAheadLog));
                }

                throw;
            }
        }

        return await deleted.ConfigureAwait(false);
    }

    /// <inheritdoc />
    public ValueTask<LogReadResult> ReadFromAsync(long index, int maxEntries, CancellationToken token)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(index);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxEntries);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        token.ThrowIfCancellationRequested();
        for (var attempt = 0; ; attempt++)
        {
            var plan = PlanRead(index, maxEntries, out var count, out var immediate);
            if (plan is null)
            {
                return ValueTask.FromResult(immediate);
            }

            try
            {
                return ValueTask.FromResult(new LogReadResult(ContiguousLogReader.Read(plan, index, count, token), Compacted: false));
            }
            catch (FileNotFoundException) when (attempt < MaxReadAttempts - 1)
            {
                // DeleteThroughAsync removed a planned segment after the plan was made: plan again,
                // which now answers Compacted or starts in a later segment.
            }
        }
    }

    /// <summary>Completes queued work, syncs (unless the policy is Never) and closes the active segment.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        if (_intervalTimer is not null)
        {
            await _intervalTimer.DisposeAsync().ConfigureAwait(false);
        }

        _queue.Writer.TryComplete();
        await _writer.ConfigureAwait(false);
        try
        {
            if (_fault is null && _unsynced && _options.Fsync != FsyncPolicy.Never)
            {
                Fsync();
            }
        }
        finally
        {
            _activeHandle.Dispose();
            Meter.Dispose();
        }
    }

    private ValueTask Enqueue(AppendRequest request, CancellationToken token)
    {
        var completion = request.AsValueTask();
        return _queue.Writer.TryWrite(request) ? completion : EnqueueSlowAsync(request, completion, token);
    }

    private async ValueTask EnqueueSlowAsync(AppendRequest request, ValueTask completion, CancellationToken token)
    {
        try
        {
            await _queue.Writer.WriteAsync(request, token).ConfigureAwait(false);
        }
        catch (Exception error) when (error is ChannelClosedException or OperationCanceledException)
        {
            ReturnBuffer(request);
            request.Recycle();
            if (error is ChannelClosedException)
            {
                throw new ObjectDisposedException(nameof(FileWriteAheadLog));
            }

            throw;
        }

        await completion.ConfigureAwait(false);
    }

    private void OnIntervalTick(object? state)
    {
        var tick = AppendRequest.Rent(RequestKind.IntervalTick);
        if (!_queue.Writer.TryWrite(tick))
        {
            // The queue is full (the writer is busy and will come back) or closed: skip this tick.
            tick.Recycle();
        }
    }

    private async Task RunWriterAsync()
    {
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (_group.Count < MaxRequestsPerGroup && reader.TryRead(out var request))
            {
                _group.Add(request);
            }

            ProcessGroup();
            _group.Clear();
        }
    }

    private void ProcessGroup()
    {
        if (_fault is { } earlier)
        {
            FailGroup(Refusal(earlier));
            return;
        }

        var syncWanted = false;
        _rolledInGroup.Clear();
        try
        {
            foreach (var request in _group)
            {
                switch (request.Kind)
                {
                    case RequestKind.Append:
                        Place(request);
                        break;
                    case RequestKind.Sync:
                        syncWanted = true;
                        break;
                    case RequestKind.IntervalTick:
                        syncWanted = true;
                        break;
                    default:
                        break;
                }
            }

            WritePending();
            if (_unsynced && (syncWanted || _options.Fsync == FsyncPolicy.Always))
            {
                Fsync();
            }

            Publish();
        }
        catch (Exception error)
        {
            if (StorageFullException.IsOutOfSpace(error) && CutBack() is null)
            {
                // Deletions still run: they depend on no write of this group, and they free space.
                FailGroup(
                    new StorageFullException(
                        $"The write-ahead log in '{_directory}' has no space left ({error.Message}). The batch was cut back to the last whole record: nothing of it is on disk. Free space and it is accepted again.",
                        error),
                    deleteAnyway: true);
                return;
            }

            // Also catches a failed invariant in Publish: nothing in this group was acknowledged yet,
            // and a writer loop that died silently would leave every later append waiting forever.
            _fault = error is FsyncFailedException { InnerException: { } cause } ? cause : error;
            FailGroup(Refusal(_fault));
            return;
        }

        foreach (var request in _group)
        {
            switch (request.Kind)
            {
                case RequestKind.Append:
                    ReturnBuffer(request);
                    request.Succeed();
                    break;
                case RequestKind.Sync:
                    request.Succeed();
                    break;
                case RequestKind.DeleteThrough:
                    DeleteThrough(request);
                    break;
                default:
                    request.Recycle();
                    break;
            }
        }
    }

    /// <summary>Assigns the batch its segment and offset, rolling first if it would overfill the active segment.</summary>
    private void Place(AppendRequest request)
    {
        var length = request.Batch.Length;
        if (_writeOffset > LogRecordFormat.SegmentHeaderSize && _writeOffset + length > _options.SegmentSizeBytes)
        {
            WritePending();
            Roll();
        }

        request.Segment = _active;
        request.Offset = _writeOffset;
        _appendsSinceFsync++;
        _pendingWrites.Add(request.Batch.Buffer.AsMemory(0, length));
        _writeOffset += length;
    }

    private void WritePending()
    {
        if (_pendingWrites.Count == 0)
        {
            return;
        }

        _options.FileSystem.Write(_activeHandle, _pendingWrites, _pendingOffset);
        Interlocked.Increment(ref _writes);
        Interlocked.Add(ref _bytesWritten, _writeOffset - _pendingOffset);
        _pendingWrites.Clear();
        _pendingOffset = _writeOffset;
        _unsynced = true;
    }

    private void Fsync()
    {
        var started = Stopwatch.GetTimestamp();
        FlushOrFault(_activeHandle, _active.Path);
        _fsyncSeconds.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);
        _appendsPerFsync.Record(_appendsSinceFsync);
        _appendsSinceFsync = 0;
        Interlocked.Increment(ref _fsyncs);
        _unsynced = false;
    }

    /// <summary>Bucket bounds: an fsync takes ~50 µs on a fast NVMe disk and tens of ms on a busy spinning one; group commit shares one among up to <see cref="MaxRequestsPerGroup"/> appends.</summary>
    private static (Histogram<double> FsyncSeconds, Histogram<int> AppendsPerFsync) CreateInstruments(Meter meter) => (
        meter.CreateHistogram(
            "leaderkv_wal_fsync_duration_seconds",
            unit: "s",
            description: "Duration of one fsync of the write-ahead log's active segment (segment creation syncs excluded).",
            tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1] }),
        meter.CreateHistogram(
            "leaderkv_wal_appends_per_fsync",
            unit: "{append}",
            description: "Appends made durable by one fsync of the write-ahead log: how much group commit shares an fsync.",
            tags: null,
            advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512] }));

    private void Roll()
    {
        if (_unsynced)
        {
            Fsync();
        }

        // The new segment first: if there is no room for it, the old one stays active and open.
        var (next, handle) = CreateSegment(_active.Sequence + 1);
        _activeHandle.Dispose();
        _rolledInGroup.Add(_active);
        (_active, _activeHandle) = (next, handle);
        _writeOffset = _pendingOffset = _active.Length;
    }

    /// <summary>
    /// After a write found no space: cuts every segment the group wrote to back to its published
    /// length (the end of its last whole, acknowledged record) and fsyncs the cut, so no record of
    /// the failed group can come back after a crash. Returns null when done, else what failed
    /// (then the state of the files is unknown and the log stops).
    /// </summary>
    private Exception? CutBack()
    {
        try
        {
            foreach (var segment in _rolledInGroup)
            {
                using var handle = File.OpenHandle(segment.Path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read);
                _options.FileSystem.SetLength(handle, segment.Length);
                FlushOrFault(handle, segment.Path);
            }

            _options.FileSystem.SetLength(_activeHandle, _active.Length);
            FlushOrFault(_activeHandle, _active.Path);
            _pendingWrites.Clear();
            _writeOffset = _pendingOffset = _active.Length;
            _unsynced = false;
            return null;
        }
        catch (Exception error)
        {
            return error;
        }
    }

    /// <summary>Fsyncs, reporting any failure as a plain fsync failure: never as "no space", which would be retried.</summary>
    private void FlushOrFault(SafeFileHandle handle, string path)
    {
        try
        {
            _options.Flush(handle);
        }
        catch (Exception error)
        {
            throw new FsyncFailedException($"fsync of '{path}' failed: {error.Message}", error);
        }
    }

    /// <summary>An fsync failed, whatever its errno said (ENOSPC included): never retried as a full disk.</summary>
    private sealed class FsyncFailedException(string message, Exception cause) : IOException(message, cause);

    private (Segment Segment, SafeFileHandle Handle) CreateSegment(long sequence)
    {
        var path = Path.Combine(_directory, LogRecordFormat.SegmentFileName(sequence));
        var handle = File.OpenHandle(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.Read);
        try
        {
            Span<byte> header = stackalloc byte[LogRecordFormat.SegmentHeaderSize];
            LogRecordFormat.WriteSegmentHeader(header, sequence);
            _options.FileSystem.Write(handle, header, 0);
        }
        catch (Exception error) when (StorageFullException.IsOutOfSpace(error))
        {
            // Never synced, never listed: a segment that did not get its header is simply not there.
            handle.Dispose();
            File.Delete(path);
            throw;
        }
        catch
        {
            handle.Dispose();
            throw;
        }

        try
        {
            FlushOrFault(handle, path);
            Interlocked.Increment(ref _fsyncs);
            DirectorySync.Flush(_directory);
        }
        catch
        {
            handle.Dispose();
            throw;
        }

        var segment = new Segment(sequence, path);
        lock (_lock)
        {
            _segments.Add(segment);
        }

        Interlocked.Increment(ref _segmentsCreated);
        return (segment, handle);
    }

    /// <summary>Makes the group's records visible to readers and to <see cref="FirstIndex"/>/<see cref="LastIndex"/>.</summary>
    private void Publish()
    {
        long appends = 0, entries = 0;
        lock (_lock)
        {
            foreach (var request in _group)
            {
                if (request.Kind != RequestKind.Append)
                {
                    continue;
                }

                var batch = request.Batch;
                request.Segment!.Publish(request.Offset, batch.Length, batch.EntryCount, batch.FirstIndex, batch.MinIndex, batch.MaxIndex, batch.Ascending);
                _lastIndex = Math.Max(_lastIndex, batch.MaxIndex);
                appends++;
                entries += batch.EntryCount;
            }
        }

        Interlocked.Add(ref _appends, appends);
        Interlocked.Add(ref _entries, entries);
    }

    private void DeleteThrough(AppendRequest request)
    {
        var deleted = request.Deleted!;
        var snapshotIndex = request.DeleteThroughIndex;
        request.Recycle();
        try
        {
            var doomed = new List<Segment>();
            long entries = 0;
            lock (_lock)
            {
                foreach (var segment in _segments)
                {
                    // MaxIndex covers every record in the segment, re-stamps too: a segment holding any
                    // acceptance above the snapshot stays, or recovery could resurrect an older one.
                    if (segment != _active && (segment.RecordCount == 0 || segment.MaxIndex <= snapshotIndex))
                    {
                        doomed.Add(segment);
                        entries += segment.RecordCount;
                    }
                }

                _segments.RemoveAll(doomed.Contains);
            }

            foreach (var segment in doomed)
            {
                File.Delete(segment.Path);
            }

            if (doomed.Count > 0)
            {
                DirectorySync.Flush(_directory);
            }

            deleted.SetResult(entries);
        }
        catch (Exception error)
        {
            // A failed delete leaves an extra file that the next snapshot deletes: no reason to stop appends.
            deleted.SetException(error);
        }
    }

    private void FailGroup(Exception error, bool deleteAnyway = false)
    {
        foreach (var request in _group)
        {
            switch (request.Kind)
            {
                case RequestKind.Append:
                    ReturnBuffer(request);
                    request.Fail(error);
                    break;
                case RequestKind.Sync:
                    request.Fail(error);
                    break;
                case RequestKind.DeleteThrough when deleteAnyway:
                    DeleteThrough(request);
                    break;
                case RequestKind.DeleteThrough:
                    var deleted = request.Deleted!;
                    request.Recycle();
                    deleted.SetException(error);
                    break;
                default:
                    request.Recycle();
                    break;
            }
        }
    }

    private static void ReturnBuffer(AppendRequest request)
    {
        var buffer = request.Batch.Buffer;
        if (buffer is { Length: > 0 })
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static IOException Refusal(Exception cause) =>
        new("The write-ahead log failed to write or fsync and refuses further appends: after a failed fsync the state of the file is unknown. Restart the node to recover from what is on disk.", cause);

    private long FirstIndexLocked()
    {
        var first = 0L;
        foreach (var segment in _segments)
        {
            if (segment.RecordCount > 0 && (first == 0 || segment.MinIndex < first))
            {
                first = segment.MinIndex;
            }
        }

        return first;
    }

    /// <summary>
    /// Decides under the lock what a catch-up read must open: every segment holding a record in
    /// [index, index + count), in file order, since a slot re-stamped by a newer leader sits in a
    /// later segment than its first record. <paramref name="count"/> is the entries the log must
    /// hold for the read (up to <paramref name="maxEntries"/>, never past <see cref="LastIndex"/>).
    /// Null with <paramref name="immediate"/> when the answer needs no file: nothing that new yet,
    /// or already compacted into a snapshot.
    /// </summary>
    private List<ReadRange>? PlanRead(long index, int maxEntries, out int count, out LogReadResult immediate)
    {
        lock (_lock)
        {
            immediate = LogReadResult.Empty;
            count = 0;
            if (index > _lastIndex)
            {
                return null;
            }

            var first = FirstIndexLocked();
            if (first == 0 || index < first)
            {
                immediate = LogReadResult.NeedsSnapshot;
                return null;
            }

            count = (int)Math.Min(maxEntries, _lastIndex - index + 1);
            var end = index + count;
            var plan = new List<ReadRange>();
            foreach (var segment in _segments)
            {
                if (segment.RecordCount > 0 && segment.MaxIndex >= index && segment.MinIndex < end)
                {
                    plan.Add(new ReadRange(segment.Path, segment.SeekOffset(index), segment.Length, segment.Ascending, segment.FormatVersion));
                }
            }

            return plan;
        }
    }
}
