using System.Buffers.Binary;
using System.IO.Hashing;
using LeaderKv.Storage.Io;

namespace LeaderKv.Storage.State;

/// <summary>
/// The highest index this node had verified as committed and applied, saved now and then (and at a
/// clean stop) so that a restart applies its own logged slots up to it at once instead of waiting for
/// a leader to re-send them. A lower saved index is always safe (those slots are applied again once a
/// leader confirms them), so the file may lag; it is replaced atomically. Format: i64 index, u32 CRC-32C.
/// </summary>
public sealed class AppliedIndexFile(string dataDirectory, StorageFileSystem? fileSystem = null)
{
    public const string FileName = "applied";

    private const int Size = 12;

    private readonly string _path = Path.Combine(dataDirectory, FileName);

    /// <summary>The saved index, or 0 when none was saved or the file does not verify (then nothing is assumed).</summary>
    public long Load()
    {
        AtomicFile.DeleteLeftover(_path);
        var content = AtomicFile.ReadIfExists(_path, Size);
        if (content is null || content.Length != Size)
        {
            return 0;
        }

        var index = BinaryPrimitives.ReadInt64LittleEndian(content);
        var crc = BinaryPrimitives.ReadUInt32LittleEndian(content.AsSpan(8));
        return crc == Crc32.HashToUInt32(content.AsSpan(0, 8)) && index >= 0 ? index : 0;
    }

    public void Save(long index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        Span<byte> content = stackalloc byte[Size];
        BinaryPrimitives.WriteInt64LittleEndian(content, index);
        BinaryPrimitives.WriteUInt32LittleEndian(content[8..], Crc32.HashToUInt32(content[..8]));
        AtomicFile.Write(_path, content, fileSystem);
    }
}
