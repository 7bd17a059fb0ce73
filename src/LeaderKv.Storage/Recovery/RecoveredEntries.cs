using LeaderKv.Core;

namespace LeaderKv.Storage.Recovery;

/// <summary>
/// Collects log records during the recovery scan into what the node replays: entries above the
/// snapshot, one per index, sorted by index.
/// <para>
/// A record's term is the term the node accepted the entry in. A new leader re-proposes the
/// slots it recovered, so the same index is logged again with a higher accepted term, sometimes
/// with another value; a repeated delivery logs it again with the same term and value. Either
/// way the record written last is the node's current acceptance and wins. Accepted terms of a
/// slot never go down, and one term never holds two values for a slot, so a later record with a
/// lower term, or with the same term and another value, is not something a correct node writes:
/// recovery refuses it as corruption rather than guess which record is right.
/// </para>
/// <para>
/// A leader's log written in one term is already in index order, which is detected so that the
/// common case costs no dictionary and no sort; once an index repeats or goes backwards, a
/// dictionary maps each index to its one entry (memory stays one entry per index, not per record).
/// </para>
/// </summary>
internal sealed class RecoveredEntries(long snapshotIndex)
{
    private readonly List<LogEntry> _entries = [];
    private Dictionary<long, int>? _positionByIndex;

    public long CoveredBySnapshot { get; private set; }

    /// <summary>Records replaced by a later record for the same index (re-stamps and repeated deliveries).</summary>
    public long Superseded { get; private set; }

    /// <summary>Of <see cref="Superseded"/>, those whose later record carried another key or value (always in a higher term).</summary>
    public long ValuesReplaced { get; private set; }

    public long HighestIndex { get; private set; }

    /// <summary>Takes the next record in log order; <paramref name="segmentPath"/> and <paramref name="offset"/> locate it for error messages.</summary>
    public void Add(LogEntry entry, string segmentPath, long offset)
    {
        HighestIndex = Math.Max(HighestIndex, entry.Index);
        if (entry.Index <= snapshotIndex)
        {
            // The snapshot holds the outcome of these slots; which record came last no longer matters.
            CoveredBySnapshot++;
            return;
        }

        if (_positionByIndex is null)
        {
            if (_entries.Count == 0 || entry.Index > _entries[^1].Index)
            {
                _entries.Add(entry);
                return;
            }

            _positionByIndex = new Dictionary<long, int>(_entries.Count * 2);
            for (var i = 0; i < _entries.Count; i++)
            {
                _positionByIndex.Add(_entries[i].Index, i);
            }
        }

        if (!_positionByIndex.TryGetValue(entry.Index, out var position))
        {
            _positionByIndex.Add(entry.Index, _entries.Count);
            _entries.Add(entry);
            return;
        }

        var earlier = _entries[position];
        var sameContent = SameContent(earlier, entry);
        if (entry.Term < earlier.Term || (entry.Term == earlier.Term && !sameContent))
        {
            throw Conflict(earlier, entry, segmentPath, offset);
        }

        Superseded++;
        if (!sameContent)
        {
            ValuesReplaced++;
        }

        _entries[position] = entry;
    }

    /// <summary>One entry per index, the last one logged, sorted by index.</summary>
    public List<LogEntry> Finish()
    {
        if (_positionByIndex is not null)
        {
            _entries.Sort((a, b) => a.Index.CompareTo(b.Index));
            _positionByIndex = null;
        }

        return _entries;
    }

    private static bool SameContent(LogEntry a, LogEntry b) =>
        string.Equals(a.Key, b.Key, StringComparison.Ordinal) && a.Value.Span.SequenceEqual(b.Value.Span);

    private static StorageCorruptionException Conflict(LogEntry earlier, LogEntry later, string path, long offset)
    {
        var what = later.Term < earlier.Term
            ? $"accepted in term {later.Term} after an earlier record accepted it in term {earlier.Term}; accepted terms of a slot never go down"
            : $"accepted twice in term {later.Term} with different values; one term never holds two values for a slot";
        return new StorageCorruptionException(
            $"Write-ahead log record at byte {offset} of '{path}' holds index {later.Index} {what}. " +
            "A correct node never writes this, so the log is damaged or was written by a bug (or by a version before terms changed hands). " +
            "Refusing to guess which record is this node's acceptance: restore the data directory, or wipe it and let the node rejoin as tainted.",
            path,
            offset);
    }
}
