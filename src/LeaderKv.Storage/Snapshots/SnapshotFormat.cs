namespace LeaderKv.Storage.Snapshots;

// Snapshot format: one self-describing stream, the same bytes whether it sits in a file or is
// sent over HTTP to a follower that is too far behind for the log (snapshot transfer). All
// integers little-endian. Written front to back in one pass, so it can be streamed.
//
// Header, 36 bytes:
//   0   u32  magic 0x4C4B5653
//   4   u16  format version: 2 (written); 1 is still read (no expiry, no idempotency section)
//   6   u16  reserved, 0
//   8   i64  applied-through index: every entry <= it is in the snapshot, none above it
//  16   i64  term of the entry at the applied-through index (0 when it is 0)
//  24   i64  N = number of key/value pairs
//  32   u32  CRC-32C of bytes [0, 32): rejects a wrong or damaged stream before reading N pairs
//
// Then N pairs, each:
//   0   u16  K = key length in bytes (<= StorageLimits.MaxKeyBytes)
//   2   u32  V = value length in bytes (<= StorageLimits.MaxValueBytes)
//   6   i64  write index of the pair: the log index that set it, in (0, applied-through]
//  14   i64  expiry deadline, Unix ms (0: never)                     [version 2 only]
//  22   K    key, UTF-8                                              [14 in version 1]
//  22+K V    value, raw UTF-8 JSON text
//
// Then, version 2 only, what the history decided besides values (so a new leader remembers it):
//   0   i64  the table's clock: the highest leader clock reading applied, Unix ms
//   8   i64  R = number of idempotency records (<= applied-through), oldest first, each:
//        0   u16  I = idempotency key length in bytes (1..StorageLimits.MaxIdempotencyKeyBytes)
//        2   i64  index of the write that carried it, in (0, applied-through]
//       10   u8   its verdict (1 applied, 2 condition failed)
//       11   i64  the key's version after it (or the version that failed its condition)
//       19   u64  fingerprint of the request (WriteRequestHash)
//       27   i64  the table's clock when it was applied (never decreasing record to record)
//       35   I    idempotency key, UTF-8
//
// Trailer, 8 bytes:
//   0   u32  magic 0x4C4B5645
//   4   u32  CRC-32C of every byte before the trailer
//
// A reader must not use any pair before it has checked the trailer: SnapshotReader fills a
// table the caller has not published yet, and throws StorageCorruptionException on any failed
// check (short stream, bad magic, limit exceeded, CRC mismatch, bytes after the trailer).
internal static class SnapshotFormat
{
    public const uint HeaderMagic = 0x4C4B5653;
    public const uint TrailerMagic = 0x4C4B5645;
    public const ushort FormatVersion = 2;
    public const ushort FormatVersion1 = 1;
    public const int HeaderSize = 36;
    public const int HeaderCrcOffset = 32;
    public const int PairPrefixSizeVersion1 = 14;
    public const int PairPrefixSize = 22;
    public const int ExtrasHeaderSize = 16;
    public const int RecordPrefixSize = 35;
    public const int TrailerSize = 8;
}

/// <summary>What a snapshot covers: the applied-through index and its term, and how many pairs it holds.</summary>
public sealed record SnapshotHeader(long AppliedThrough, long Term, long EntryCount)
{
    /// <summary>The format version the snapshot was written in.</summary>
    public ushort Version { get; init; } = SnapshotFormat.FormatVersion;
}
