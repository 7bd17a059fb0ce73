using System.Text.Json;

namespace LeaderKv.Client;

/// <summary>How fresh a read must be (the node's <c>consistency</c> parameter).</summary>
public enum ReadConsistency
{
    /// <summary>The node's applied copy as it is: fast, possibly stale, always a prefix of the committed history.</summary>
    Local,

    /// <summary>The leader confirms its leadership first: the answer reflects every write answered committed before the read.</summary>
    Linearizable,
}

/// <summary>One page of <c>GET /kv</c>: keys in ordinal order, the applied index the page reflects, and the cursor of the next page.</summary>
/// <param name="Items">The keys with their values and the index of the write that set each.</param>
/// <param name="Index">The applied index of the table the page was taken from: watch from it to follow later changes.</param>
/// <param name="Next">Pass as <c>after</c> for the next page; null on the last page.</param>
public sealed record KeyListing(IReadOnlyList<KeyValueEntry> Items, long Index, string? Next);

public enum WatchEventKind
{
    Put,
    Delete,
}

/// <summary>One committed change seen by <see cref="LeaderKvClient.WatchAsync"/>.</summary>
/// <param name="Kind">Put or delete.</param>
/// <param name="Key">The key changed.</param>
/// <param name="Value">Its new value; null for a delete.</param>
/// <param name="Index">The index of the change (the event's id): resume after it.</param>
/// <param name="Node">The node that sent it.</param>
public sealed record WatchEvent(WatchEventKind Kind, string Key, JsonElement? Value, long Index, Uri Node);
