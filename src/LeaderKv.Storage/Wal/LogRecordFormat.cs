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
//   4   u16  format version, 1
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
//  26   K    key, UTF-8
//  26+K      value: raw UTF-8 JSON text, L - 18 - K bytes
//
// K = 0 with an empty value is a no-op (a new leader fills a hole with one), so the smallest
// record has L = 18. Rejecting empty client keys is the node's validation, not the log's.
//
// The CRC covers the length field too, so a flipped bit in L is caught even when the wrong
// length still lands inside the file. L is bounded by StorageLimits (MaxKeyBytes,
// MaxValueBytes): a reader treats a larger L as corruption, never as an allocation size.
// A record that does not fit in the rest of the file is "torn" (the writer died mid-write);
// one that fits but fails a check is "corrupt". Both end the readable part of the last
// segment; in any older segment both are fatal (see LogDirectoryScanner).
internal static class LogRecordFormat
{
    public const uint SegmentMagic = 0x4C4B5657;
    public const ushort FormatVersion = 1;
    public const int SegmentHeaderSize = 16;

    public const int CrcSize = 4;
    public const int RecordHeaderSize = 8;
    public const int FixedPayloadSize = 8 + 8 + 2;
    public const int MaxPayloadSize = FixedPayloadSize + StorageLimits.MaxKeyBytes + StorageLimits.MaxValueBytes;
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

    /// <summary>Null when the header is valid for <paramref name="sequence"/>, else why not.</summary>
    public static string? CheckSegmentHeader(ReadOnlySpan<byte> header, long sequence)
    {
        if (BinaryPrimitives.ReadUInt32LittleEndian(header) != SegmentMagic)
        {
            return "bad segment magic (not a LeaderKV log segment)";
        }

        var version = BinaryPrimitives.ReadUInt16LittleEndian(header[4..]);
        if (version != FormatVersion)
        {
            return $"unsupported segment format version {version} (this build reads {FormatVersion})";
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

        return RecordHeaderSize + FixedPayloadSize + keyBytes + entry.Value.Length;
    }

    private static int WriteRecord(Span<byte> destination, LogEntry entry)
    {
        var keyBytes = Encoding.UTF8.GetBytes(entry.Key, destination[(RecordHeaderSize + FixedPayloadSize)..]);
        var payloadLength = FixedPayloadSize + keyBytes + entry.Value.Length;
        var payload = destination.Slice(RecordHeaderSize, payloadLength);
        BinaryPrimitives.WriteInt64LittleEndian(payload, entry.Index);
        BinaryPrimitives.WriteInt64LittleEndian(payload[8..], entry.Term);
        BinaryPrimitives.WriteUInt16LittleEndian(payload[16..], (ushort)keyBytes);
        entry.Value.Span.CopyTo(payload[(FixedPayloadSize + keyBytes)..]);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[CrcSize..], (uint)payloadLength);
        var crc = Crc32.HashToUInt32(Crc, destination[CrcSize..(RecordHeaderSize + payloadLength)]);
        BinaryPrimitives.WriteUInt32LittleEndian(destination, crc);
        return RecordHeaderSize + payloadLength;
    }

    /// <summary>
    /// Checks the 8-byte record header. Returns the payload length, or null with a reason when
    /// the length is impossible (corruption, or zeros from a file extended but never written).
    /// </summary>
    public static int? ReadPayloadLength(ReadOnlySpan<byte> header, out string? problem)
    {
        var length = BinaryPrimitives.ReadUInt32LittleEndian(header[CrcSize..]);
        if (length < FixedPayloadSize || length > MaxPayloadSize)
        {
            problem = $"record length {length} outside [{FixedPayloadSize}, {MaxPayloadSize}]";
            return null;
        }

        problem = null;
        return (int)length;
    }

    /// <summary>Verifies and decodes one whole record (header + payload). Null with a reason if it fails a check.</summary>
    public static LogEntry? Decode(ReadOnlySpan<byte> record, out string? problem)
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
        if (index <= 0 || term < 0 || keyBytes > StorageLimits.MaxKeyBytes || FixedPayloadSize + keyBytes > payload.Length)
        {
            // The CRC matched, so the writer produced this: a bug, not a disk error. Still never serve it.
            problem = $"record fields out of range (index {index}, term {term}, key bytes {keyBytes})";
            return null;
        }

        var key = Encoding.UTF8.GetString(payload.Slice(FixedPayloadSize, keyBytes));
        var value = payload[(FixedPayloadSize + keyBytes)..].ToArray();
        problem = null;
        return new LogEntry(index, term, key, value);
    }
}

/// <summary>
/// A batch encoded into a rented buffer; the writer returns the buffer to the pool once written.
/// <paramref name="Ascending"/> when each entry's index is above every earlier one's in the batch.
/// </summary>
internal readonly record struct EncodedBatch(byte[] Buffer, int Length, int EntryCount, long FirstIndex, long MinIndex, long MaxIndex, bool Ascending);
