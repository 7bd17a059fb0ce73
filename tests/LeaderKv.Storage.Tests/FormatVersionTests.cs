using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;
using LeaderKv.Core;
using LeaderKv.Core.Consensus;
using LeaderKv.Storage.Snapshots;
using LeaderKv.Storage.Wal;
using static LeaderKv.Storage.Tests.TestData;

namespace LeaderKv.Storage.Tests;

/// <summary>
/// Format version 2 of the log and of snapshots (operations, conditions, idempotency keys, the leader's
/// clock, deadlines, idempotency records) round trips; files of version 1, written before it, are still read.
/// </summary>
public sealed class FormatVersionTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    /// Goal: everything that decides an entry's effect survives the log. Method: append one entry of each kind, recover.
    [Fact]
    public async Task Deletes_conditions_idempotency_keys_stamps_and_deadlines_come_back_from_the_log()
    {
        LogEntry[] written =
        [
            new(1, 2, "a", Encoding.UTF8.GetBytes("1")) { StampMs = 1_700_000_000_000, ExpiresAtMs = 1_700_000_005_000, IdempotencyKey = "req-1" },
            new(2, 2, "a", ReadOnlyMemory<byte>.Empty) { Op = WriteOp.Delete, Condition = WriteCondition.IfIndex(1), StampMs = 5 },
            new(3, 2, "b", Encoding.UTF8.GetBytes("\"x\"")) { Condition = WriteCondition.IfAbsent },
            new(4, 3, "b", ReadOnlyMemory<byte>.Empty) { Op = WriteOp.Expire, Condition = WriteCondition.IfIndex(3) },
            new(5, 3, "c", Encoding.UTF8.GetBytes("null")) { Condition = WriteCondition.IfExists, IdempotencyKey = new string('k', StorageLimits.MaxIdempotencyKeyBytes) },
            LogEntry.NoOp(6, 3),
        ];

        await using (var log = FileWriteAheadLog.Open(LogDirectory(_dir), Options()))
        {
            await log.AppendAsync(written, CancellationToken.None);
        }

        AssertSameEntries(written, (await RecoverAndCloseAsync(_dir)).Entries);
    }

    /// Goal: a data directory of an older build still recovers, and the log never mixes versions in one file.
    /// Method: a hand-made version-1 segment; recover, append, recover again.
    [Fact]
    public async Task A_version_1_log_recovers_as_plain_puts_and_new_records_go_to_a_new_version_2_segment()
    {
        Directory.CreateDirectory(LogDirectory(_dir));
        var old = Path.Combine(LogDirectory(_dir), LogRecordFormat.SegmentFileName(1));
        await File.WriteAllBytesAsync(old, Version1Segment(1, [(1, 1, "a", "1"), (2, 1, "b", "{\"n\":2}")]));

        await using (var log = FileWriteAheadLog.Open(LogDirectory(_dir), Options()))
        {
            await log.AppendAsync([new LogEntry(3, 2, "a", ReadOnlyMemory<byte>.Empty) { Op = WriteOp.Delete }], CancellationToken.None);
        }

        var recovered = await RecoverAndCloseAsync(_dir);
        AssertSameEntries(
            [Entry(1, "a", "1"), Entry(2, "b", "{\"n\":2}"), new LogEntry(3, 2, "a", ReadOnlyMemory<byte>.Empty) { Op = WriteOp.Delete }],
            recovered.Entries);
        var segments = Segments(_dir);
        Assert.Equal(2, segments.Length);
        Assert.Equal(1, BinaryPrimitives.ReadUInt16LittleEndian((await File.ReadAllBytesAsync(segments[0])).AsSpan(4)));
        Assert.Equal(2, BinaryPrimitives.ReadUInt16LittleEndian((await File.ReadAllBytesAsync(segments[1])).AsSpan(4)));
    }

    [Fact]
    public async Task A_segment_of_an_unknown_version_is_refused_with_the_versions_this_build_reads()
    {
        Directory.CreateDirectory(LogDirectory(_dir));
        var bytes = Version1Segment(1, [(1, 1, "a", "1")]);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(4), 9);
        await File.WriteAllBytesAsync(Path.Combine(LogDirectory(_dir), LogRecordFormat.SegmentFileName(1)), bytes);

        var error = await Assert.ThrowsAsync<StorageCorruptionException>(() => RecoverAndCloseAsync(_dir));
        Assert.Contains("unsupported segment format version 9 (this build reads 1 and 2)", error.Message);
    }

    /// Goal: a new leader restored from a snapshot remembers idempotency records and deadlines. Method: write, load, compare.
    [Fact]
    public async Task A_snapshot_carries_deadlines_idempotency_records_and_the_clock()
    {
        var table = new KeyValueTable();
        table.Apply(new LogEntry(1, 1, "a", Encoding.UTF8.GetBytes("1")) { IdempotencyKey = "r1", StampMs = 1000, ExpiresAtMs = 9000 });
        table.Apply(new LogEntry(2, 1, "a", Encoding.UTF8.GetBytes("2")) { IdempotencyKey = "r2", StampMs = 2000, Condition = WriteCondition.IfIndex(7) });
        table.Apply(new LogEntry(3, 1, "b", Encoding.UTF8.GetBytes("3")) { StampMs = 3000 });
        var image = SnapshotImage.Of(table, 3);
        var store = new SnapshotStore(_dir.Path);

        var file = await store.WriteAsync(1, image, CancellationToken.None);
        var loaded = await SnapshotStore.LoadAsync(file.Path, CancellationToken.None);

        Assert.Equal(SnapshotFormat.FormatVersion, loaded.Header.Version);
        Assert.Equal(table.Entries.OrderBy(e => e.Key).Select(e => (e.Key, e.Value.Index, e.Value.ExpiresAtMs)), loaded.Table.Entries.OrderBy(e => e.Key).Select(e => (e.Key, e.Value.Index, e.Value.ExpiresAtMs)));
        Assert.Equal(table.IdempotencyRecords, loaded.Table.IdempotencyRecords);
        Assert.Equal(3000, loaded.Table.ClockMs);
        Assert.Equal([("a", 1L)], loaded.Table.DueBy(9000));
        Assert.Equal(WriteVerdictKind.ConditionFailed, loaded.Table.TryGetIdempotency("r2", out var failed) ? failed.Verdict : WriteVerdictKind.NoOp);
    }

    [Fact]
    public async Task A_version_1_snapshot_is_read_as_values_without_deadlines_or_records()
    {
        var path = Path.Combine(_dir.Path, "old.snap");
        await File.WriteAllBytesAsync(path, Version1Snapshot(appliedThrough: 5, term: 2, [("a", 4, "\"x\""), ("b", 5, "7")]));

        var loaded = await SnapshotStore.LoadAsync(path, CancellationToken.None);

        Assert.Equal(SnapshotFormat.FormatVersion1, loaded.Header.Version);
        Assert.Equal(2, loaded.Table.Count);
        Assert.True(loaded.Table.TryGet("a", out var a) && a.Index == 4 && Encoding.UTF8.GetString(a.Value.Span) == "\"x\"" && a.ExpiresAtMs == 0);
        Assert.Empty(loaded.Table.IdempotencyRecords);
    }

    [Fact]
    public async Task A_snapshot_with_an_idempotency_record_newer_than_its_clock_is_corrupt()
    {
        var image = new SnapshotImage(3, [])
        {
            ClockMs = 100,
            Idempotency = [new IdempotencyRecord("r1", 1, WriteVerdictKind.Applied, 1, 1, 50), new IdempotencyRecord("r2", 2, WriteVerdictKind.Applied, 2, 2, 200)],
        };
        using var stream = new MemoryStream();

        // Recorded at 200 with a clock of 100: a writer never produces it, a reader refuses it.
        await SnapshotWriter.WriteAsync(stream, 1, image, CancellationToken.None);
        stream.Position = 0;
        var error = await Assert.ThrowsAsync<StorageCorruptionException>(() => SnapshotReader.ReadIntoAsync(stream, new KeyValueTable(), CancellationToken.None));
        Assert.Contains("idempotency record 1 out of range", error.Message);
    }

    /// <summary>A segment in the format LeaderKV wrote before version 2: index, term, key length, key, value.</summary>
    private static byte[] Version1Segment(long sequence, (long Index, long Term, string Key, string Value)[] records)
    {
        var bytes = new List<byte>();
        var header = new byte[16];
        BinaryPrimitives.WriteUInt32LittleEndian(header, LogRecordFormat.SegmentMagic);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(4), 1);
        BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(8), sequence);
        bytes.AddRange(header);
        foreach (var (index, term, key, value) in records)
        {
            var keyBytes = Encoding.UTF8.GetBytes(key);
            var valueBytes = Encoding.UTF8.GetBytes(value);
            var record = new byte[8 + 18 + keyBytes.Length + valueBytes.Length];
            BinaryPrimitives.WriteUInt32LittleEndian(record.AsSpan(4), (uint)(18 + keyBytes.Length + valueBytes.Length));
            BinaryPrimitives.WriteInt64LittleEndian(record.AsSpan(8), index);
            BinaryPrimitives.WriteInt64LittleEndian(record.AsSpan(16), term);
            BinaryPrimitives.WriteUInt16LittleEndian(record.AsSpan(24), (ushort)keyBytes.Length);
            keyBytes.CopyTo(record, 26);
            valueBytes.CopyTo(record, 26 + keyBytes.Length);
            BinaryPrimitives.WriteUInt32LittleEndian(record, Crc32.HashToUInt32(Crc32ParameterSet.Crc32C, record.AsSpan(4)));
            bytes.AddRange(record);
        }

        return [.. bytes];
    }

    /// <summary>A snapshot in format version 1: header, pairs with a 14-byte prefix, trailer.</summary>
    private static byte[] Version1Snapshot(long appliedThrough, long term, (string Key, long Index, string Value)[] pairs)
    {
        var bytes = new List<byte>();
        var header = new byte[36];
        BinaryPrimitives.WriteUInt32LittleEndian(header, SnapshotFormat.HeaderMagic);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(4), 1);
        BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(8), appliedThrough);
        BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(16), term);
        BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(24), pairs.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(32), Crc32.HashToUInt32(Crc32ParameterSet.Crc32C, header.AsSpan(0, 32)));
        bytes.AddRange(header);
        foreach (var (key, index, value) in pairs)
        {
            var keyBytes = Encoding.UTF8.GetBytes(key);
            var valueBytes = Encoding.UTF8.GetBytes(value);
            var prefix = new byte[14];
            BinaryPrimitives.WriteUInt16LittleEndian(prefix, (ushort)keyBytes.Length);
            BinaryPrimitives.WriteUInt32LittleEndian(prefix.AsSpan(2), (uint)valueBytes.Length);
            BinaryPrimitives.WriteInt64LittleEndian(prefix.AsSpan(6), index);
            bytes.AddRange(prefix);
            bytes.AddRange(keyBytes);
            bytes.AddRange(valueBytes);
        }

        var trailer = new byte[8];
        BinaryPrimitives.WriteUInt32LittleEndian(trailer, SnapshotFormat.TrailerMagic);
        BinaryPrimitives.WriteUInt32LittleEndian(trailer.AsSpan(4), Crc32.HashToUInt32(Crc32ParameterSet.Crc32C, bytes.ToArray()));
        bytes.AddRange(trailer);
        return [.. bytes];
    }
}
