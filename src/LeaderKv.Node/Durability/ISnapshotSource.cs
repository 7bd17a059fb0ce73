namespace LeaderKv.Node.Durability;

/// <summary>What periodic snapshots need from either role's driver.</summary>
public interface ISnapshotSource
{
    /// <summary>Every entry ≤ this is in the served table.</summary>
    long AppliedThrough { get; }

    /// <summary>Copies the table under the driver's lock (brief: one array copy, no I/O).</summary>
    SnapshotCut CutSnapshot();

    /// <summary>The log was compacted after a snapshot and now starts at <paramref name="firstIndex"/> (0: holds no entries).</summary>
    void OnLogCompacted(long firstIndex);
}
