namespace LeaderKv.Storage.Io;

/// <summary>
/// Replaces a small file so that a crash at any point leaves either the old content or the new
/// one under its name, and a completed replace survives a power loss: write a temporary file,
/// fsync it, rename it over the old one, fsync the directory. The temporary file is
/// "&lt;name&gt;.tmp" in the same directory, because a rename is atomic only within a file system.
/// </summary>
internal static class AtomicFile
{
    public const string TempSuffix = ".tmp";

    public static string TempPathFor(string path) => path + TempSuffix;

    /// <summary>
    /// Replaces the file. Out of space (creating or writing the temporary file, or renaming it), it
    /// deletes the temporary file and throws <see cref="StorageFullException"/>: the old content is
    /// still in place and the call may be repeated. A failed fsync is thrown as it is.
    /// </summary>
    public static void Write(string path, ReadOnlySpan<byte> content, StorageFileSystem? fileSystem = null)
    {
        fileSystem ??= StorageFileSystem.Default;
        var temp = TempPathFor(path);
        try
        {
            using (var handle = File.OpenHandle(temp, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                fileSystem.Write(handle, content, 0);
                fileSystem.Flush(handle);
            }

            File.Move(temp, path, overwrite: true);
        }
        catch (Exception error) when (StorageFullException.IsOutOfSpace(error))
        {
            File.Delete(temp);
            throw new StorageFullException($"No space left to replace '{path}' ({error.Message}); the previous content is kept.", error);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }

        DirectorySync.Flush(Path.GetDirectoryName(Path.GetFullPath(path))!);
    }

    /// <summary>
    /// Deletes the temporary file a crash mid-write left behind. It never holds the current
    /// content: the rename is the commit point, and before it the old file is still in place.
    /// </summary>
    public static void DeleteLeftover(string path) => File.Delete(TempPathFor(path));

    /// <summary>The file's bytes, or null when it does not exist; files read this way are a few hundred bytes.</summary>
    public static byte[]? ReadIfExists(string path, int maxBytes)
    {
        try
        {
            using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            var length = RandomAccess.GetLength(handle);
            if (length > maxBytes)
            {
                throw new StorageCorruptionException($"'{path}' is {length} bytes, more than the {maxBytes} its format allows.", path);
            }

            var content = new byte[length];
            var read = 0;
            while (read < content.Length)
            {
                var n = RandomAccess.Read(handle, content.AsSpan(read), read);
                if (n == 0)
                {
                    throw new StorageCorruptionException($"'{path}' shrank while it was read.", path, read);
                }

                read += n;
            }

            return content;
        }
        catch (FileNotFoundException)
        {
            return null;
        }
    }
}
