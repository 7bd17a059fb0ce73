using LeaderKv.Core;

namespace LeaderKv.Storage.Wal;

/// <summary>
/// A byte range of one segment to read: from a checkpoint (or the header's end) to the published
/// length. <paramref name="Ascending"/> when the segment's records are in strictly increasing index
/// order, so the read may stop at the first record past its window.
/// </summary>
internal readonly record struct ReadRange(string Path, long Start, long End, bool Ascending, ushort Version);

/// <summary>
/// Reads entries back for catch-up from a leader's log, which holds every index from its first
/// to its last, but not necessarily in file order: after an election the new leader logs the
/// slots it re-proposes again, in its own term. So every planned segment is read, the record
/// logged last for each index in the window wins, and the window must come out whole. A missing
/// index, or a term that goes down for one, means the log is not what a leader writes, and
/// resending it would hand a follower a wrong history, so it throws instead. This is the pair of
/// the checks recovery makes.
/// </summary>
internal static class ContiguousLogReader
{
    /// <summary>Entries <paramref name="index"/> .. <paramref name="index"/> + <paramref name="count"/> - 1, latest record of each.</summary>
    public static List<LogEntry> Read(List<ReadRange> plan, long index, int count, CancellationToken token)
    {
        var window = new LogEntry?[count];
        var end = index + count;
        foreach (var range in plan)
        {
            token.ThrowIfCancellationRequested();
            using var handle = SegmentReader.OpenForRead(range.Path);
            using var reader = new SegmentReader(handle, range.Start, range.End, range.Version);
            while (true)
            {
                var offset = reader.Position;
                var status = reader.Next(out var entry);
                if (status == RecordStatus.End)
                {
                    break;
                }

                if (status != RecordStatus.Record)
                {
                    throw new StorageCorruptionException(
                        $"Segment '{range.Path}' is damaged at byte {offset} ({reader.Problem}) in a range that was written and acknowledged; it cannot be resent.",
                        range.Path,
                        offset);
                }

                if (entry!.Index >= end && range.Ascending)
                {
                    break;
                }

                if (entry.Index < index || entry.Index >= end)
                {
                    continue;
                }

                var slot = (int)(entry.Index - index);
                if (window[slot] is { } earlier && entry.Term < earlier.Term)
                {
                    throw new StorageCorruptionException(
                        $"Catch-up read found index {entry.Index} accepted in term {entry.Term} at byte {offset} of '{range.Path}', " +
                        $"after an earlier record accepted it in term {earlier.Term}; accepted terms of a slot never go down.",
                        range.Path,
                        offset);
                }

                window[slot] = entry;
            }
        }

        var entries = new List<LogEntry>(count);
        for (var i = 0; i < count; i++)
        {
            entries.Add(window[i] ?? throw NotContiguous(plan.Count > 0 ? plan[0].Path : "(no segment)", index + i));
        }

        return entries;
    }

    private static StorageCorruptionException NotContiguous(string path, long missing) =>
        new(
            $"Catch-up read found no record for index {missing} (searched from '{path}' on). " +
            "ReadFromAsync assumes a log holding every index from its first to its last (a leader's); this one has a gap.",
            path);
}
