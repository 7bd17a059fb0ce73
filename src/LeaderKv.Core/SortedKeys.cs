namespace LeaderKv.Core;

/// <summary>
/// The table's keys in ordinal order, for listing: sorted chunks of at most <see cref="MaxChunk"/>
/// keys (the shape of Python's sortedcontainers), so finding where a page starts is two binary
/// searches, a page of k keys costs O(k), and adding or removing a key moves at most one chunk's
/// worth of references (plus, rarely, the chunk list) instead of a million-entry array.
/// </summary>
public sealed class SortedKeys
{
    /// <summary>Chunk size: big enough that the chunk list stays short, small enough that an insert's copy is cheap.</summary>
    private const int MaxChunk = 512;

    private readonly List<List<string>> _chunks = [];

    public SortedKeys(IEnumerable<string> keys)
    {
        var sorted = keys.ToArray();
        Array.Sort(sorted, StringComparer.Ordinal);
        for (var start = 0; start < sorted.Length; start += MaxChunk / 2)
        {
            _chunks.Add([.. sorted.AsSpan(start, Math.Min(MaxChunk / 2, sorted.Length - start))]);
        }

        Count = sorted.Length;
    }

    public int Count { get; private set; }

    public void Add(string key)
    {
        if (_chunks.Count == 0)
        {
            _chunks.Add([key]);
            Count = 1;
            return;
        }

        var index = ChunkFor(key);
        var chunk = _chunks[index];
        var at = chunk.BinarySearch(key, StringComparer.Ordinal);
        if (at >= 0)
        {
            return;
        }

        chunk.Insert(~at, key);
        Count++;
        if (chunk.Count > MaxChunk)
        {
            var half = chunk.GetRange(MaxChunk / 2, chunk.Count - MaxChunk / 2);
            chunk.RemoveRange(MaxChunk / 2, half.Count);
            _chunks.Insert(index + 1, half);
        }
    }

    public void Remove(string key)
    {
        if (_chunks.Count == 0)
        {
            return;
        }

        var index = ChunkFor(key);
        var chunk = _chunks[index];
        var at = chunk.BinarySearch(key, StringComparer.Ordinal);
        if (at < 0)
        {
            return;
        }

        chunk.RemoveAt(at);
        Count--;
        if (chunk.Count == 0)
        {
            _chunks.RemoveAt(index);
        }
    }

    /// <summary>Keys strictly after <paramref name="key"/> (every key when null), in order.</summary>
    public IEnumerable<string> After(string? key) => Walk(key, inclusive: false);

    /// <summary>Keys at or after <paramref name="key"/>, in order.</summary>
    public IEnumerable<string> From(string key) => Walk(key, inclusive: true);

    private IEnumerable<string> Walk(string? key, bool inclusive)
    {
        if (_chunks.Count == 0)
        {
            yield break;
        }

        var chunkIndex = key is null ? 0 : ChunkFor(key);
        var position = 0;
        if (key is not null)
        {
            var at = _chunks[chunkIndex].BinarySearch(key, StringComparer.Ordinal);
            position = at >= 0 ? (inclusive ? at : at + 1) : ~at;
        }

        for (; chunkIndex < _chunks.Count; chunkIndex++, position = 0)
        {
            var chunk = _chunks[chunkIndex];
            for (; position < chunk.Count; position++)
            {
                yield return chunk[position];
            }
        }
    }

    /// <summary>The chunk that holds <paramref name="key"/> or would: the last whose first key is ≤ it (the first chunk when none is).</summary>
    private int ChunkFor(string key)
    {
        int low = 0, high = _chunks.Count - 1;
        while (low < high)
        {
            var middle = (low + high + 1) / 2;
            if (string.CompareOrdinal(_chunks[middle][0], key) <= 0)
            {
                low = middle;
            }
            else
            {
                high = middle - 1;
            }
        }

        return low;
    }
}
