using System.Text;

namespace LeaderKv.Core;

/// <summary>
/// The store a node serves: key → (raw JSON value, index of the write that set it).
/// Keeping the index lets a replayed or duplicated entry be recognised as old, and lets
/// snapshots say exactly which history they contain. Not thread-safe: its owner serialises access.
/// </summary>
public sealed class KeyValueTable
{
    private readonly Dictionary<string, VersionedValue> _entries = new(StringComparer.Ordinal);

    public int Count => _entries.Count;

    /// <summary>What the table holds, in bytes: every key in UTF-8 plus its value's JSON text (what MAX_DATA_BYTES bounds).</summary>
    public long Bytes { get; private set; }

    public IEnumerable<KeyValuePair<string, VersionedValue>> Entries => _entries;

    public bool TryGet(string key, out VersionedValue value) => _entries.TryGetValue(key, out value);

    /// <summary>Sets the key to the entry's value. Ordering is the caller's job: ordered mode applies by index, arrival-order mode on purpose does not.</summary>
    public void Apply(LogEntry entry)
    {
        if (!entry.IsNoOp)
        {
            Set(entry.Key, new VersionedValue(entry.Value, entry.Index));
        }
    }

    /// <summary>Sets a key to a value recovered from a snapshot, keeping the index of the write that produced it.</summary>
    public void Set(string key, VersionedValue value)
    {
        Bytes += GrowthOf(key, value.Value.Length);
        _entries[key] = value;
    }

    public void Clear()
    {
        _entries.Clear();
        Bytes = 0;
    }

    /// <summary>How many bytes <see cref="Bytes"/> would grow by if <paramref name="key"/> got a value of <paramref name="valueBytes"/> (negative: it shrinks).</summary>
    public long GrowthOf(string key, int valueBytes) =>
        _entries.TryGetValue(key, out var held) ? valueBytes - held.Value.Length : Encoding.UTF8.GetByteCount(key) + valueBytes;
}

/// <summary>A stored value and the index of the write that produced it.</summary>
public readonly record struct VersionedValue(ReadOnlyMemory<byte> Value, long Index);
