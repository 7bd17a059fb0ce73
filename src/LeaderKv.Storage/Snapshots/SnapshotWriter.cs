using System.Buffers;
using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;
using LeaderKv.Core;
using LeaderKv.Core.Consensus;

namespace LeaderKv.Storage.Snapshots;

/// <summary>Writes the snapshot format (see <see cref="SnapshotFormat"/>) to any stream: a file, or an HTTP response body.</summary>
public static class SnapshotWriter
{
    private const int BufferBytes = 64 * 1024;

    /// <summary>A snapshot of values only (no idempotency records, clock 0).</summary>
    public static Task WriteAsync(
        Stream destination,
        long appliedThrough,
        long term,
        IReadOnlyCollection<KeyValuePair<string, VersionedValue>> entries,
        CancellationToken token) =>
        WriteAsync(destination, term, new SnapshotImage(appliedThrough, [.. entries]), token);

    /// <summary>
    /// Writes <paramref name="image"/>: its pairs, idempotency records and clock, as of its index.
    /// The image must not change while it is written: hand over a copy taken under the table's
    /// owner's lock. Does not flush or close <paramref name="destination"/>.
    /// </summary>
    public static async Task WriteAsync(Stream destination, long term, SnapshotImage image, CancellationToken token)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentNullException.ThrowIfNull(image);
        var appliedThrough = image.Index;
        var entries = image.Entries;
        ArgumentOutOfRangeException.ThrowIfNegative(appliedThrough);
        ArgumentOutOfRangeException.ThrowIfNegative(term);

        var crc = new Crc32(Crc32ParameterSet.Crc32C);
        var buffer = ArrayPool<byte>.Shared.Rent(BufferBytes);
        try
        {
            var used = WriteHeader(buffer, appliedThrough, term, entries.Count);
            long written = 0;
            foreach (var (key, versioned) in entries)
            {
                var keyBytes = CheckPair(key, versioned, appliedThrough);
                var size = SnapshotFormat.PairPrefixSize + keyBytes + versioned.Value.Length;
                if (used + size > buffer.Length)
                {
                    await FlushAsync(destination, buffer, used, crc, token).ConfigureAwait(false);
                    used = 0;
                    if (size > buffer.Length)
                    {
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = ArrayPool<byte>.Shared.Rent(size);
                    }
                }

                used += WritePair(buffer.AsSpan(used), key, keyBytes, versioned);
                written++;
            }

            if (written != entries.Count)
            {
                throw new InvalidOperationException($"The snapshot's entries changed while it was written (Count said {entries.Count}, enumeration gave {written}); pass a copy.");
            }

            if (used + SnapshotFormat.ExtrasHeaderSize > buffer.Length)
            {
                await FlushAsync(destination, buffer, used, crc, token).ConfigureAwait(false);
                used = 0;
            }

            BinaryPrimitives.WriteInt64LittleEndian(buffer.AsSpan(used), image.ClockMs);
            BinaryPrimitives.WriteInt64LittleEndian(buffer.AsSpan(used + 8), image.Idempotency.Count);
            used += SnapshotFormat.ExtrasHeaderSize;
            var recordedAt = 0L;
            foreach (var record in image.Idempotency)
            {
                var keyBytes = CheckRecord(record, appliedThrough, recordedAt);
                recordedAt = record.RecordedAtMs;
                if (used + SnapshotFormat.RecordPrefixSize + keyBytes > buffer.Length)
                {
                    await FlushAsync(destination, buffer, used, crc, token).ConfigureAwait(false);
                    used = 0;
                }

                used += WriteRecord(buffer.AsSpan(used), record, keyBytes);
            }

            await FlushAsync(destination, buffer, used, crc, token).ConfigureAwait(false);
            BinaryPrimitives.WriteUInt32LittleEndian(buffer, SnapshotFormat.TrailerMagic);
            BinaryPrimitives.WriteUInt32LittleEndian(buffer.AsSpan(4), crc.GetCurrentHashAsUInt32());
            await destination.WriteAsync(buffer.AsMemory(0, SnapshotFormat.TrailerSize), token).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static int WriteHeader(Span<byte> buffer, long appliedThrough, long term, long count)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(buffer, SnapshotFormat.HeaderMagic);
        BinaryPrimitives.WriteUInt16LittleEndian(buffer[4..], SnapshotFormat.FormatVersion);
        BinaryPrimitives.WriteUInt16LittleEndian(buffer[6..], 0);
        BinaryPrimitives.WriteInt64LittleEndian(buffer[8..], appliedThrough);
        BinaryPrimitives.WriteInt64LittleEndian(buffer[16..], term);
        BinaryPrimitives.WriteInt64LittleEndian(buffer[24..], count);
        var headerCrc = Crc32.HashToUInt32(Crc32ParameterSet.Crc32C, buffer[..SnapshotFormat.HeaderCrcOffset]);
        BinaryPrimitives.WriteUInt32LittleEndian(buffer[SnapshotFormat.HeaderCrcOffset..], headerCrc);
        return SnapshotFormat.HeaderSize;
    }

    private static int CheckPair(string key, VersionedValue versioned, long appliedThrough)
    {
        ArgumentNullException.ThrowIfNull(key);
        var keyBytes = Encoding.UTF8.GetByteCount(key);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(keyBytes, StorageLimits.MaxKeyBytes, "key");
        ArgumentOutOfRangeException.ThrowIfNegative(versioned.ExpiresAtMs, "value");
        ArgumentOutOfRangeException.ThrowIfGreaterThan(versioned.Value.Length, StorageLimits.MaxValueBytes, "value");
        if (versioned.Index <= 0 || versioned.Index > appliedThrough)
        {
            // A pair written after the applied-through index would make the snapshot claim less history than it holds.
            throw new ArgumentOutOfRangeException(nameof(versioned), versioned.Index, $"Key '{key}' has write index {versioned.Index}, outside (0, {appliedThrough}].");
        }

        return keyBytes;
    }

    private static int CheckRecord(IdempotencyRecord record, long appliedThrough, long previousRecordedAt)
    {
        var keyBytes = Encoding.UTF8.GetByteCount(record.IdempotencyKey);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(keyBytes, StorageLimits.MaxIdempotencyKeyBytes, "record");
        ArgumentOutOfRangeException.ThrowIfZero(keyBytes, "record");
        if (record.Index <= 0 || record.Index > appliedThrough || record.RecordedAtMs < previousRecordedAt)
        {
            throw new ArgumentOutOfRangeException(nameof(record), record.Index, $"Idempotency record '{record.IdempotencyKey}' at index {record.Index} is outside (0, {appliedThrough}] or out of order.");
        }

        return keyBytes;
    }

    private static int WriteRecord(Span<byte> destination, IdempotencyRecord record, int keyBytes)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(destination, (ushort)keyBytes);
        BinaryPrimitives.WriteInt64LittleEndian(destination[2..], record.Index);
        destination[10] = (byte)record.Verdict;
        BinaryPrimitives.WriteInt64LittleEndian(destination[11..], record.KeyIndex);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[19..], record.RequestHash);
        BinaryPrimitives.WriteInt64LittleEndian(destination[27..], record.RecordedAtMs);
        var written = Encoding.UTF8.GetBytes(record.IdempotencyKey, destination[SnapshotFormat.RecordPrefixSize..]);
        Invariant.Check(written == keyBytes, "idempotency key encoded to a different length than counted");
        return SnapshotFormat.RecordPrefixSize + keyBytes;
    }

    private static int WritePair(Span<byte> destination, string key, int keyBytes, VersionedValue versioned)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(destination, (ushort)keyBytes);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[2..], (uint)versioned.Value.Length);
        BinaryPrimitives.WriteInt64LittleEndian(destination[6..], versioned.Index);
        BinaryPrimitives.WriteInt64LittleEndian(destination[14..], versioned.ExpiresAtMs);
        var written = Encoding.UTF8.GetBytes(key, destination[SnapshotFormat.PairPrefixSize..]);
        Invariant.Check(written == keyBytes, "key encoded to a different length than counted");
        versioned.Value.Span.CopyTo(destination[(SnapshotFormat.PairPrefixSize + keyBytes)..]);
        return SnapshotFormat.PairPrefixSize + keyBytes + versioned.Value.Length;
    }

    private static async ValueTask FlushAsync(Stream destination, byte[] buffer, int used, Crc32 crc, CancellationToken token)
    {
        if (used == 0)
        {
            return;
        }

        crc.Append(buffer.AsSpan(0, used));
        await destination.WriteAsync(buffer.AsMemory(0, used), token).ConfigureAwait(false);
    }
}
