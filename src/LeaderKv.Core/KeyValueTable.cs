namespace LeaderKv.Core;

/// <summary>
/// The store a node serves: key → (raw JSON value, index of the write that set it).
/// Keeping the index lets a replayed or duplicated entry be recognised as old, and lets
/// snapshots say exactly which history they contain. Not thread-safe: its owner serialises access.
/// </summary>
public sealed class KeyValueTable
{
    private readonly Dictionary<string, VersionedValue> _entries = new(StringComparer.Ordinal);

    // Built on the first listing (a table never listed pays nothing), then kept up to date.
    private SortedKeys? _sorted;

    public int Count => _entries.Count;

    public IEnumerable<KeyValuePair<string, VersionedValue>> Entries => _entries;

    public bool TryGet(string key, out VersionedValue value) => _entries.TryGetValue(key, out value);

    /// <summary>Sets the key to the entry's value. Ordering is the caller's job: ordered mode applies by index, arrival-order mode on purpose does not.</summary>
    public void Apply(LogEntry entry)
    {
        if (!entry.IsNoOp)
        {
            _entries[entry.Key] = new VersionedValue(entry.Value, entry.Index);
            _sorted?.Add(entry.Key);
        }
    }

    /// <summary>Sets a key to a value recovered from a snapshot, keeping the index of the write that produced it.</summary>
    public void Set(string key, VersionedValue value)
    {
        _entries[key] = value;
        _sorted?.Add(key);
    }

    public void Clear()
    {
        _entries.Clear();
        _sorted = null;
    }

    /// <summary>
    /// Up to <paramref name="limit"/> entries whose key starts with <paramref name="prefix"/> and sorts
    /// (ordinally) after <paramref name="after"/>, in key order: one page of a listing.
    /// </summary>
    public List<KeyValuePair<string, VersionedValue>> List(string prefix, string? after, int limit)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        _sorted ??= new SortedKeys(_entries.Keys);
        var start = after is not null && string.CompareOrdinal(after, prefix) >= 0 ? after : null;
        var page = new List<KeyValuePair<string, VersionedValue>>(Math.Min(limit, 1024));
        foreach (var key in start is null && prefix.Length > 0 ? _sorted.From(prefix) : _sorted.After(start))
        {
            if (page.Count >= limit || !key.StartsWith(prefix, StringComparison.Ordinal))
            {
                break;
            }

            // A key removed from the table but not from the index is simply not there.
            if (_entries.TryGetValue(key, out var value))
            {
                page.Add(new(key, value));
            }
        }

        return page;
    }
}

/// <summary>A stored value and the index of the write that produced it.</summary>
public readonly record struct VersionedValue(ReadOnlyMemory<byte> Value, long Index);
