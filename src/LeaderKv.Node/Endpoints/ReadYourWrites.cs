using LeaderKv.Node.Replication;

namespace LeaderKv.Node.Endpoints;

/// <summary>
/// <c>?minIndex=N</c> on a read: answer only once this node has applied index N (the index a
/// <c>/write</c> returned), waiting up to <c>waitMs</c>. This is how a client reads its own write
/// from a follower without reading from the leader.
/// </summary>
internal static class ReadYourWrites
{
    /// <summary>Default wait when the client names an index but no wait: about one MAX_DELAY of the seed's lab.</summary>
    private const int DefaultWaitMs = 1000;

    /// <summary>Longest wait a client may ask for; longer holds a request (and its connection) for little benefit.</summary>
    private const int MaxWaitMs = 30_000;

    /// <summary>Null when the read may proceed; otherwise the problem to answer with.</summary>
    public static async Task<IResult?> CheckAsync(INodeStore store, long? minIndex, int? waitMs, CancellationToken token)
    {
        if (minIndex is null)
        {
            return null;
        }

        if (minIndex < 0 || waitMs is < 0 or > MaxWaitMs)
        {
            return Problems.Invalid(minIndex < 0 ? "minIndex" : "waitMs", $"minIndex must be ≥ 0 and waitMs between 0 and {MaxWaitMs}.");
        }

        var wait = TimeSpan.FromMilliseconds(waitMs ?? DefaultWaitMs);
        return await store.WaitForAppliedAsync(minIndex.Value, wait, token) ? null : Problems.NotCaughtUp(minIndex.Value, store.AppliedThrough);
    }
}
