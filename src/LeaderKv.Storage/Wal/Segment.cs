using LeaderKv.Core;

namespace LeaderKv.Storage.Wal;

/// <summary>
/// In-memory description of one segment file. Only the writer loop changes it, always under
/// the log's lock and only after the bytes it describes are as durable as the policy promises,
/// so a reader that copies it under the lock sees exactly the completed appends.
/// </summary>
internal sealed class Segment(long sequence, string path)
{
    /// <summary>
    /// Distance between checkpoints. A catch-up read seeks to the nearest checkpoint at or below
    /// its index, so it skips over at most about this many bytes; a 64 MiB segment keeps only
    /// ~64 checkpoints in memory.
    /// </summary>
    public const long CheckpointSpacingBytes = 1024 * 1024;

    public long Sequence { get; } = sequence;

    public string Path { get; } = path;

    /// <summary>Bytes of the header plus every published record.</summary>
    public long Length { get; set; } = LogRecordFormat.SegmentHeaderSize;

    public long RecordCount { get; set; }

    /// <summary>Index of the first record in file order (0 if none): the key of the index → segment lookup in a contiguous log.</summary>
    public long FirstIndex { get; set; }

    public long MinIndex { get; set; }

    public long MaxIndex { get; set; }

    /// <summary>(index, file offset) of the record starting there; ordered by offset. Meaningful for a contiguous log only.</summary>
    public List<(long Index, long Offset)> Checkpoints { get; } = [];

    /// <summary>Records that a run of records starting at <paramref name="offset"/> was published.</summary>
    public void Publish(long offset, int length, int count, long firstIndex, long minIndex, long maxIndex)
    {
        Invariant.Check(offset == Length, $"segment {Sequence}: records published out of file order");
        Invariant.Check(count > 0 && minIndex > 0 && minIndex <= maxIndex, $"segment {Sequence}: bad index range published");
        if (RecordCount == 0)
        {
            FirstIndex = firstIndex;
            MinIndex = minIndex;
            MaxIndex = maxIndex;
        }
        else
        {
            MinIndex = Math.Min(MinIndex, minIndex);
            MaxIndex = Math.Max(MaxIndex, maxIndex);
        }

        if (Checkpoints.Count == 0 || offset - Checkpoints[^1].Offset >= CheckpointSpacingBytes)
        {
            Checkpoints.Add((firstIndex, offset));
        }

        RecordCount += count;
        Length = offset + length;
    }

    /// <summary>Offset of the last checkpoint whose index is ≤ <paramref name="index"/>, assuming records are in index order.</summary>
    public long SeekOffset(long index)
    {
        var low = 0;
        var high = Checkpoints.Count - 1;
        long found = LogRecordFormat.SegmentHeaderSize;
        while (low <= high)
        {
            var middle = low + ((high - low) / 2);
            if (Checkpoints[middle].Index <= index)
            {
                found = Checkpoints[middle].Offset;
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }

        return found;
    }
}
