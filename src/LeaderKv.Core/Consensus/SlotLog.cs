namespace LeaderKv.Core.Consensus;

/// <summary>
/// The slots a replica holds above its compaction point: per index, the latest entry it accepted
/// (with the term it accepted it in). A follower may hold slots with holes between them (entries
/// arrive in any order); a leader's log has none above its applied index once it has recovered.
/// Slots at or below <see cref="CompactedThrough"/> live only in the table.
/// </summary>
public sealed class SlotLog
{
    private readonly Dictionary<long, LogEntry> _slots = [];

    /// <summary>Everything at or below this index was dropped from memory; it is applied and in the table.</summary>
    public long CompactedThrough { get; private set; }

    /// <summary>Highest index held, or <see cref="CompactedThrough"/> when none is held above it.</summary>
    public long LastIndex { get; private set; }

    public int Count => _slots.Count;

    public bool TryGet(long index, out LogEntry entry) => _slots.TryGetValue(index, out entry!);

    /// <summary>
    /// Stores <paramref name="entry"/> as accepted in its <see cref="LogEntry.Term"/>, replacing what
    /// the slot held. A slot's accepted term never goes down; the same term with another value
    /// would mean two leaders proposed in one term.
    /// </summary>
    public void Accept(LogEntry entry)
    {
        Invariant.Check(entry.Index > CompactedThrough, $"slot {entry.Index} accepted at or below the compaction point {CompactedThrough}");
        if (_slots.TryGetValue(entry.Index, out var held))
        {
            Invariant.Check(entry.Term >= held.Term, $"slot {entry.Index}: accepted term would go down from {held.Term} to {entry.Term}");
            Invariant.Check(
                entry.Term != held.Term || SameValue(entry, held),
                $"slot {entry.Index}: two different values accepted in term {entry.Term}");
        }

        _slots[entry.Index] = entry;
        LastIndex = Math.Max(LastIndex, entry.Index);
    }

    /// <summary>Held slots in (<paramref name="after"/>, <see cref="LastIndex"/>], in index order.</summary>
    public List<LogEntry> HeldAbove(long after)
    {
        var held = new List<LogEntry>();
        for (var index = Math.Max(after, CompactedThrough) + 1; index <= LastIndex; index++)
        {
            if (_slots.TryGetValue(index, out var entry))
            {
                held.Add(entry);
            }
        }

        return held;
    }

    /// <summary>Drops every slot at or below <paramref name="index"/>.</summary>
    public void CompactThrough(long index)
    {
        if (index <= CompactedThrough)
        {
            return;
        }

        for (var i = CompactedThrough + 1; i <= index; i++)
        {
            _slots.Remove(i);
        }

        CompactedThrough = index;
        LastIndex = Math.Max(LastIndex, index);
    }

    /// <summary>Drops every slot at or above <paramref name="index"/> (a leader's proposals it could not log).</summary>
    public void TruncateFrom(long index)
    {
        Invariant.Check(index > CompactedThrough, $"truncating from {index}, at or below the compaction point {CompactedThrough}");
        for (var i = index; i <= LastIndex; i++)
        {
            _slots.Remove(i);
        }

        LastIndex = Math.Min(LastIndex, index - 1);
        while (LastIndex > CompactedThrough && !_slots.ContainsKey(LastIndex))
        {
            LastIndex--;
        }
    }

    /// <summary>Forgets everything and starts after a snapshot at <paramref name="index"/>; slots above it are kept.</summary>
    public void ResetTo(long index)
    {
        foreach (var stale in _slots.Keys.Where(i => i <= index).ToList())
        {
            _slots.Remove(stale);
        }

        CompactedThrough = Math.Max(CompactedThrough, index);
        LastIndex = Math.Max(LastIndex, CompactedThrough);
    }

    public static bool SameValue(LogEntry a, LogEntry b) => a.SameWrite(b);
}
