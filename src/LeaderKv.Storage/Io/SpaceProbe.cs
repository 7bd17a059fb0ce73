namespace LeaderKv.Storage.Io;

/// <summary>
/// Asks the file system whether writes fit again after a full disk: writes
/// <see cref="StorageLimits.SpaceProbeBytes"/> to a temporary file in the data directory and deletes
/// it. A free-space figure (statvfs) would miss disk quotas (<c>EDQUOT</c>) and reserved blocks; a
/// real write sees what the log's next write would see. Never fsynced: it decides nothing durable.
/// </summary>
public static class SpaceProbe
{
    public const string FileName = "space-probe.tmp";

    private static readonly byte[] Zeros = new byte[StorageLimits.SpaceProbeBytes];

    /// <summary>True when the probe's bytes fit; false when the disk (or the quota) is still full. Other failures are thrown.</summary>
    public static bool HasRoom(string directory, StorageFileSystem? fileSystem = null)
    {
        fileSystem ??= StorageFileSystem.Default;
        var path = Path.Combine(directory, FileName);
        try
        {
            using var handle = File.OpenHandle(path, FileMode.Create, FileAccess.Write, FileShare.None);
            fileSystem.Write(handle, Zeros, 0);
            return true;
        }
        catch (Exception error) when (StorageFullException.IsOutOfSpace(error))
        {
            return false;
        }
        finally
        {
            File.Delete(path);
        }
    }
}
