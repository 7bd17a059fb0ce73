using System.Globalization;
using System.Text;
using LeaderKv.Storage.Snapshots;
using LeaderKv.Storage.Wal;

namespace LeaderKv.Storage.Recovery;

/// <summary>What recovery found, for the node's start-up log and its status endpoint.</summary>
/// <param name="SnapshotIndex">Applied-through index of the snapshot used, 0 if none.</param>
/// <param name="SnapshotPath">The snapshot used, if any.</param>
/// <param name="RejectedSnapshots">
/// Newer snapshots that failed verification. If any, entries between the snapshot used and the
/// rejected one may already have been deleted from the log, or survive only in an older
/// acceptance whose re-stamp was deleted: the node must not vote on those slots as if it still
/// held its acceptances (treat it as tainted); on a leader it is data loss to report.
/// </param>
/// <param name="SegmentsRead">Log segment files read.</param>
/// <param name="RecordsRead">Valid log records read, including repeats and those covered by the snapshot.</param>
/// <param name="EntriesCoveredBySnapshot">Records dropped because their index is ≤ <paramref name="SnapshotIndex"/>.</param>
/// <param name="RecordsSuperseded">
/// Records above the snapshot replaced by a later record for the same index: a newer leader
/// re-proposing the slot (a higher accepted term) or a repeated delivery (same term and value).
/// </param>
/// <param name="ValuesReplaced">
/// Of those, how many the later record replaced with another key or value, always in a higher
/// term: an uncommitted write a newer leader dropped, or a hole it filled with a no-op.
/// </param>
/// <param name="TailRepair">The damaged tail cut off the newest segment, if one was found.</param>
/// <param name="HighestIndex">Highest index in the snapshot or the log. A leader continues its sequence after it, so no index is ever reused.</param>
public sealed record RecoveryReport(
    long SnapshotIndex,
    string? SnapshotPath,
    IReadOnlyList<SnapshotRejection> RejectedSnapshots,
    int SegmentsRead,
    long RecordsRead,
    long EntriesCoveredBySnapshot,
    long RecordsSuperseded,
    long ValuesReplaced,
    LogTailRepair? TailRepair,
    long HighestIndex)
{
    /// <summary>True when a torn or corrupt tail was found and truncated.</summary>
    public bool TailTruncated => TailRepair is not null;

    /// <summary>One line for the node's start-up log.</summary>
    public string Summary()
    {
        var text = new StringBuilder();
        var culture = CultureInfo.InvariantCulture;
        text.Append(culture, $"recovered snapshot through {SnapshotIndex}, {RecordsRead} log records from {SegmentsRead} segments ");
        text.Append(culture, $"({EntriesCoveredBySnapshot} covered by the snapshot, {RecordsSuperseded} superseded by a later record for their index, {ValuesReplaced} of them with another value); highest index {HighestIndex}");
        if (TailRepair is { } repair)
        {
            text.Append(culture, $"; {(repair.Torn ? "torn" : "corrupt")} tail in '{repair.SegmentPath}' truncated at byte {repair.TruncatedAt}, {repair.BytesDiscarded} bytes discarded: {repair.Reason}");
        }

        foreach (var rejection in RejectedSnapshots)
        {
            text.Append(culture, $"; rejected snapshot '{rejection.Path}': {rejection.Reason}");
        }

        return text.ToString();
    }
}
