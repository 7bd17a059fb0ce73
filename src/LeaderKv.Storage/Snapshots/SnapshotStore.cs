using System.Globalization;
using LeaderKv.Core;
using LeaderKv.Core.Consensus;
using LeaderKv.Storage.Io;

namespace LeaderKv.Storage.Snapshots;

/// <summary>A snapshot file in the store; its name carries the applied-through index.</summary>
public readonly record struct SnapshotFile(string Path, long AppliedThrough);

/// <summary>A snapshot that was read and verified, with the table it holds.</summary>
public sealed record LoadedSnapshot(string Path, SnapshotHeader Header, KeyValueTable Table);

/// <summary>A snapshot file that failed verification and was skipped.</summary>
public sealed record SnapshotRejection(string Path, string Reason);

/// <summary>What <see cref="SnapshotStore.LoadLatestAsync"/> found: the newest valid snapshot (if any) and every newer one it had to reject.</summary>
public sealed record SnapshotLoadResult(LoadedSnapshot? Snapshot, IReadOnlyList<SnapshotRejection> Rejected);

/// <summary>
/// Snapshot files in one directory, named "snapshot-&lt;applied-through:D20&gt;.snap". A snapshot is
/// written to a temporary file, fsynced, renamed into place and the directory fsynced, so a
/// crash leaves either the old set or the new one, never half a file under a final name. The
/// newest <see cref="Retain"/> snapshots are kept so that a damaged newest one can fall back to
/// the one before it. Not safe for concurrent writers: the node has one snapshotting task.
/// </summary>
public sealed class SnapshotStore
{
    /// <summary>Two: the newest, and one to fall back to if the newest turns out damaged.</summary>
    public const int DefaultRetain = 2;

    private const string Prefix = "snapshot-";
    private const string Extension = ".snap";
    private const string TempExtension = ".tmp";

    private readonly string _directory;

    /// <summary>Opens (or creates) the store, deleting temporary files a crash left behind.</summary>
    public SnapshotStore(string directory, int retain = DefaultRetain)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentOutOfRangeException.ThrowIfLessThan(retain, 1);
        _directory = directory;
        Retain = retain;
        Directory.CreateDirectory(directory);
        foreach (var temp in Directory.EnumerateFiles(directory, "*" + TempExtension))
        {
            File.Delete(temp);
        }
    }

    /// <summary>How many snapshots are kept after each write.</summary>
    public int Retain { get; }

    /// <summary>The store's directory.</summary>
    public string DirectoryPath => _directory;

    /// <summary>Snapshot files present, newest (highest applied-through) first.</summary>
    public IReadOnlyList<SnapshotFile> List()
    {
        var files = new List<SnapshotFile>();
        foreach (var path in Directory.EnumerateFiles(_directory, Prefix + "*" + Extension))
        {
            var name = Path.GetFileName(path);
            var digits = name.AsSpan(Prefix.Length, name.Length - Prefix.Length - Extension.Length);
            if (digits.Length == 20 && long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var index))
            {
                files.Add(new SnapshotFile(path, index));
            }
        }

        files.Sort((a, b) => b.AppliedThrough.CompareTo(a.AppliedThrough));
        return files;
    }

    /// <summary>
    /// Writes a durable snapshot and prunes old ones. When this returns, log entries at or below
    /// <paramref name="appliedThrough"/> may be deleted (<see cref="IWriteAheadLog.DeleteThroughAsync"/>).
    /// </summary>
    public Task<SnapshotFile> WriteAsync(
        long appliedThrough,
        long term,
        IReadOnlyCollection<KeyValuePair<string, VersionedValue>> entries,
        CancellationToken token) =>
        WriteAsync(term, new SnapshotImage(appliedThrough, [.. entries]), token);

    /// <summary>
    /// Writes a durable snapshot of <paramref name="image"/> (values, idempotency records and clock)
    /// and prunes old ones. When this returns, log entries at or below its index may be deleted.
    /// </summary>
    public async Task<SnapshotFile> WriteAsync(long term, SnapshotImage image, CancellationToken token)
    {
        ArgumentNullException.ThrowIfNull(image);
        var appliedThrough = image.Index;
        var final = PathFor(appliedThrough);
        var temp = final + TempExtension;
        try
        {
            await using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0))
            {
                await SnapshotWriter.WriteAsync(stream, term, image, token).ConfigureAwait(false);
                stream.Flush(flushToDisk: true);
            }

            Install(temp, final);
        }
        catch (Exception error) when (StorageFullException.IsOutOfSpace(error))
        {
            File.Delete(temp);
            throw new StorageFullException($"No space left to write snapshot '{final}' ({error.Message}); the log keeps every entry it would have covered.", error);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }

        return new SnapshotFile(final, appliedThrough);
    }

    /// <summary>
    /// Loads the newest snapshot that verifies. Damaged ones are skipped and reported (not
    /// deleted: an operator may want them), so the caller can log that it fell back. Null when
    /// no snapshot verifies.
    /// </summary>
    public async Task<SnapshotLoadResult> LoadLatestAsync(CancellationToken token)
    {
        var rejected = new List<SnapshotRejection>();
        foreach (var file in List())
        {
            try
            {
                var loaded = await LoadAsync(file.Path, token).ConfigureAwait(false);
                if (loaded.Header.AppliedThrough != file.AppliedThrough)
                {
                    rejected.Add(new SnapshotRejection(file.Path, $"file name says index {file.AppliedThrough}, content says {loaded.Header.AppliedThrough}"));
                    continue;
                }

                return new SnapshotLoadResult(loaded, rejected);
            }
            catch (StorageCorruptionException error)
            {
                rejected.Add(new SnapshotRejection(file.Path, error.Message));
            }
        }

        return new SnapshotLoadResult(null, rejected);
    }

    /// <summary>Reads and verifies one snapshot file.</summary>
    public static async Task<LoadedSnapshot> LoadAsync(string path, CancellationToken token)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0);
        var table = new KeyValueTable();
        try
        {
            var header = await SnapshotReader.ReadIntoAsync(stream, table, token).ConfigureAwait(false);
            return new LoadedSnapshot(path, header, table);
        }
        catch (StorageCorruptionException error)
        {
            throw new StorageCorruptionException($"Snapshot '{path}': {error.Message}", path);
        }
    }

    /// <summary>Opens a snapshot's raw bytes, to send them to a follower as they are (snapshot transfer).</summary>
    public static Stream OpenRead(SnapshotFile file) =>
        new FileStream(file.Path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, bufferSize: 64 * 1024, useAsync: true);

    /// <summary>
    /// Receives a snapshot stream (from the leader), stores it durably and returns its table. The
    /// bytes are verified before the file gets its final name, so a transfer cut short or
    /// damaged in flight never replaces a good snapshot.
    /// </summary>
    public async Task<LoadedSnapshot> InstallAsync(Stream source, CancellationToken token)
    {
        ArgumentNullException.ThrowIfNull(source);
        var temp = Path.Combine(_directory, "incoming-" + Guid.NewGuid().ToString("N") + TempExtension);
        try
        {
            await using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0))
            {
                await source.CopyToAsync(stream, 64 * 1024, token).ConfigureAwait(false);
                stream.Flush(flushToDisk: true);
            }

            var loaded = await LoadAsync(temp, token).ConfigureAwait(false);
            var final = PathFor(loaded.Header.AppliedThrough);
            Install(temp, final);
            return loaded with { Path = final };
        }
        catch (Exception error) when (StorageFullException.IsOutOfSpace(error))
        {
            File.Delete(temp);
            throw new StorageFullException($"No space left to store the leader's snapshot in '{_directory}' ({error.Message}); nothing was installed.", error);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }

    private string PathFor(long appliedThrough)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(appliedThrough);
        return Path.Combine(_directory, Prefix + appliedThrough.ToString("D20", CultureInfo.InvariantCulture) + Extension);
    }

    /// <summary>Renames a synced temporary file into place, makes the rename durable, and prunes.</summary>
    private void Install(string temp, string final)
    {
        File.Move(temp, final, overwrite: true);
        DirectorySync.Flush(_directory);
        var files = List();
        for (var i = Retain; i < files.Count; i++)
        {
            File.Delete(files[i].Path);
        }

        if (files.Count > Retain)
        {
            DirectorySync.Flush(_directory);
        }
    }
}
