using LeaderKv.Core;

namespace LeaderKv.Storage.Wal;

/// <summary>
/// In-memory description of one segment file. Only the writer loop changes it, always under
/// the log's lock and only after the bytes it describes are as durable as the policy promises,
/// so a reader that copies it under the lock sees exactly the completed appends.
/// </summary>
internal sealed class Segment(long sequence, string path, ushort formatVersion = LogRecordFormat.FormatVersion)
{
    /// <summary>
    /// Distance between checkpoints. A catch-up read seeks to the nearest checkpoint at or below
    /// its index, so it skips over at most about this many bytes; a 64 MiB segment keeps only
    /// ~64 checkpoints in memory.
    /// </summary>
    public const long CheckpointSpacingBytes = 1024 * 1024;

    public long Sequence { get; } = sequence;

    /// <summary>The record format of this file (its header's version); only the current version is appended to.</summary>
    public ushort FormatVersion { get; } = formatVersion;

    public string Path { get; } = path;

    /// <summary>Bytes of the header plus every published record.</summary>
    public long Length { get; set; } = LogRecordFormat.SegmentHeaderSize;

    public long RecordCount { get; set; }

    /// <summary>Index of the first record in file order (0 if none): the key of the index → segment lookup in a contiguous log.</summary>
    public long FirstIndex { get; set; }

    public long MinIndex { get; set; }

    public long MaxIndex { get; set; }

    /// <summary>
    /// True while every record in file order has a higher index than the one before it (a leader
    /// writing one term). Only then do <see cref="Checkpoints"/> find an index, and can a read stop
    /// at the first record past its range; a re-stamp or an out-of-order arrival clears it for good.
    /// </summary>
    public bool Ascending { get; private set; } = true;

    /// <summary>(index, file offset) of the first record of a batch, ordered by offset. Meaningful only while <see cref="Ascending"/>.</summary>
    public List<(long Index, long Offset)> Checkpoints { get; } = [];

    /// <summary>Records that a run of records starting at <paramref name="offset"/> was published.</summary>
    public void Publish(long offset, int length, int count, long firstIndex, long minIndex, long maxIndex, bool ascending)
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
            Ascending &= minIndex > MaxIndex;
            MinIndex = Math.Min(MinIndex, minIndex);
            MaxIndex = Math.Max(MaxIndex, maxIndex);
        }

        Ascending &= ascending;
        if (Checkpoints.Count == 0 || offset - Checkpoints[^1].Offset >= CheckpointSpacingBytes)
        {
            Checkpoints.Add((firstIndex, offset));
        }

        RecordCount += count;
        Length = offset + length;
    }

    /// <summary>Offset of the last checkpoint whose index is ≤ <paramref name="index"/>; the header's end unless <see cref="Ascending"/>.</summary>
    public long SeekOffset(long index)
    {
        if (!Ascending)
        {
            return LogRecordFormat.SegmentHeaderSize;
        }

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
