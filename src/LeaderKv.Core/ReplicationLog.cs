namespace LeaderKv.Core;

/// <summary>
/// The leader's history in memory: entries with contiguous indexes starting after
/// <see cref="FirstIndex"/> − 1. Followers that miss entries are sent them again from here.
/// </summary>
public sealed class ReplicationLog
{
    private readonly List<LogEntry> _entries = [];
    private long _firstIndex = 1;

    /// <summary>Index of the oldest entry still held (the log may later drop a prefix covered by a snapshot).</summary>
    public long FirstIndex => _firstIndex;

    /// <summary>Index of the newest entry, or <see cref="FirstIndex"/> − 1 when empty.</summary>
    public long LastIndex => _firstIndex + _entries.Count - 1;

    public LogEntry Append(long term, string key, ReadOnlyMemory<byte> value)
    {
        var entry = new LogEntry(LastIndex + 1, term, key, value);
        _entries.Add(entry);
        return entry;
    }

    /// <summary>Adds an entry recovered from durable storage; it must follow the last one exactly.</summary>
    public void Restore(LogEntry entry)
    {
        if (_entries.Count == 0 && entry.Index != LastIndex + 1)
        {
            _firstIndex = entry.Index;
        }

        Invariant.Check(entry.Index == LastIndex + 1, $"log restore out of order: got {entry.Index}, expected {LastIndex + 1}");
        _entries.Add(entry);
    }

    /// <summary>Starts an empty log whose next entry will carry <paramref name="nextIndex"/>.</summary>
    public void ResetTo(long nextIndex)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(nextIndex, 1);
        _entries.Clear();
        _firstIndex = nextIndex;
    }

    public bool Contains(long index) => index >= _firstIndex && index <= LastIndex;

    public LogEntry Get(long index)
    {
        Invariant.Check(Contains(index), $"index {index} is outside the log [{_firstIndex}, {LastIndex}]");
        return _entries[(int)(index - _firstIndex)];
    }

    /// <summary>Copies up to <paramref name="maxEntries"/> entries from <paramref name="fromIndex"/> on, stopping early at <paramref name="maxBytes"/>.</summary>
    public IReadOnlyList<LogEntry> Read(long fromIndex, int maxEntries, int maxBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxEntries, 1);
        if (!Contains(fromIndex))
        {
            return [];
        }

        var result = new List<LogEntry>(Math.Min(maxEntries, (int)(LastIndex - fromIndex + 1)));
        var bytes = 0;
        for (var index = fromIndex; index <= LastIndex && result.Count < maxEntries; index++)
        {
            var entry = Get(index);
            bytes += entry.ApproximateSize;
            if (result.Count > 0 && bytes > maxBytes)
            {
                break;
            }

            result.Add(entry);
        }

        return result;
    }
}
