namespace LeaderKv.Node.Watch;

/// <summary>
/// The recent applied changes, in index order, in a fixed ring: memory is bounded by its capacity
/// whatever the write rate or the number of watchers. <see cref="Horizon"/> says where history
/// starts: a watcher positioned below it missed changes that are gone. Not thread-safe: <see cref="WatchHub"/> locks.
/// </summary>
internal sealed class WatchHistory(int capacity)
{
    private readonly WatchChange[] _ring = new WatchChange[capacity];
    private int _start;
    private int _count;

    /// <summary>Every change above this index is still here (it is the index of the last change dropped, or where history began).</summary>
    public long Horizon { get; private set; }

    /// <summary>The applied index published last (no-ops included, though they are not kept).</summary>
    public long Newest { get; private set; }

    /// <summary>Forgets everything: history starts again after <paramref name="index"/> (node start, an installed snapshot).</summary>
    public void Reset(long index)
    {
        Array.Clear(_ring);
        _start = 0;
        _count = 0;
        Horizon = index;
        Newest = index;
    }

    public void Add(WatchChange change)
    {
        if (_count == _ring.Length)
        {
            Horizon = _ring[_start].Index;
            _ring[_start] = null!;
            _start = (_start + 1) % _ring.Length;
            _count--;
        }

        _ring[(_start + _count) % _ring.Length] = change;
        _count++;
        Newest = Math.Max(Newest, change.Index);
    }

    public void Advance(long index) => Newest = Math.Max(Newest, index);

    /// <summary>Changes with an index above <paramref name="after"/>.</summary>
    public int CountAfter(long after) => _count - FirstAfter(after);

    /// <summary>
    /// Appends to <paramref name="into"/> up to <paramref name="max"/> changes above <paramref name="after"/>
    /// whose key starts with <paramref name="prefix"/>, and returns the position to continue from: the
    /// last change looked at, or <see cref="Newest"/> when none is left (so no-ops and other keys are passed over).
    /// </summary>
    public long Read(long after, string prefix, int max, List<WatchChange> into)
    {
        for (var i = FirstAfter(after); i < _count; i++)
        {
            var change = _ring[(_start + i) % _ring.Length];
            if (change.Key.StartsWith(prefix, StringComparison.Ordinal))
            {
                if (into.Count >= max)
                {
                    return change.Index - 1;
                }

                into.Add(change);
            }
        }

        return Math.Max(after, Newest);
    }

    /// <summary>Position (0 = oldest) of the first change above <paramref name="after"/>: a binary search, the ring being in index order.</summary>
    private int FirstAfter(long after)
    {
        int low = 0, high = _count;
        while (low < high)
        {
            var middle = (low + high) / 2;
            if (_ring[(_start + middle) % _ring.Length].Index <= after)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        return low;
    }
}
