using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;
using LeaderKv.Core;
using LeaderKv.Storage.Io;

namespace LeaderKv.Storage.State;

/// <summary>
/// The node's <see cref="HardState"/> in one small file, "state", in the data directory.
/// <para>
/// Every <see cref="Save"/> is atomic and fsynced (file and directory) before it returns,
/// whatever the log's <see cref="FsyncPolicy"/>: a vote or a term that a power loss could
/// take back lets one node vote twice in a term, and then two leaders can commit different
/// values at one index. It is called rarely (on a new term or a vote), so one synchronous
/// fsync per call is the price.
/// </para>
/// <para>
/// Save also checks the two rules the caller must never break, as a pair to the checks in the
/// core: the term never goes down, and within one term the vote, once granted, never changes.
/// Thread-safe; meant to be called from the node's one driver loop.
/// </para>
/// </summary>
public sealed class HardStateStore
{
    /// <summary>The file's name in the data directory.</summary>
    public const string FileName = "state";

    // Format, little-endian, version 1:
    //   0   u32  magic 0x5453484C ("LHST" on disk)
    //   4   u16  format version, 1
    //   6   u16  flags: bit 0 = a vote is recorded, bit 1 = a fingerprint is recorded
    //   8   i64  term, >= 0
    //  16   i64  voted incarnation (0 without a vote)
    //  24   u16  V, then V bytes: voted-for node id, UTF-8
    //       u16  F, then F bytes: cluster fingerprint, UTF-8
    //       u32  CRC-32C of every byte before it
    // The file is exactly that long; anything else is corruption.
    private const uint Magic = 0x5453484C;
    private const ushort FormatVersion = 1;
    private const ushort HasVoteFlag = 1;
    private const ushort HasFingerprintFlag = 2;
    private const int FixedSize = 24 + 2 + 2 + 4;
    private const int MaxFileSize = FixedSize + StorageLimits.MaxNodeIdBytes + StorageLimits.MaxFingerprintBytes;

    private readonly Lock _lock = new();
    private HardState? _current;

    private readonly StorageFileSystem _fileSystem;

    private HardStateStore(string dataDirectory, StorageFileSystem fileSystem)
    {
        _fileSystem = fileSystem;
        DataDirectory = dataDirectory;
        FilePath = Path.Combine(dataDirectory, FileName);
    }

    public string DataDirectory { get; }

    public string FilePath { get; }

    /// <summary>
    /// Opens the store in <paramref name="dataDirectory"/> (created if missing) and deletes the
    /// temporary file an interrupted save left behind. Reads nothing yet: see <see cref="Load"/>.
    /// </summary>
    public static HardStateStore Open(string dataDirectory, StorageFileSystem? fileSystem = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(dataDirectory);
        Directory.CreateDirectory(dataDirectory);
        var store = new HardStateStore(dataDirectory, fileSystem ?? StorageFileSystem.Default);
        AtomicFile.DeleteLeftover(store.FilePath);
        return store;
    }

    /// <summary>
    /// The saved state, or <see cref="HardState.Initial"/> when none was ever saved. Throws
    /// <see cref="StorageCorruptionException"/> when the file is damaged: never guess a term or a
    /// vote, since a guess too low is exactly what lets a node vote twice.
    /// </summary>
    public HardState Load()
    {
        lock (_lock)
        {
            return LoadLocked();
        }
    }

    /// <summary>
    /// Durably replaces the saved state. When this returns, the state survives a power loss. Out
    /// of space it throws <see cref="StorageFullException"/> and the previous state stays saved.
    /// Throws <see cref="InvariantViolationException"/> for a lower term than the saved one, or a
    /// changed vote within the same term: both are bugs in the caller, and saving them would
    /// break the one-vote-per-term promise.
    /// </summary>
    public void Save(HardState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        Validate(state);
        lock (_lock)
        {
            var saved = LoadLocked();
            Invariant.Check(state.Term >= saved.Term, $"hard state term would go down from {saved.Term} to {state.Term}");
            if (state.Term == saved.Term && saved.HasVote)
            {
                Invariant.Check(
                    string.Equals(state.VotedFor, saved.VotedFor, StringComparison.Ordinal) && state.VotedIncarnation == saved.VotedIncarnation,
                    $"vote in term {saved.Term} would change from {saved.VotedFor}/{saved.VotedIncarnation} to {state.VotedFor ?? "none"}/{state.VotedIncarnation}");
            }

            if (state == saved)
            {
                return;
            }

            AtomicFile.Write(FilePath, Encode(state), _fileSystem);
            _current = state;
        }
    }

    /// <summary>
    /// Checks the configured cluster fingerprint against the one the data directory was created
    /// with, recording it (durably) if none was recorded yet: a new data directory, or one from a
    /// version before fingerprints. Returns the state after that. Throws
    /// <see cref="ClusterFingerprintMismatchException"/> when they differ.
    /// </summary>
    public HardState BindCluster(string fingerprint)
    {
        ArgumentException.ThrowIfNullOrEmpty(fingerprint);
        lock (_lock)
        {
            var saved = LoadLocked();
            if (saved.ClusterFingerprint is null)
            {
                var bound = saved with { ClusterFingerprint = fingerprint };
                Validate(bound);
                AtomicFile.Write(FilePath, Encode(bound), _fileSystem);
                _current = bound;
                return bound;
            }

            if (!string.Equals(saved.ClusterFingerprint, fingerprint, StringComparison.Ordinal))
            {
                throw new ClusterFingerprintMismatchException(DataDirectory, saved.ClusterFingerprint, fingerprint);
            }

            return saved;
        }
    }

    private HardState LoadLocked()
    {
        if (_current is null)
        {
            var content = AtomicFile.ReadIfExists(FilePath, MaxFileSize);
            _current = content is null ? HardState.Initial : Decode(content, FilePath);
        }

        return _current;
    }

    private static void Validate(HardState state)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(state.Term, "state.Term");
        if (state.VotedFor is null)
        {
            if (state.VotedIncarnation != 0)
            {
                throw new ArgumentException("An incarnation is recorded only with a vote.", nameof(state));
            }
        }
        else
        {
            CheckText(state.VotedFor, StorageLimits.MaxNodeIdBytes, "state.VotedFor");
        }

        if (state.ClusterFingerprint is not null)
        {
            CheckText(state.ClusterFingerprint, StorageLimits.MaxFingerprintBytes, "state.ClusterFingerprint");
        }
    }

    private static void CheckText(string text, int maxBytes, string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(text, name);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(Encoding.UTF8.GetByteCount(text), maxBytes, name);
    }

    internal static byte[] Encode(HardState state)
    {
        var votedFor = Encoding.UTF8.GetBytes(state.VotedFor ?? "");
        var fingerprint = Encoding.UTF8.GetBytes(state.ClusterFingerprint ?? "");
        var content = new byte[FixedSize + votedFor.Length + fingerprint.Length];
        var span = content.AsSpan();
        var flags = (ushort)((state.HasVote ? HasVoteFlag : 0) | (state.ClusterFingerprint is null ? 0 : HasFingerprintFlag));
        BinaryPrimitives.WriteUInt32LittleEndian(span, Magic);
        BinaryPrimitives.WriteUInt16LittleEndian(span[4..], FormatVersion);
        BinaryPrimitives.WriteUInt16LittleEndian(span[6..], flags);
        BinaryPrimitives.WriteInt64LittleEndian(span[8..], state.Term);
        BinaryPrimitives.WriteInt64LittleEndian(span[16..], state.VotedIncarnation);
        var offset = WriteText(span, 24, votedFor);
        offset = WriteText(span, offset, fingerprint);
        BinaryPrimitives.WriteUInt32LittleEndian(span[offset..], Crc32.HashToUInt32(Crc32ParameterSet.Crc32C, span[..offset]));
        return content;
    }

    private static int WriteText(Span<byte> destination, int offset, byte[] text)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(destination[offset..], (ushort)text.Length);
        text.CopyTo(destination[(offset + 2)..]);
        return offset + 2 + text.Length;
    }

    internal static HardState Decode(ReadOnlySpan<byte> content, string path)
    {
        if (content.Length < FixedSize)
        {
            throw Damaged(path, $"{content.Length} bytes, shorter than the {FixedSize} of an empty state");
        }

        if (BinaryPrimitives.ReadUInt32LittleEndian(content) != Magic)
        {
            throw Damaged(path, "bad magic (not a LeaderKV hard state file)");
        }

        var version = BinaryPrimitives.ReadUInt16LittleEndian(content[4..]);
        if (version != FormatVersion)
        {
            throw Damaged(path, $"unsupported format version {version} (this build reads {FormatVersion})");
        }

        var stored = BinaryPrimitives.ReadUInt32LittleEndian(content[^4..]);
        var actual = Crc32.HashToUInt32(Crc32ParameterSet.Crc32C, content[..^4]);
        if (stored != actual)
        {
            throw Damaged(path, $"CRC-32C mismatch (stored {stored:x8}, computed {actual:x8})");
        }

        var flags = BinaryPrimitives.ReadUInt16LittleEndian(content[6..]);
        var term = BinaryPrimitives.ReadInt64LittleEndian(content[8..]);
        var incarnation = BinaryPrimitives.ReadInt64LittleEndian(content[16..]);
        var body = content[..^4];
        var votedFor = ReadText(body, 24, StorageLimits.MaxNodeIdBytes, path, out var offset);
        var fingerprint = ReadText(body, offset, StorageLimits.MaxFingerprintBytes, path, out offset);
        var hasVote = (flags & HasVoteFlag) != 0;
        var hasFingerprint = (flags & HasFingerprintFlag) != 0;
        // The CRC matched, so the writer produced these: a bug rather than a disk error, but never trust them.
        if (offset != body.Length
            || (flags & ~(HasVoteFlag | HasFingerprintFlag)) != 0
            || term < 0
            || hasVote != (votedFor.Length > 0)
            || (!hasVote && incarnation != 0)
            || hasFingerprint != (fingerprint.Length > 0))
        {
            throw Damaged(path, $"fields inconsistent (flags {flags}, term {term}, vote bytes {votedFor.Length}, fingerprint bytes {fingerprint.Length}, length {content.Length})");
        }

        return new HardState(
            term,
            hasVote ? Encoding.UTF8.GetString(votedFor) : null,
            incarnation,
            hasFingerprint ? Encoding.UTF8.GetString(fingerprint) : null);
    }

    private static ReadOnlySpan<byte> ReadText(ReadOnlySpan<byte> body, int offset, int maxBytes, string path, out int next)
    {
        if (offset + 2 > body.Length)
        {
            throw Damaged(path, $"a length field at byte {offset} runs past the end");
        }

        int length = BinaryPrimitives.ReadUInt16LittleEndian(body[offset..]);
        if (length > maxBytes || offset + 2 + length > body.Length)
        {
            throw Damaged(path, $"text of {length} bytes at byte {offset} is longer than allowed ({maxBytes}) or runs past the end");
        }

        next = offset + 2 + length;
        return body.Slice(offset + 2, length);
    }

    private static StorageCorruptionException Damaged(string path, string problem) =>
        new(
            $"Hard state file '{path}' is damaged: {problem}. It holds this node's term and vote, which cannot be guessed safely. " +
            "Restore the data directory from a backup. Wiping it makes the node forget the votes it granted, so a wiped node must count as tainted until it has caught up.",
            path);
}
