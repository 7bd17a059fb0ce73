namespace LeaderKv.Core;

/// <summary>
/// The newest part of the leader's history in memory: entries with contiguous indexes from
/// <see cref="FirstIndex"/> to <see cref="LastIndex"/>. It holds at most <see cref="Capacity"/>
/// entries (like Redis' replication backlog): appending to a full log drops the oldest entry, so
/// memory stays bounded however long the leader runs. Older entries live only in the write-ahead
/// log (or, without one, only in the table, which is what snapshot transfer sends).
/// </summary>
public sealed class ReplicationLog
{
    private const int InitialSlots = 16;

    private LogEntry[] _ring = new LogEntry[InitialSlots];
    private int _head;
    private int _count;
    private long _firstIndex = 1;

    public ReplicationLog(int capacity = int.MaxValue)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
    }

    /// <summary>Most entries held at once.</summary>
    public int Capacity { get; }

    /// <summary>Entries held now.</summary>
    public int Count => _count;

    /// <summary>Index of the oldest entry still held; entries below it were dropped to respect <see cref="Capacity"/>.</summary>
    public long FirstIndex => _firstIndex;

    /// <summary>Index of the newest entry, or <see cref="FirstIndex"/> − 1 when empty.</summary>
    public long LastIndex => _firstIndex + _count - 1;

    public LogEntry Append(long term, string key, ReadOnlyMemory<byte> value)
    {
        var entry = new LogEntry(LastIndex + 1, term, key, value);
        Add(entry);
        return entry;
    }

    /// <summary>Adds an entry recovered from durable storage; it must follow the last one exactly.</summary>
    public void Restore(LogEntry entry)
    {
        if (_count == 0 && entry.Index != LastIndex + 1)
        {
            _firstIndex = entry.Index;
        }

        Invariant.Check(entry.Index == LastIndex + 1, $"log restore out of order: got {entry.Index}, expected {LastIndex + 1}");
        Add(entry);
    }

    /// <summary>Starts an empty log whose next entry will carry <paramref name="nextIndex"/>.</summary>
    public void ResetTo(long nextIndex)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(nextIndex, 1);
        Array.Clear(_ring);
        _head = 0;
        _count = 0;
        _firstIndex = nextIndex;
    }

    public bool Contains(long index) => index >= _firstIndex && index <= LastIndex;

    public LogEntry Get(long index)
    {
        Invariant.Check(Contains(index), $"index {index} is outside the log [{_firstIndex}, {LastIndex}]");
        return _ring[Slot(index - _firstIndex)];
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

    private void Add(LogEntry entry)
    {
        if (_count == Capacity)
        {
            // Full: the oldest entry makes room. Catch-up past this point reads storage or sends a snapshot.
            _ring[_head] = null!;
            _head = (_head + 1) % _ring.Length;
            _count--;
            _firstIndex++;
        }
        else if (_count == _ring.Length)
        {
            Grow();
        }

        _ring[Slot(_count)] = entry;
        _count++;
    }

    private void Grow()
    {
        var size = (int)Math.Min(Math.Min((long)_ring.Length * 2, Capacity), Array.MaxLength);
        var grown = new LogEntry[size];
        for (var i = 0; i < _count; i++)
        {
            grown[i] = _ring[Slot(i)];
        }

        _ring = grown;
        _head = 0;
    }

    private int Slot(long offset) => (int)((_head + offset) % _ring.Length);
}
