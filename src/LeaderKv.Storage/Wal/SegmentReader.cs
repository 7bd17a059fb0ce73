using System.Buffers;
using LeaderKv.Core;
using Microsoft.Win32.SafeHandles;

namespace LeaderKv.Storage.Wal;

/// <summary>What <see cref="SegmentReader.Next"/> found at the current position.</summary>
internal enum RecordStatus
{
    /// <summary>A valid record; the reader moved past it.</summary>
    Record,

    /// <summary>The position is exactly the end of the readable range.</summary>
    End,

    /// <summary>A record starts but does not fit in the rest of the range: a write cut short.</summary>
    Torn,

    /// <summary>A record fits but fails its length, CRC or field checks.</summary>
    Corrupt,
}

/// <summary>
/// Sequential record reader over one segment file, from an offset up to an end offset, through
/// one pooled buffer refilled with large positional reads. It never moves past a bad record:
/// the caller decides whether that is a tail to truncate or a fatal error.
/// </summary>
internal sealed class SegmentReader : IDisposable
{
    private const int InitialBufferBytes = 256 * 1024;

    private readonly SafeFileHandle _handle;
    private readonly long _end;
    private byte[] _buffer;
    private long _bufferFileOffset;
    private int _bufferStart;
    private int _bufferEnd;

    private readonly ushort _version;

    public SegmentReader(SafeFileHandle handle, long start, long end, ushort version)
    {
        _handle = handle;
        _version = version;
        _end = end;
        _bufferFileOffset = start;
        _buffer = ArrayPool<byte>.Shared.Rent(InitialBufferBytes);
    }

    /// <summary>File offset of the next unread record.</summary>
    public long Position => _bufferFileOffset + _bufferStart;

    /// <summary>Why the last <see cref="RecordStatus.Torn"/> or <see cref="RecordStatus.Corrupt"/> was returned.</summary>
    public string? Problem { get; private set; }

    public static SafeFileHandle OpenForRead(string path) =>
        File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);

    public RecordStatus Next(out LogEntry? entry)
    {
        entry = null;
        Problem = null;
        var remaining = _end - Position;
        if (remaining == 0)
        {
            return RecordStatus.End;
        }

        if (remaining < LogRecordFormat.RecordHeaderSize)
        {
            Problem = $"{remaining} bytes at the end, too few for a record header";
            return RecordStatus.Torn;
        }

        Fill(LogRecordFormat.RecordHeaderSize);
        var payloadLength = LogRecordFormat.ReadPayloadLength(_buffer.AsSpan(_bufferStart, LogRecordFormat.RecordHeaderSize), _version, out var problem);
        if (payloadLength is null)
        {
            Problem = problem;
            return RecordStatus.Corrupt;
        }

        var recordLength = LogRecordFormat.RecordHeaderSize + payloadLength.Value;
        if (recordLength > remaining)
        {
            Problem = $"record of {recordLength} bytes but only {remaining} bytes left in the file";
            return RecordStatus.Torn;
        }

        Fill(recordLength);
        entry = LogRecordFormat.Decode(_buffer.AsSpan(_bufferStart, recordLength), _version, out problem);
        if (entry is null)
        {
            Problem = problem;
            return RecordStatus.Corrupt;
        }

        _bufferStart += recordLength;
        return RecordStatus.Record;
    }

    /// <summary>Makes at least <paramref name="count"/> bytes available from <see cref="_bufferStart"/>; the caller checked they exist in the file.</summary>
    private void Fill(int count)
    {
        if (_bufferEnd - _bufferStart >= count)
        {
            return;
        }

        if (count > _buffer.Length)
        {
            Invariant.Check(count <= LogRecordFormat.MaxRecordSize, "record larger than the format allows");
            var larger = ArrayPool<byte>.Shared.Rent(count);
            _buffer.AsSpan(_bufferStart, _bufferEnd - _bufferStart).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = larger;
        }
        else
        {
            _buffer.AsSpan(_bufferStart, _bufferEnd - _bufferStart).CopyTo(_buffer);
        }

        _bufferFileOffset += _bufferStart;
        _bufferEnd -= _bufferStart;
        _bufferStart = 0;
        while (_bufferEnd < count)
        {
            var want = (int)Math.Min(_buffer.Length - _bufferEnd, _end - (_bufferFileOffset + _bufferEnd));
            var read = RandomAccess.Read(_handle, _buffer.AsSpan(_bufferEnd, want), _bufferFileOffset + _bufferEnd);
            if (read == 0)
            {
                throw new EndOfStreamException($"Segment ended at {_bufferFileOffset + _bufferEnd}, before the expected end {_end}: was it truncated while open?");
            }

            _bufferEnd += read;
        }
    }

    public void Dispose()
    {
        if (_buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
        }
    }
}
