using LeaderKv.Core.Consensus;

namespace LeaderKv.Core.Tests.Simulation;

/// <summary>What a node's disk does with what its replica asks it to persist.</summary>
public enum StoragePolicy
{
    /// <summary>FSYNC=always: hard state, every entry record (latest per index) and the latest snapshot survive a crash.</summary>
    Durable,

    /// <summary>FSYNC=never and a power loss: the hard state survives (always fsynced), a random suffix of the records since the last sync point does not.</summary>
    Lossy,

    /// <summary>No data directory: a restart comes back with nothing.</summary>
    InMemory,
}

/// <summary>The simulated disk of one node; it outlives the node's crashes.</summary>
public sealed class NodeStorage(StoragePolicy policy)
{
    private readonly Dictionary<long, LogEntry> _records = [];

    // Records written since the last sync point, with what each replaced, so a power loss can undo a suffix.
    private readonly List<(long Index, LogEntry? Previous)> _unsynced = [];
    private HardState _hardState;
    private SnapshotImage? _snapshot;

    public StoragePolicy Policy { get; } = policy;

    public void Persist(Ready ready)
    {
        if (Policy == StoragePolicy.InMemory)
        {
            return;
        }

        if (ready.HardState is { } hardState)
        {
            _hardState = hardState;
        }

        if (ready.Snapshot is { } snapshot)
        {
            // A snapshot is written with an fsync of its own: everything before it is on disk too.
            _snapshot = snapshot;
            Sync();
        }

        foreach (var entry in ready.Entries)
        {
            _unsynced.Add((entry.Index, _records.GetValueOrDefault(entry.Index)));
            _records[entry.Index] = entry;
        }

        if (Policy == StoragePolicy.Durable)
        {
            Sync();
        }
    }

    /// <summary>The hard state alone fitted on a full disk (it is written first and is small).</summary>
    public void SaveHardState(HardState hardState)
    {
        if (Policy != StoragePolicy.InMemory)
        {
            _hardState = hardState;
        }
    }

    /// <summary>The OS flushed its page cache (FSYNC=never still writes back eventually).</summary>
    public void Sync() => _unsynced.Clear();

    /// <summary>What the node finds when it boots after a crash or power loss.</summary>
    public RecoveredReplica Recover(Random random)
    {
        switch (Policy)
        {
            case StoragePolicy.Durable:
                return new RecoveredReplica(_hardState, _snapshot, _records.Values.ToList(), Tainted: false, KeptVotes: true);
            case StoragePolicy.Lossy:
                var lost = random.Next(_unsynced.Count + 1);
                for (var i = _unsynced.Count - 1; i >= _unsynced.Count - lost; i--)
                {
                    var (index, previous) = _unsynced[i];
                    if (previous is null)
                    {
                        _records.Remove(index);
                    }
                    else
                    {
                        _records[index] = previous;
                    }
                }

                _unsynced.Clear();
                return new RecoveredReplica(_hardState, _snapshot, _records.Values.ToList(), Tainted: true, KeptVotes: true);
            default:
                return RecoveredReplica.Empty(tainted: true);
        }
    }
}
