using LeaderKv.Core;

namespace LeaderKv.Node.Replication;

/// <summary>What the read endpoints need from either role: a consistent look at the served table.</summary>
public interface INodeStore
{
    /// <summary>Runs <paramref name="read"/> under the node's lock; keep it short and copy what you need out.</summary>
    T Read<T>(Func<KeyValueTable, T> read);

    long AppliedThrough { get; }

    /// <summary>Waits until every index ≤ <paramref name="index"/> is applied here; false when the timeout passes first.</summary>
    Task<bool> WaitForAppliedAsync(long index, TimeSpan timeout, CancellationToken token);
}
