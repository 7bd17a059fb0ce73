using System.Buffers;
using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;
using LeaderKv.Core;

namespace LeaderKv.Storage.Wal;

// On-disk format of the write-ahead log. All integers are little-endian.
//
// A log is a directory of segment files named "<sequence:D20>.wal"; the sequence starts at 1
// and grows by one per segment, so name order is write order. Index order is NOT implied:
// a follower logs entries as they arrive.
//
// Segment header, 16 bytes, written and (unless FsyncPolicy.Never) fsynced when the segment
// is created, before any record:
//   0   u32  magic 0x4C4B5657 ("WVKL" on disk, read back as the number)
//   4   u16  format version: 2 (this build writes it); 1 is still read (see below)
//   6   u16  reserved, 0
//   8   i64  sequence number, equal to the one in the file name (catches a misplaced file)
//
// Then records, back to back, each:
//   0   u32  CRC-32C (Castagnoli, System.IO.Hashing Crc32ParameterSet.Crc32C) of bytes [4, 8+L)
//   4   u32  L = payload length, bytes from offset 8 to the end of the record
//   8   i64  index, > 0
//  16   i64  term, >= 0: the term this node accepted the entry in (not the term of the leader
//            that first proposed the value); a re-proposal logs the index again, see RecoveredEntries
//  24   u16  K = key length in bytes
//  26   u8   operation: 0 put, 1 delete, 2 expire (a delete the leader's clock decided)
//  27   u8   condition: 0 none, 1 if-index, 2 if-absent, 3 if-exists
//  28   i64  condition index (if-index), else 0
//  36   i64  the proposing leader's clock, Unix ms (0: not stamped)
//  44   i64  expiry deadline, Unix ms (0: never)
//  52   u16  I = idempotency key length in bytes (0: none)
//  54   K    key, UTF-8
//  54+K I    idempotency key, UTF-8
//  54+K+I    value: raw UTF-8 JSON text, L - 46 - K - I bytes (empty for a delete)
//
// K = 0 with an empty value is a no-op (a new leader fills a hole with one), so the smallest
// record has L = 46. Rejecting empty client keys is the node's validation, not the log's.
//
// Version 1 (LeaderKV before deletes and conditions) has only index, term, K, key and value
// (L = 18 + K + value bytes): every record is a put. A log of version-1 segments is recovered as
// it is, each record read as a plain put; the log never appends to a version-1 segment but opens
// a new, version-2 segment on top of it (FileWriteAheadLog), so one file never mixes versions.
//
// The CRC covers the length field too, so a flipped bit in L is caught even when the wrong
// length still lands inside the file. L is bounded by StorageLimits (MaxKeyBytes,
// MaxIdempotencyKeyBytes, MaxValueBytes): a reader treats a larger L as corruption, never as an
// allocation size. A record that does not fit in the rest of the file is "torn" (the writer died
// mid-write); one that fits but fails a check is "corrupt". Both end the readable part of the last
// segment; in any older segment both are fatal (see LogDirectoryScanner).
internal static class LogRecordFormat
{
    public const uint SegmentMagic = 0x4C4B5657;
    public const ushort FormatVersion = 2;

    /// <summary>The format before deletes, conditions, idempotency keys and expiry: still read, never written.</summary>
    public const ushort FormatVersion1 = 1;

    public const int SegmentHeaderSize = 16;

    public const int CrcSize = 4;
    public const int RecordHeaderSize = 8;
    public const int FixedPayloadSizeVersion1 = 8 + 8 + 2;
    public const int FixedPayloadSize = 8 + 8 + 2 + 1 + 1 + 8 + 8 + 8 + 2;
    public const int MaxPayloadSize = FixedPayloadSize + StorageLimits.MaxKeyBytes + StorageLimits.MaxIdempotencyKeyBytes + StorageLimits.MaxValueBytes;
    public const int MaxRecordSize = RecordHeaderSize + MaxPayloadSize;

    public const string SegmentExtension = ".wal";

    public static Crc32ParameterSet Crc { get; } = Crc32ParameterSet.Crc32C;

    public static string SegmentFileName(long sequence) => sequence.ToString("D20", System.Globalization.CultureInfo.InvariantCulture) + SegmentExtension;

    /// <summary>Parses a segment file name; false for anything else found in the directory.</summary>
    public static bool TryParseSegmentFileName(string fileName, out long sequence)
    {
        sequence = 0;
        return fileName.Length == 20 + SegmentExtension.Length
            && fileName.EndsWith(SegmentExtension, StringComparison.Ordinal)
            && long.TryParse(fileName.AsSpan(0, 20), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out sequence)
            && sequence > 0;
    }

    public static void WriteSegmentHeader(Span<byte> destination, long sequence)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(destination, SegmentMagic);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[4..], FormatVersion);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[6..], 0);
        BinaryPrimitives.WriteInt64LittleEndian(destination[8..], sequence);
    }

    /// <summary>Null when the header is valid for <paramref name="sequence"/>, else why not; <paramref name="version"/> is the segment's format.</summary>
    public static string? CheckSegmentHeader(ReadOnlySpan<byte> header, long sequence, out ushort version)
    {
        version = 0;
        if (BinaryPrimitives.ReadUInt32LittleEndian(header) != SegmentMagic)
        {
            return "bad segment magic (not a LeaderKV log segment)";
        }

        version = BinaryPrimitives.ReadUInt16LittleEndian(header[4..]);
        if (version is not (FormatVersion or FormatVersion1))
        {
            return $"unsupported segment format version {version} (this build reads {FormatVersion1} and {FormatVersion})";
        }

        var stored = BinaryPrimitives.ReadInt64LittleEndian(header[8..]);
        return stored == sequence ? null : $"segment header says sequence {stored}, file name says {sequence}";
    }

    /// <summary>
    /// Validates a batch against the limits and encodes it into one pooled buffer, so the writer
    /// issues a single write for it. Runs on the caller's thread: CRCs of concurrent appenders
    /// are computed in parallel, and the writer loop only writes and syncs.
    /// </summary>
    public static EncodedBatch Encode(IReadOnlyList<LogEntry> entries)
    {
        var count = entries.Count;
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, StorageLimits.MaxEntriesPerAppend, nameof(entries));

        long total = 0;
        for (var i = 0; i < count; i++)
        {
            total += RecordSize(entries[i]);
        }

        if (total > StorageLimits.MaxAppendBytes)
        {
            throw new ArgumentOutOfRangeException(nameof(entries), total, $"A batch encodes to at most {StorageLimits.MaxAppendBytes} bytes; split it.");
        }

        var buffer = ArrayPool<byte>.Shared.Rent((int)total);
        long first = 0, min = long.MaxValue, max = 0;
        var ascending = true;
        var offset = 0;
        for (var i = 0; i < count; i++)
        {
            var entry = entries[i];
            offset += WriteRecord(buffer.AsSpan(offset), entry);
            if (i == 0)
            {
                first = entry.Index;
            }

            ascending &= i == 0 || entry.Index > max;
            min = Math.Min(min, entry.Index);
            max = Math.Max(max, entry.Index);
        }

        Invariant.Check(offset == total, "encoded batch size differs from its computed size");
        return new EncodedBatch(buffer, offset, count, first, min, max, ascending);
    }

    private static int RecordSize(LogEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(entry.Index, "entry.Index");
        ArgumentOutOfRangeException.ThrowIfNegative(entry.Term, "entry.Term");
        ArgumentNullException.ThrowIfNull(entry.Key, "entry.Key");
        var keyBytes = Encoding.UTF8.GetByteCount(entry.Key);
        if (keyBytes > StorageLimits.MaxKeyBytes)
        {
            throw new ArgumentOutOfRangeException("entry.Key", keyBytes, $"Keys are at most {StorageLimits.MaxKeyBytes} UTF-8 bytes.");
        }

        if (entry.Value.Length > StorageLimits.MaxValueBytes)
        {
            throw new ArgumentOutOfRangeException("entry.Value", entry.Value.Length, $"Values are at most {StorageLimits.MaxValueBytes} bytes.");
        }

        var idempotencyBytes = entry.IdempotencyKey is { } idempotencyKey ? Encoding.UTF8.GetByteCount(idempotencyKey) : 0;
        if (idempotencyBytes > StorageLimits.MaxIdempotencyKeyBytes)
        {
            throw new ArgumentOutOfRangeException("entry.IdempotencyKey", idempotencyBytes, $"Idempotency keys are at most {StorageLimits.MaxIdempotencyKeyBytes} UTF-8 bytes.");
        }

        return RecordHeaderSize + FixedPayloadSize + keyBytes + idempotencyBytes + entry.Value.Length;
    }

    private static int WriteRecord(Span<byte> destination, LogEntry entry)
    {
        var variable = destination[(RecordHeaderSize + FixedPayloadSize)..];
        var keyBytes = Encoding.UTF8.GetBytes(entry.Key, variable);
        var idempotencyBytes = entry.IdempotencyKey is { } idempotencyKey ? Encoding.UTF8.GetBytes(idempotencyKey, variable[keyBytes..]) : 0;
        var payloadLength = FixedPayloadSize + keyBytes + idempotencyBytes + entry.Value.Length;
        var payload = destination.Slice(RecordHeaderSize, payloadLength);
        BinaryPrimitives.WriteInt64LittleEndian(payload, entry.Index);
        BinaryPrimitives.WriteInt64LittleEndian(payload[8..], entry.Term);
        BinaryPrimitives.WriteUInt16LittleEndian(payload[16..], (ushort)keyBytes);
        payload[18] = (byte)entry.Op;
        payload[19] = (byte)entry.Condition.Kind;
        BinaryPrimitives.WriteInt64LittleEndian(payload[20..], entry.Condition.Index);
        BinaryPrimitives.WriteInt64LittleEndian(payload[28..], entry.StampMs);
        BinaryPrimitives.WriteInt64LittleEndian(payload[36..], entry.ExpiresAtMs);
        BinaryPrimitives.WriteUInt16LittleEndian(payload[44..], (ushort)idempotencyBytes);
        entry.Value.Span.CopyTo(payload[(FixedPayloadSize + keyBytes + idempotencyBytes)..]);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[CrcSize..], (uint)payloadLength);
        var crc = Crc32.HashToUInt32(Crc, destination[CrcSize..(RecordHeaderSize + payloadLength)]);
        BinaryPrimitives.WriteUInt32LittleEndian(destination, crc);
        return RecordHeaderSize + payloadLength;
    }

    /// <summary>
    /// Checks the 8-byte record header. Returns the payload length, or null with a reason when
    /// the length is impossible (corruption, or zeros from a file extended but never written).
    /// </summary>
    public static int? ReadPayloadLength(ReadOnlySpan<byte> header, ushort version, out string? problem)
    {
        var length = BinaryPrimitives.ReadUInt32LittleEndian(header[CrcSize..]);
        var fixedSize = version == FormatVersion1 ? FixedPayloadSizeVersion1 : FixedPayloadSize;
        if (length < fixedSize || length > MaxPayloadSize)
        {
            problem = $"record length {length} outside [{fixedSize}, {MaxPayloadSize}]";
            return null;
        }

        problem = null;
        return (int)length;
    }

    /// <summary>Verifies and decodes one whole record (header + payload) of a segment in <paramref name="version"/>. Null with a reason if it fails a check.</summary>
    public static LogEntry? Decode(ReadOnlySpan<byte> record, ushort version, out string? problem)
    {
        var stored = BinaryPrimitives.ReadUInt32LittleEndian(record);
        var actual = Crc32.HashToUInt32(Crc, record[CrcSize..]);
        if (stored != actual)
        {
            problem = $"CRC-32C mismatch (stored {stored:x8}, computed {actual:x8})";
            return null;
        }

        var payload = record[RecordHeaderSize..];
        var index = BinaryPrimitives.ReadInt64LittleEndian(payload);
        var term = BinaryPrimitives.ReadInt64LittleEndian(payload[8..]);
        int keyBytes = BinaryPrimitives.ReadUInt16LittleEndian(payload[16..]);
        if (version == FormatVersion1)
        {
            if (index <= 0 || term < 0 || keyBytes > StorageLimits.MaxKeyBytes || FixedPayloadSizeVersion1 + keyBytes > payload.Length)
            {
                problem = $"record fields out of range (index {index}, term {term}, key bytes {keyBytes})";
                return null;
            }

            problem = null;
            return new LogEntry(
                index,
                term,
                Encoding.UTF8.GetString(payload.Slice(FixedPayloadSizeVersion1, keyBytes)),
                payload[(FixedPayloadSizeVersion1 + keyBytes)..].ToArray());
        }

        var op = payload[18];
        var conditionKind = payload[19];
        var conditionIndex = BinaryPrimitives.ReadInt64LittleEndian(payload[20..]);
        var stamp = BinaryPrimitives.ReadInt64LittleEndian(payload[28..]);
        var expiresAt = BinaryPrimitives.ReadInt64LittleEndian(payload[36..]);
        int idempotencyBytes = BinaryPrimitives.ReadUInt16LittleEndian(payload[44..]);
        if (index <= 0 || term < 0 || keyBytes > StorageLimits.MaxKeyBytes || idempotencyBytes > StorageLimits.MaxIdempotencyKeyBytes
            || FixedPayloadSize + keyBytes + idempotencyBytes > payload.Length
            || op > (byte)WriteOp.Expire || conditionKind > (byte)ConditionKind.IfExists || conditionIndex < 0 || stamp < 0 || expiresAt < 0)
        {
            // The CRC matched, so the writer produced this: a bug, not a disk error. Still never serve it.
            problem = $"record fields out of range (index {index}, term {term}, key bytes {keyBytes}, operation {op}, condition {conditionKind})";
            return null;
        }

        var key = Encoding.UTF8.GetString(payload.Slice(FixedPayloadSize, keyBytes));
        var idempotencyKey = idempotencyBytes == 0 ? null : Encoding.UTF8.GetString(payload.Slice(FixedPayloadSize + keyBytes, idempotencyBytes));
        var value = payload[(FixedPayloadSize + keyBytes + idempotencyBytes)..].ToArray();
        problem = null;
        return new LogEntry(index, term, key, value)
        {
            Op = (WriteOp)op,
            Condition = new WriteCondition((ConditionKind)conditionKind, conditionIndex),
            IdempotencyKey = idempotencyKey,
            StampMs = stamp,
            ExpiresAtMs = expiresAt,
        };
    }
}

/// <summary>
/// A batch encoded into a rented buffer; the writer returns the buffer to the pool once written.
/// <paramref name="Ascending"/> when each entry's index is above every earlier one's in the batch.
/// </summary>
internal readonly record struct EncodedBatch(byte[] Buffer, int Length, int EntryCount, long FirstIndex, long MinIndex, long MaxIndex, bool Ascending);
