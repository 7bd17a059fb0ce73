using LeaderKv.Core;

namespace LeaderKv.Storage.Recovery;

/// <summary>
/// Collects log records during the recovery scan into what the node replays: entries above the
/// snapshot, one per index, sorted by index. A leader's log is already in order, which is
/// detected so that the common case costs no dictionary and no sort.
/// </summary>
internal sealed class RecoveredEntries(long snapshotIndex)
{
    private readonly List<LogEntry> _entries = [];
    private bool _strictlyIncreasing = true;

    public long CoveredBySnapshot { get; private set; }

    public long Duplicates { get; private set; }

    public long Conflicts { get; private set; }

    public long HighestIndex { get; private set; }

    public void Add(LogEntry entry)
    {
        HighestIndex = Math.Max(HighestIndex, entry.Index);
        if (entry.Index <= snapshotIndex)
        {
            CoveredBySnapshot++;
            return;
        }

        if (_entries.Count > 0 && entry.Index <= _entries[^1].Index)
        {
            _strictlyIncreasing = false;
        }

        _entries.Add(entry);
    }

    /// <summary>
    /// One entry per index, sorted. Where an index repeats, the record written last wins: with
    /// one leader the repeats are identical, and once terms change hands a later record is the
    /// one that replaced an earlier, uncommitted one.
    /// </summary>
    public List<LogEntry> Finish()
    {
        if (_strictlyIncreasing)
        {
            return _entries;
        }

        var byIndex = new Dictionary<long, LogEntry>(_entries.Count);
        foreach (var entry in _entries)
        {
            if (byIndex.TryGetValue(entry.Index, out var earlier))
            {
                Duplicates++;
                if (!SameContent(earlier, entry))
                {
                    Conflicts++;
                }
            }

            byIndex[entry.Index] = entry;
        }

        var result = new List<LogEntry>(byIndex.Values);
        result.Sort((a, b) => a.Index.CompareTo(b.Index));
        return result;
    }

    private static bool SameContent(LogEntry a, LogEntry b) =>
        a.Term == b.Term && string.Equals(a.Key, b.Key, StringComparison.Ordinal) && a.Value.Span.SequenceEqual(b.Value.Span);
}
