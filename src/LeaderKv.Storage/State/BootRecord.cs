using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;
using LeaderKv.Storage.Io;

namespace LeaderKv.Storage.State;

/// <summary>How the node's previous run on this data directory ended, as far as the boot record tells.</summary>
public enum PreviousRun
{
    /// <summary>The data directory holds nothing yet: the node's first start. Nothing can have been lost.</summary>
    None,

    /// <summary>The previous run marked a clean shutdown, after syncing everything it had written.</summary>
    CleanShutdown,

    /// <summary>
    /// The previous run ended without the mark (a crash, kill -9, OOM kill) and the machine has not
    /// rebooted since: every byte it handed the OS is still in the page cache and reaches the disk,
    /// so nothing acknowledged was lost, whatever its fsync policy.
    /// </summary>
    CrashedSameBoot,

    /// <summary>
    /// The previous run ended without the mark and the machine rebooted since (its boot id
    /// changed, or no boot id is available to tell): what it had not fsynced may be gone.
    /// </summary>
    UncleanReboot,

    /// <summary>
    /// The directory holds data but no readable boot record: written by a version without boot
    /// tracking, or the record is damaged (<see cref="BootCheck.Problem"/>). Treated as the worst case.
    /// </summary>
    Unknown,
}

/// <summary>What <see cref="BootRecord.Begin"/> found.</summary>
/// <param name="PreviousRun">How the previous run ended.</param>
/// <param name="LostPossible">
/// True when acknowledged writes of earlier runs may be missing from the disk: the previous run
/// ended in an <see cref="PreviousRun.UncleanReboot"/> while writes not yet fsynced could exist
/// (it, or a run it crashed into on the same boot, used a policy other than
/// <see cref="FsyncPolicy.Always"/>), or the previous run is <see cref="PreviousRun.Unknown"/>.
/// </param>
/// <param name="Tainted">
/// True when the node must count toward no election quorum until it has caught up (DESIGN §3,
/// "Nodes without their state"): <paramref name="LostPossible"/> now, or a taint an earlier run
/// recorded and nobody cleared. The taint is kept across restarts until
/// <see cref="BootRecord.ClearTaint"/>, so a crash while tainted does not launder it.
/// </param>
/// <param name="BootId">This machine's current boot id, or null when the platform has none.</param>
/// <param name="PreviousBootId">The boot id the previous run started under, when recorded.</param>
/// <param name="Problem">Why the boot record could not be read, for <see cref="PreviousRun.Unknown"/>.</param>
public sealed record BootCheck(PreviousRun PreviousRun, bool LostPossible, bool Tainted, string? BootId, string? PreviousBootId, string? Problem);

/// <summary>
/// The "boot" file in the data directory: which boot of the machine the current run started in,
/// whether it ended cleanly, whether it may have left writes that were not fsynced, and whether
/// the node is tainted. It tells a process crash (page cache intact) from a machine crash (page
/// cache gone), which is what decides whether <see cref="FsyncPolicy.Interval"/> or
/// <see cref="FsyncPolicy.Never"/> lost acknowledged writes.
/// <para>
/// The rule, applied by <see cref="Begin"/>: a previous run that marked a clean shutdown lost
/// nothing. One that did not, on the same boot id, lost nothing to the OS either (even after
/// kill -9: the kernel still writes back its dirty pages; only a writeback I/O error, which the
/// OS reports to no one under those policies, escapes this). One that did not and ran under
/// another boot id, or where no boot id is available, may have lost every write not yet
/// fsynced, unless no such write could exist because every run since the last clean shutdown
/// used <see cref="FsyncPolicy.Always"/>.
/// </para>
/// <para>
/// Every write of the record is atomic and fsynced (file and directory), whatever the fsync
/// policy: a "running" record lost in a power loss would let the clean mark of an earlier run
/// answer for this one.
/// </para>
/// </summary>
public sealed class BootRecord
{
    /// <summary>The file's name in the data directory.</summary>
    public const string FileName = "boot";

    /// <summary>Where Linux publishes a random id that changes at every boot.</summary>
    public const string LinuxBootIdPath = "/proc/sys/kernel/random/boot_id";

    // Format, little-endian, version 1:
    //   0  u32  magic 0x544B424C ("LBKT" on disk)
    //   4  u16  format version, 1
    //   6  u16  flags: bit 0 = clean shutdown, bit 1 = tainted, bit 2 = unsynced writes possible
    //   8  u16  B, then B bytes: boot id the run started under, UTF-8 (0 bytes: none available)
    //      u32  CRC-32C of every byte before it
    private const uint Magic = 0x544B424C;
    private const ushort FormatVersion = 1;
    private const ushort CleanFlag = 1;
    private const ushort TaintedFlag = 2;
    private const ushort UnsyncedFlag = 4;
    private const int FixedSize = 10 + 4;
    private const int MaxFileSize = FixedSize + StorageLimits.MaxBootIdBytes;

    private readonly Lock _lock = new();
    private readonly string _path;
    private readonly bool _unsyncedPossible;
    private bool _tainted;
    private bool _clean;

    private BootRecord(string path, BootCheck check, bool unsyncedPossible)
    {
        _path = path;
        Check = check;
        _tainted = check.Tainted;
        _unsyncedPossible = unsyncedPossible;
    }

    /// <summary>What was found at start.</summary>
    public BootCheck Check { get; }

    /// <summary>True until <see cref="ClearTaint"/> (initially <see cref="BootCheck.Tainted"/>).</summary>
    public bool Tainted
    {
        get
        {
            lock (_lock)
            {
                return _tainted;
            }
        }
    }

    /// <summary>
    /// Reads the previous run's record, decides what it may have lost (see the class remarks), and
    /// durably records this run as started and not yet cleanly shut down. Call it before anything
    /// else opens the data directory: a directory holding nothing but this record is a first start,
    /// and anything else written first would look like data from an unknown previous run.
    /// </summary>
    /// <param name="dataDirectory">The node's data directory; created if missing.</param>
    /// <param name="fsync">This run's log fsync policy: whether it can leave unsynced acknowledged writes.</param>
    /// <param name="bootIdSource">
    /// Returns the current boot id, or null when there is none. Defaults to <see cref="ReadLinuxBootId"/>;
    /// tests pass their own to simulate a reboot.
    /// </param>
    public static BootRecord Begin(string dataDirectory, FsyncPolicy fsync, Func<string?>? bootIdSource = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(dataDirectory);
        if (!Enum.IsDefined(fsync))
        {
            throw new ArgumentOutOfRangeException(nameof(fsync), fsync, "Unknown fsync policy.");
        }

        Directory.CreateDirectory(dataDirectory);
        var path = Path.Combine(dataDirectory, FileName);
        AtomicFile.DeleteLeftover(path);
        var bootId = (bootIdSource ?? ReadLinuxBootId)();
        if (bootId is not null)
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThan(Encoding.UTF8.GetByteCount(bootId), StorageLimits.MaxBootIdBytes, nameof(bootIdSource));
        }

        var (check, unsyncedBefore) = Inspect(dataDirectory, path, bootId);
        // Writes a crashed run left in the page cache are still unsynced in this run, even under Always.
        var record = new BootRecord(path, check, unsyncedBefore || fsync != FsyncPolicy.Always);
        record.Write(bootId);
        return record;
    }

    /// <summary>
    /// Durably records that this node is no longer tainted. The caller decides when: under a
    /// leader elected after this node came back, once it holds that leader's last index.
    /// </summary>
    public void ClearTaint()
    {
        lock (_lock)
        {
            if (!_tainted)
            {
                return;
            }

            _tainted = false;
            Write(Check.BootId);
        }
    }

    /// <summary>
    /// Durably records that this run ended cleanly. Call it last, after the log was synced
    /// (<c>SyncAsync</c>, which fsyncs whatever the policy, then disposed), the hard state saved
    /// and any snapshot finished: the mark promises that nothing this run wrote is only in the page
    /// cache. Disposing the log alone is not enough under <see cref="FsyncPolicy.Never"/>.
    /// </summary>
    public void MarkCleanShutdown()
    {
        lock (_lock)
        {
            _clean = true;
            Write(Check.BootId);
        }
    }

    /// <summary>The Linux boot id, or null where the platform has none (it cannot then tell a crash from a reboot).</summary>
    public static string? ReadLinuxBootId()
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        try
        {
            var text = File.ReadAllText(LinuxBootIdPath).Trim();
            return text.Length == 0 ? null : text;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static (BootCheck Check, bool UnsyncedBefore) Inspect(string dataDirectory, string path, string? bootId)
    {
        byte[]? content;
        Previous? previous = null;
        string? problem = null;
        try
        {
            content = AtomicFile.ReadIfExists(path, MaxFileSize);
            previous = content is null ? null : Decode(content);
            if (content is not null && previous is null)
            {
                problem = $"boot record '{path}' is damaged (bad magic, version, length or CRC-32C)";
            }
        }
        catch (StorageCorruptionException error)
        {
            content = [];
            problem = error.Message;
        }

        if (previous is not { } run)
        {
            if (content is null && !HoldsData(dataDirectory))
            {
                return (new BootCheck(PreviousRun.None, false, false, bootId, null, null), false);
            }

            problem ??= $"no boot record '{path}' in a data directory that holds data (written by a version without boot tracking?)";
            return (new BootCheck(PreviousRun.Unknown, true, true, bootId, null, problem), true);
        }

        if (run.Clean)
        {
            return (new BootCheck(PreviousRun.CleanShutdown, false, run.Tainted, bootId, run.BootId, null), false);
        }

        var sameBoot = bootId is not null && string.Equals(bootId, run.BootId, StringComparison.Ordinal);
        if (sameBoot)
        {
            return (new BootCheck(PreviousRun.CrashedSameBoot, false, run.Tainted, bootId, run.BootId, null), run.UnsyncedPossible);
        }

        var lost = run.UnsyncedPossible;
        // Once lost, always tainted until cleared; the unsynced writes are gone, so none carry over.
        return (new BootCheck(PreviousRun.UncleanReboot, lost, lost || run.Tainted, bootId, run.BootId, null), false);
    }

    /// <summary>Whether anything but the boot record (or its leftover temporary file) exists under the data directory.</summary>
    private static bool HoldsData(string dataDirectory)
    {
        foreach (var file in Directory.EnumerateFiles(dataDirectory, "*", SearchOption.AllDirectories))
        {
            var name = Path.GetRelativePath(dataDirectory, file);
            if (name != FileName && name != FileName + AtomicFile.TempSuffix)
            {
                return true;
            }
        }

        return false;
    }

    private void Write(string? bootId)
    {
        var id = Encoding.UTF8.GetBytes(bootId ?? "");
        var content = new byte[FixedSize + id.Length];
        var span = content.AsSpan();
        var flags = (ushort)((_clean ? CleanFlag : 0) | (_tainted ? TaintedFlag : 0) | (_unsyncedPossible ? UnsyncedFlag : 0));
        BinaryPrimitives.WriteUInt32LittleEndian(span, Magic);
        BinaryPrimitives.WriteUInt16LittleEndian(span[4..], FormatVersion);
        BinaryPrimitives.WriteUInt16LittleEndian(span[6..], flags);
        BinaryPrimitives.WriteUInt16LittleEndian(span[8..], (ushort)id.Length);
        id.CopyTo(span[10..]);
        BinaryPrimitives.WriteUInt32LittleEndian(span[^4..], Crc32.HashToUInt32(Crc32ParameterSet.Crc32C, span[..^4]));
        AtomicFile.Write(_path, content);
    }

    private static Previous? Decode(ReadOnlySpan<byte> content)
    {
        if (content.Length < FixedSize
            || BinaryPrimitives.ReadUInt32LittleEndian(content) != Magic
            || BinaryPrimitives.ReadUInt16LittleEndian(content[4..]) != FormatVersion
            || BinaryPrimitives.ReadUInt32LittleEndian(content[^4..]) != Crc32.HashToUInt32(Crc32ParameterSet.Crc32C, content[..^4]))
        {
            return null;
        }

        var flags = BinaryPrimitives.ReadUInt16LittleEndian(content[6..]);
        int length = BinaryPrimitives.ReadUInt16LittleEndian(content[8..]);
        if ((flags & ~(CleanFlag | TaintedFlag | UnsyncedFlag)) != 0 || FixedSize + length != content.Length)
        {
            return null;
        }

        var bootId = length == 0 ? null : Encoding.UTF8.GetString(content.Slice(10, length));
        return new Previous(bootId, (flags & CleanFlag) != 0, (flags & TaintedFlag) != 0, (flags & UnsyncedFlag) != 0);
    }

    private readonly record struct Previous(string? BootId, bool Clean, bool Tainted, bool UnsyncedPossible);
}
