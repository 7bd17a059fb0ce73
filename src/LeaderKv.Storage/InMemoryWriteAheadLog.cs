using LeaderKv.Core;

namespace LeaderKv.Storage;

/// <summary>
/// The log of a node without a data directory (the seed's behaviour): the same contract as the
/// file log, nothing survives the process. Also the fake to use in node tests that do not
/// exercise the disk. Entries are kept in append order, so out-of-order and repeated appends
/// are kept as given, exactly as the file log keeps them, and a read returns the entry appended
/// last for each index, as the file log's does.
/// </summary>
public sealed class InMemoryWriteAheadLog : IWriteAheadLog
{
    private readonly Lock _lock = new();
    private readonly List<LogEntry> _entries = [];
    private long _firstIndex;
    private long _lastIndex;

    /// <summary>Every index above the one appended before it: then position = index - first, as in a leader's log of one term.</summary>
    private bool _ascending = true;
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
                _ascending &= _entries.Count == 0 || entry.Index > _entries[^1].Index;
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

            var count = (int)Math.Min(maxEntries, _lastIndex - index + 1);
            return ValueTask.FromResult(new LogReadResult(_ascending ? ReadAscending(index, count) : ReadLatest(index, count), Compacted: false));
        }
    }

    /// <summary>A log in index order: entry i sits at position i - first, checked on every entry returned.</summary>
    private List<LogEntry> ReadAscending(long index, int count)
    {
        var start = index - _entries[0].Index;
        var result = new List<LogEntry>(count);
        for (var i = 0; i < count; i++)
        {
            var position = start + i;
            if (position >= _entries.Count || _entries[(int)position].Index != index + i)
            {
                throw Gap(index + i);
            }

            result.Add(_entries[(int)position]);
        }

        return result;
    }

    /// <summary>A log with re-stamps or disorder: the entry appended last for each index, as the file log reads it.</summary>
    private List<LogEntry> ReadLatest(long index, int count)
    {
        var window = new LogEntry?[count];
        foreach (var entry in _entries)
        {
            if (entry.Index < index || entry.Index >= index + count)
            {
                continue;
            }

            var slot = (int)(entry.Index - index);
            if (window[slot] is { } earlier && entry.Term < earlier.Term)
            {
                throw new StorageCorruptionException(
                    $"Catch-up read found index {entry.Index} accepted in term {entry.Term} after term {earlier.Term}; accepted terms of a slot never go down.");
            }

            window[slot] = entry;
        }

        var result = new List<LogEntry>(count);
        for (var i = 0; i < count; i++)
        {
            result.Add(window[i] ?? throw Gap(index + i));
        }

        return result;
    }

    private static StorageCorruptionException Gap(long missing) =>
        new($"Catch-up read found no entry for index {missing}: ReadFromAsync assumes a log holding every index from its first to its last (a leader's).");

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
