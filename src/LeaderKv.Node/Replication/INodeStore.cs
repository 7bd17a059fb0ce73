using LeaderKv.Core;
using LeaderKv.Core.Consensus;

namespace LeaderKv.Node.Replication;

/// <summary>What the read endpoints need from either role: a consistent look at the served table.</summary>
public interface INodeStore
{
    /// <summary>Runs <paramref name="read"/> under the node's lock; keep it short and copy what you need out.</summary>
    T Read<T>(Func<KeyValueTable, T> read);

    long AppliedThrough { get; }

    /// <summary>Runs <paramref name="read"/> under the node's lock with the table and the applied index it reflects.</summary>
    T ReadAt<T>(Func<KeyValueTable, long, T> read);

    /// <summary>A linearizable read's first step: the leader confirms its leadership with a fresh round and names the index to wait for.</summary>
    Task<ReadIndexResult> ConfirmReadAsync(TimeSpan timeout, CancellationToken token);

    /// <summary>Waits until every index ≤ <paramref name="index"/> is applied here; false when the timeout passes first.</summary>
    Task<bool> WaitForAppliedAsync(long index, TimeSpan timeout, CancellationToken token);
}
