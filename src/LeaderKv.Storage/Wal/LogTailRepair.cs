namespace LeaderKv.Storage.Wal;

/// <summary>
/// A damaged tail found in the newest segment when the log was opened, and cut off. After a
/// crash the bytes past the last completed write can be anything (half a record, zeros, stale
/// data), so the log keeps every record before the first bad one and truncates the file there:
/// new appends must never follow garbage, or the next recovery would stop at it and lose them.
/// </summary>
/// <param name="SegmentPath">The newest segment, which was truncated.</param>
/// <param name="TruncatedAt">File length after truncation: the end of the last good record.</param>
/// <param name="BytesDiscarded">Bytes cut off. A large number on a node that ran with <see cref="FsyncPolicy.Always"/> points at disk damage rather than a crash.</param>
/// <param name="Torn">True if the first bad record ran past the end of the file (a write cut short); false if it failed a check (length, CRC, fields).</param>
/// <param name="Reason">What the first bad record failed.</param>
public sealed record LogTailRepair(string SegmentPath, long TruncatedAt, long BytesDiscarded, bool Torn, string Reason);
