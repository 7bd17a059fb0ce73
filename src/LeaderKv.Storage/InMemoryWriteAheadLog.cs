using LeaderKv.Core;

namespace LeaderKv.Storage;

/// <summary>
/// The log of a node without a data directory (the seed's behaviour): the same contract as the
/// file log, nothing survives the process. Also the fake to use in node tests that do not
/// exercise the disk. Entries are kept in append order, so out-of-order and repeated appends
/// are kept as given, exactly as the file log keeps them.
/// </summary>
public sealed class InMemoryWriteAheadLog : IWriteAheadLog
{
    private readonly Lock _lock = new();
    private readonly List<LogEntry> _entries = [];
    private long _firstIndex;
    private long _lastIndex;
    private long _appends;
    private long _entryCount;

    /// <inheritdoc />
    public long FirstIndex
    {
        get
        {
            lock (_lock)
            {
                return _firstIndex;
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

    /// <inheritdoc />
    public WriteAheadLogStats Stats
    {
        get
        {
            lock (_lock)
            {
                return new WriteAheadLogStats(_appends, _entryCount, 0, 0, 0, 0);
            }
        }
    }

    /// <summary>Every retained entry in append order: what a file log would hand recovery.</summary>
    public IReadOnlyList<LogEntry> Entries
    {
        get
        {
            lock (_lock)
            {
                return [.. _entries];
            }
        }
    }

    /// <inheritdoc />
    public ValueTask AppendAsync(IReadOnlyList<LogEntry> entries, CancellationToken token)
    {
        ArgumentNullException.ThrowIfNull(entries);
        token.ThrowIfCancellationRequested();
        if (entries.Count == 0)
        {
            return ValueTask.CompletedTask;
        }

        // Same validation as the file log, so a node tested against this fake fails the same way.
        ArgumentOutOfRangeException.ThrowIfGreaterThan(entries.Count, StorageLimits.MaxEntriesPerAppend, nameof(entries));
        foreach (var entry in entries)
        {
            ArgumentNullException.ThrowIfNull(entry);
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(entry.Index, "entry.Index");
            ArgumentOutOfRangeException.ThrowIfGreaterThan(System.Text.Encoding.UTF8.GetByteCount(entry.Key), StorageLimits.MaxKeyBytes, "entry.Key");
            ArgumentOutOfRangeException.ThrowIfGreaterThan(entry.Value.Length, StorageLimits.MaxValueBytes, "entry.Value");
        }

        lock (_lock)
        {
            foreach (var entry in entries)
            {
                // Copy the value: the caller may reuse its buffer once the append completes, as with the file log.
                _entries.Add(entry with { Value = entry.Value.ToArray() });
                _lastIndex = Math.Max(_lastIndex, entry.Index);
                _firstIndex = _firstIndex == 0 ? entry.Index : Math.Min(_firstIndex, entry.Index);
            }

            _appends++;
            _entryCount += entries.Count;
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask SyncAsync(CancellationToken token)
    {
        token.ThrowIfCancellationRequested();
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<LogReadResult> ReadFromAsync(long index, int maxEntries, CancellationToken token)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(index);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxEntries);
        token.ThrowIfCancellationRequested();
        lock (_lock)
        {
            if (index > _lastIndex)
            {
                return ValueTask.FromResult(LogReadResult.Empty);
            }

            if (_firstIndex == 0 || index < _firstIndex)
            {
                return ValueTask.FromResult(LogReadResult.NeedsSnapshot);
            }

            // Contiguous log: entry i sits at position i - first, checked on every entry returned.
            var offset = index - _entries[0].Index;
            if (offset < 0 || offset >= _entries.Count)
            {
                throw new StorageCorruptionException($"Catch-up read of index {index} found no such position: ReadFromAsync assumes a contiguous log (a leader's).");
            }

            var start = (int)offset;
            var count = (int)Math.Min(maxEntries, _entries.Count - (long)start);
            var result = new List<LogEntry>(count);
            for (var i = 0; i < count; i++)
            {
                var entry = _entries[start + i];
                if (entry.Index != index + i)
                {
                    throw new StorageCorruptionException($"Catch-up read expected index {index + i} but found {entry.Index}: ReadFromAsync assumes a contiguous log (a leader's).");
                }

                result.Add(entry);
            }

            return ValueTask.FromResult(new LogReadResult(result, Compacted: false));
        }
    }

    /// <inheritdoc />
    public ValueTask<long> DeleteThroughAsync(long snapshotIndex, CancellationToken token)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(snapshotIndex);
        token.ThrowIfCancellationRequested();
        lock (_lock)
        {
            var removed = _entries.RemoveAll(entry => entry.Index <= snapshotIndex);
            _firstIndex = 0;
            foreach (var entry in _entries)
            {
                _firstIndex = _firstIndex == 0 ? entry.Index : Math.Min(_firstIndex, entry.Index);
            }

            return ValueTask.FromResult((long)removed);
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
