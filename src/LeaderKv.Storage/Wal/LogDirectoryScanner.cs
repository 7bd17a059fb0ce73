using LeaderKv.Core;
using Microsoft.Win32.SafeHandles;

namespace LeaderKv.Storage.Wal;

/// <summary>Receives each valid record in log order, with the segment and byte offset it was read from.</summary>
internal delegate void RecordVisitor(LogEntry entry, string segmentPath, long offset);

/// <summary>Everything learned by reading a log directory once at open.</summary>
internal sealed record LogScanResult(List<Segment> Segments, LogTailRepair? Repair, long RecordsRead);

/// <summary>
/// Reads every segment of a log directory in write order, verifying every record. Damage in
/// the newest segment is a crash-torn tail: it is truncated and reported. Damage in any older
/// segment is fatal: that segment was complete (and, unless the policy is Never, fsynced)
/// before the next one was created, so skipping it would silently drop entries from the middle
/// of the log.
/// </summary>
internal static class LogDirectoryScanner
{
    public static LogScanResult Scan(string directory, WriteAheadLogOptions options, RecordVisitor? onEntry)
    {
        Directory.CreateDirectory(directory);
        var files = new List<(long Sequence, string Path)>();
        foreach (var path in Directory.EnumerateFiles(directory))
        {
            if (LogRecordFormat.TryParseSegmentFileName(Path.GetFileName(path), out var sequence))
            {
                files.Add((sequence, path));
            }
        }

        files.Sort((a, b) => a.Sequence.CompareTo(b.Sequence));
        var segments = new List<Segment>(files.Count);
        LogTailRepair? repair = null;
        long records = 0;
        for (var i = 0; i < files.Count; i++)
        {
            var isNewest = i == files.Count - 1;
            var (segment, damage) = ScanSegment(files[i].Sequence, files[i].Path, isNewest, options, onEntry, ref records);
            repair ??= damage;
            segments.Add(segment);
        }

        return new LogScanResult(segments, repair, records);
    }

    private static (Segment Segment, LogTailRepair? Repair) ScanSegment(
        long sequence, string path, bool isNewest, WriteAheadLogOptions options, RecordVisitor? onEntry, ref long records)
    {
        using var handle = isNewest
            ? File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read)
            : SegmentReader.OpenForRead(path);
        var fileLength = RandomAccess.GetLength(handle);
        if (fileLength < LogRecordFormat.SegmentHeaderSize)
        {
            if (!isNewest)
            {
                throw Fatal(path, 0, $"only {fileLength} bytes, shorter than the segment header", OlderSegment);
            }

            // The crash hit between creating the file and syncing its header: nothing in it was ever acknowledged.
            WriteHeader(handle, sequence, options);
            return (new Segment(sequence, path), new LogTailRepair(path, LogRecordFormat.SegmentHeaderSize, fileLength, Torn: true, "segment header incomplete; rewritten"));
        }

        Span<byte> header = stackalloc byte[LogRecordFormat.SegmentHeaderSize];
        RandomAccess.Read(handle, header, 0);
        if (LogRecordFormat.CheckSegmentHeader(header, sequence, out var version) is { } headerProblem)
        {
            // A complete but wrong header is never produced by a crash (it is synced before any record).
            throw Fatal(path, 0, headerProblem, "A complete header is written before any record, so a crash cannot produce this");
        }

        var segment = new Segment(sequence, path, version);
        using var reader = new SegmentReader(handle, LogRecordFormat.SegmentHeaderSize, fileLength, version);
        while (true)
        {
            var offset = reader.Position;
            var status = reader.Next(out var entry);
            switch (status)
            {
                case RecordStatus.Record:
                    var length = (int)(reader.Position - offset);
                    segment.Publish(offset, length, 1, entry!.Index, entry.Index, entry.Index, ascending: true);
                    records++;
                    onEntry?.Invoke(entry, path, offset);
                    break;
                case RecordStatus.End:
                    return (segment, null);
                default:
                    if (!isNewest)
                    {
                        throw Fatal(path, offset, reader.Problem!, OlderSegment);
                    }

                    RandomAccess.SetLength(handle, offset);
                    // Synced whatever the policy: if the cut were lost in a crash, records appended after it
                    // would sit behind garbage again and the next recovery would discard them.
                    options.Flush(handle);
                    var repair = new LogTailRepair(path, offset, fileLength - offset, status == RecordStatus.Torn, reader.Problem!);
                    return (segment, repair);
            }
        }
    }

    private static void WriteHeader(SafeFileHandle handle, long sequence, WriteAheadLogOptions options)
    {
        Span<byte> header = stackalloc byte[LogRecordFormat.SegmentHeaderSize];
        LogRecordFormat.WriteSegmentHeader(header, sequence);
        RandomAccess.SetLength(handle, 0);
        RandomAccess.Write(handle, header, 0);
        options.Flush(handle);
    }

    private const string OlderSegment =
        "It is not the newest segment, so this is not a crash-torn tail, and skipping it would silently drop entries from the middle of the log";

    private static StorageCorruptionException Fatal(string path, long offset, string problem, string why) =>
        new(
            $"Write-ahead log segment '{path}' is damaged at byte {offset}: {problem}. {why}. Refusing to open the log. " +
            "Restore this node's data directory, or (on a follower) move the damaged segment and every newer one aside and let the leader resend them.",
            path,
            offset);
}
