using System.Buffers;
using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;
using LeaderKv.Core;

namespace LeaderKv.Storage.Snapshots;

/// <summary>
/// Reads and verifies the snapshot format (see <see cref="SnapshotFormat"/>) from any stream:
/// a file, or an HTTP request body during snapshot transfer.
/// </summary>
public static class SnapshotReader
{
    /// <summary>
    /// Reads a snapshot into <paramref name="target"/>, which should be a fresh table: its
    /// contents are only meaningful if this returns. Throws <see cref="StorageCorruptionException"/>
    /// on any failed check. Every byte is read, up to and including the end of the stream.
    /// </summary>
    public static async Task<SnapshotHeader> ReadIntoAsync(Stream source, KeyValueTable target, CancellationToken token)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(target);
        using var input = new ChecksummedInput(source);

        await input.EnsureAsync(SnapshotFormat.HeaderSize, "header", token).ConfigureAwait(false);
        var header = ParseHeader(input.Take(SnapshotFormat.HeaderSize));
        var prefixSize = header.Version == SnapshotFormat.FormatVersion1 ? SnapshotFormat.PairPrefixSizeVersion1 : SnapshotFormat.PairPrefixSize;
        for (long i = 0; i < header.EntryCount; i++)
        {
            await input.EnsureAsync(prefixSize, "pair", token).ConfigureAwait(false);
            var (keyBytes, valueBytes, index, expiresAt) = ParsePairPrefix(input.Take(prefixSize), header, i);
            await input.EnsureAsync(keyBytes + valueBytes, "pair", token).ConfigureAwait(false);
            var key = Encoding.UTF8.GetString(input.Take(keyBytes));
            var value = input.Take(valueBytes).ToArray();
            if (target.TryGet(key, out _))
            {
                throw Corrupt($"key '{key}' appears twice");
            }

            target.Set(key, new VersionedValue(value, index, expiresAt));
        }

        if (header.Version != SnapshotFormat.FormatVersion1)
        {
            await ReadExtrasAsync(input, header, target, token).ConfigureAwait(false);
        }

        var expectedCrc = input.CurrentCrc;
        await input.EnsureAsync(SnapshotFormat.TrailerSize, "trailer", token).ConfigureAwait(false);
        var trailer = input.Take(SnapshotFormat.TrailerSize);
        if (BinaryPrimitives.ReadUInt32LittleEndian(trailer) != SnapshotFormat.TrailerMagic)
        {
            throw Corrupt("bad trailer magic");
        }

        var storedCrc = BinaryPrimitives.ReadUInt32LittleEndian(trailer[4..]);
        if (storedCrc != expectedCrc)
        {
            throw Corrupt($"CRC-32C mismatch (stored {storedCrc:x8}, computed {expectedCrc:x8})");
        }

        if (!await input.AtEndAsync(token).ConfigureAwait(false))
        {
            throw Corrupt("bytes follow the trailer");
        }

        return header;
    }

    private static SnapshotHeader ParseHeader(ReadOnlySpan<byte> header)
    {
        if (BinaryPrimitives.ReadUInt32LittleEndian(header) != SnapshotFormat.HeaderMagic)
        {
            throw Corrupt("bad header magic (not a LeaderKV snapshot)");
        }

        var version = BinaryPrimitives.ReadUInt16LittleEndian(header[4..]);
        if (version is not (SnapshotFormat.FormatVersion or SnapshotFormat.FormatVersion1))
        {
            throw Corrupt($"unsupported format version {version} (this build reads {SnapshotFormat.FormatVersion1} and {SnapshotFormat.FormatVersion})");
        }

        var storedCrc = BinaryPrimitives.ReadUInt32LittleEndian(header[SnapshotFormat.HeaderCrcOffset..]);
        if (storedCrc != Crc32.HashToUInt32(Crc32ParameterSet.Crc32C, header[..SnapshotFormat.HeaderCrcOffset]))
        {
            throw Corrupt("header CRC-32C mismatch");
        }

        var appliedThrough = BinaryPrimitives.ReadInt64LittleEndian(header[8..]);
        var term = BinaryPrimitives.ReadInt64LittleEndian(header[16..]);
        var count = BinaryPrimitives.ReadInt64LittleEndian(header[24..]);
        if (appliedThrough < 0 || term < 0 || count < 0 || count > appliedThrough)
        {
            // Each pair was set by a distinct write at or below applied-through, so there cannot be more pairs than writes.
            throw Corrupt($"header fields out of range (applied-through {appliedThrough}, term {term}, pairs {count})");
        }

        return new SnapshotHeader(appliedThrough, term, count) { Version = version };
    }

    private static (int KeyBytes, int ValueBytes, long Index, long ExpiresAt) ParsePairPrefix(ReadOnlySpan<byte> prefix, SnapshotHeader header, long position)
    {
        int keyBytes = BinaryPrimitives.ReadUInt16LittleEndian(prefix);
        var valueBytes = BinaryPrimitives.ReadUInt32LittleEndian(prefix[2..]);
        var index = BinaryPrimitives.ReadInt64LittleEndian(prefix[6..]);
        var expiresAt = header.Version == SnapshotFormat.FormatVersion1 ? 0 : BinaryPrimitives.ReadInt64LittleEndian(prefix[14..]);
        if (keyBytes > StorageLimits.MaxKeyBytes || valueBytes > StorageLimits.MaxValueBytes || index <= 0 || index > header.AppliedThrough || expiresAt < 0)
        {
            throw Corrupt($"pair {position} out of range (key bytes {keyBytes}, value bytes {valueBytes}, index {index}, expires {expiresAt})");
        }

        return (keyBytes, (int)valueBytes, index, expiresAt);
    }

    /// <summary>Version 2's section after the pairs: the table's clock and its idempotency records, oldest first.</summary>
    private static async Task ReadExtrasAsync(ChecksummedInput input, SnapshotHeader header, KeyValueTable target, CancellationToken token)
    {
        await input.EnsureAsync(SnapshotFormat.ExtrasHeaderSize, "idempotency section", token).ConfigureAwait(false);
        var extras = input.Take(SnapshotFormat.ExtrasHeaderSize);
        var clock = BinaryPrimitives.ReadInt64LittleEndian(extras);
        var count = BinaryPrimitives.ReadInt64LittleEndian(extras[8..]);
        if (clock < 0 || count < 0 || count > header.AppliedThrough)
        {
            throw Corrupt($"idempotency section out of range (clock {clock}, records {count})");
        }

        var recordedAt = 0L;
        for (long i = 0; i < count; i++)
        {
            await input.EnsureAsync(SnapshotFormat.RecordPrefixSize, "idempotency record", token).ConfigureAwait(false);
            var prefix = input.Take(SnapshotFormat.RecordPrefixSize);
            int keyBytes = BinaryPrimitives.ReadUInt16LittleEndian(prefix);
            var index = BinaryPrimitives.ReadInt64LittleEndian(prefix[2..]);
            var verdict = prefix[10];
            var keyIndex = BinaryPrimitives.ReadInt64LittleEndian(prefix[11..]);
            var hash = BinaryPrimitives.ReadUInt64LittleEndian(prefix[19..]);
            var at = BinaryPrimitives.ReadInt64LittleEndian(prefix[27..]);
            if (keyBytes is 0 or > StorageLimits.MaxIdempotencyKeyBytes || index <= 0 || index > header.AppliedThrough
                || verdict is not ((byte)WriteVerdictKind.Applied or (byte)WriteVerdictKind.ConditionFailed)
                || keyIndex < 0 || keyIndex > header.AppliedThrough || at < recordedAt || at > clock)
            {
                throw Corrupt($"idempotency record {i} out of range (key bytes {keyBytes}, index {index}, verdict {verdict}, recorded at {at})");
            }

            recordedAt = at;
            await input.EnsureAsync(keyBytes, "idempotency record", token).ConfigureAwait(false);
            var key = Encoding.UTF8.GetString(input.Take(keyBytes));
            if (target.TryGetIdempotency(key, out _))
            {
                throw Corrupt($"idempotency key '{key}' appears twice");
            }

            target.RestoreIdempotency(new IdempotencyRecord(key, index, (WriteVerdictKind)verdict, keyIndex, hash, at));
        }

        target.RestoreClock(clock);
    }

    private static StorageCorruptionException Corrupt(string problem) => new($"Snapshot is invalid: {problem}.");

    /// <summary>A pooled read buffer over a stream that feeds every consumed byte to a running CRC-32C.</summary>
    private sealed class ChecksummedInput(Stream source) : IDisposable
    {
        private readonly Crc32 _crc = new(Crc32ParameterSet.Crc32C);
        private byte[] _buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        private int _start;
        private int _end;

        public uint CurrentCrc => _crc.GetCurrentHashAsUInt32();

        public async ValueTask EnsureAsync(int count, string what, CancellationToken token)
        {
            if (_end - _start >= count)
            {
                return;
            }

            if (count > _buffer.Length)
            {
                var larger = ArrayPool<byte>.Shared.Rent(count);
                _buffer.AsSpan(_start, _end - _start).CopyTo(larger);
                ArrayPool<byte>.Shared.Return(_buffer);
                _buffer = larger;
            }
            else
            {
                _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
            }

            _end -= _start;
            _start = 0;
            while (_end < count)
            {
                var read = await source.ReadAsync(_buffer.AsMemory(_end), token).ConfigureAwait(false);
                if (read == 0)
                {
                    throw Corrupt($"stream ends inside a {what} (truncated)");
                }

                _end += read;
            }
        }

        public ReadOnlySpan<byte> Take(int count)
        {
            var span = _buffer.AsSpan(_start, count);
            _crc.Append(span);
            _start += count;
            return span;
        }

        public async ValueTask<bool> AtEndAsync(CancellationToken token) =>
            _end == _start && await source.ReadAsync(_buffer.AsMemory(0, 1), token).ConfigureAwait(false) == 0;

        public void Dispose()
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
        }
    }
}
