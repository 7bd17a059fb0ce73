using LeaderKv.Core;

namespace LeaderKv.Storage.Wal;

/// <summary>A byte range of one segment to read: from a checkpoint (or the header's end) to the published length.</summary>
internal readonly record struct ReadRange(string Path, long Start, long End);

/// <summary>
/// Reads entries back for catch-up from a contiguous log (the leader's). Contiguity is checked
/// as it reads, the pair of the check the leader makes before appending: a gap, a repeat or a
/// step backwards means the log is not what a leader writes, and resending it would hand a
/// follower a wrong history, so it throws instead.
/// </summary>
internal static class ContiguousLogReader
{
    public static List<LogEntry> Read(List<ReadRange> plan, long index, int maxEntries, CancellationToken token)
    {
        var entries = new List<LogEntry>(Math.Min(maxEntries, 1024));
        var expected = index;
        foreach (var range in plan)
        {
            token.ThrowIfCancellationRequested();
            using var handle = SegmentReader.OpenForRead(range.Path);
            using var reader = new SegmentReader(handle, range.Start, range.End);
            while (entries.Count < maxEntries)
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

                if (entries.Count == 0 && entry!.Index < index)
                {
                    continue;
                }

                if (entry!.Index != expected)
                {
                    throw NotContiguous(range.Path, offset, expected, entry.Index);
                }

                entries.Add(entry);
                expected++;
            }

            if (entries.Count == maxEntries)
            {
                break;
            }
        }

        if (entries.Count == 0)
        {
            // The caller checked FirstIndex <= index <= LastIndex; a contiguous log must hold it.
            throw NotContiguous(plan.Count > 0 ? plan[0].Path : "(no segment)", null, expected, null);
        }

        return entries;
    }

    private static StorageCorruptionException NotContiguous(string path, long? offset, long expected, long? found) =>
        new(
            $"Catch-up read expected index {expected} but found {(found is null ? "none" : found.ToString())} in '{path}'. " +
            "ReadFromAsync assumes a contiguous log (a leader's); this log has a gap or is out of order.",
            path,
            offset);
}
