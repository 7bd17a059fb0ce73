namespace LeaderKv.Storage;

/// <summary>
/// Stored bytes fail their checksum or framing in a place where that cannot be a crash-torn
/// tail (the middle of an older segment, a snapshot, a record read back for catch-up). The
/// storage layer never skips such data silently: the message names the file, the offset and
/// what to do.
/// </summary>
public sealed class StorageCorruptionException : IOException
{
    public StorageCorruptionException(string message, string? path = null, long? offset = null)
        : base(message)
    {
        Path = path;
        Offset = offset;
    }

    /// <summary>The damaged file, when known.</summary>
    public string? Path { get; }

    /// <summary>Byte offset of the damaged record or field within <see cref="Path"/>, when known.</summary>
    public long? Offset { get; }
}
