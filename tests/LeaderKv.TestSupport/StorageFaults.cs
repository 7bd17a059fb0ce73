using LeaderKv.Storage.Io;
using Microsoft.Win32.SafeHandles;

namespace LeaderKv.TestSupport;

/// <summary>
/// A file system that runs out of space or fails fsyncs when a test says so: the storage layer's
/// fault seam (<see cref="StorageFileSystem"/>). A write that does not fit writes the bytes that
/// still fit and then fails with ENOSPC, as a real short write on a full disk does. Thread-safe.
/// </summary>
public sealed class StorageFaults : StorageFileSystem
{
    /// <summary>errno ENOSPC, as .NET reports it in <see cref="Exception.HResult"/> on Unix.</summary>
    public const int NoSpaceErrno = 28;

    /// <summary>errno EIO.</summary>
    public const int IoErrorErrno = 5;

    private readonly Lock _gate = new();
    private long _room = long.MaxValue;
    private long _spaceRefusals;
    private long _fsyncFailures;

    /// <summary>Every fsync fails with EIO while set.</summary>
    public bool FsyncFails { get; set; }

    /// <summary>Writes refused for lack of space so far.</summary>
    public long SpaceRefusals => Interlocked.Read(ref _spaceRefusals);

    public long FsyncFailures => Interlocked.Read(ref _fsyncFailures);

    /// <summary>From now on only <paramref name="bytesLeft"/> more bytes fit; the write that crosses it fails midway.</summary>
    public void Fill(long bytesLeft = 0)
    {
        lock (_gate)
        {
            _room = bytesLeft;
        }
    }

    /// <summary>Space is back: every write fits again.</summary>
    public void Free()
    {
        lock (_gate)
        {
            _room = long.MaxValue;
        }
    }

    public override void Write(SafeFileHandle handle, IReadOnlyList<ReadOnlyMemory<byte>> buffers, long offset)
    {
        var total = buffers.Sum(b => (long)b.Length);
        var fits = Take(total);
        if (fits == total)
        {
            base.Write(handle, buffers, offset);
            return;
        }

        var written = 0L;
        foreach (var buffer in buffers)
        {
            var part = (int)Math.Min(buffer.Length, fits - written);
            if (part > 0)
            {
                base.Write(handle, buffer.Span[..part], offset + written);
            }

            written += part;
        }

        throw NoSpace();
    }

    public override void Write(SafeFileHandle handle, ReadOnlySpan<byte> buffer, long offset)
    {
        var fits = Take(buffer.Length);
        if (fits > 0)
        {
            base.Write(handle, buffer[..(int)fits], offset);
        }

        if (fits < buffer.Length)
        {
            throw NoSpace();
        }
    }

    public override void Flush(SafeFileHandle handle)
    {
        if (FsyncFails)
        {
            Interlocked.Increment(ref _fsyncFailures);
            throw new IOException("Input/output error (injected)", IoErrorErrno);
        }

        base.Flush(handle);
    }

    /// <summary>How many of <paramref name="bytes"/> fit; uses up that much room.</summary>
    private long Take(long bytes)
    {
        lock (_gate)
        {
            var fits = Math.Min(bytes, _room);
            if (_room != long.MaxValue)
            {
                _room -= fits;
            }

            return fits;
        }
    }

    private IOException NoSpace()
    {
        Interlocked.Increment(ref _spaceRefusals);
        return new IOException("No space left on device (injected)", NoSpaceErrno);
    }
}
