using LeaderKv.Linearizability;

namespace LeaderKv.Cli.Verify;

/// <summary>
/// The operations verify's clients run, one HTTP request each so that every answer maps to one
/// outcome. Reads and compare-and-set go through here so that the linearizable read and the
/// compare-and-set API plug in without touching the clients.
/// </summary>
internal interface IKvOperations
{
    Task<OpAnswer> WriteAsync(Uri node, string key, string value, CancellationToken token);

    /// <param name="node">The node asked.</param>
    /// <param name="key">The key.</param>
    /// <param name="minIndex">The fence (see <see cref="ReadMode.Fenced"/>); ignored by linearizable reads.</param>
    /// <param name="token">Cancels the request.</param>
    Task<OpAnswer> ReadAsync(Uri node, string key, long minIndex, CancellationToken token);

    /// <summary>Sets <paramref name="key"/> to <paramref name="value"/> only if the write that set it has index <paramref name="expectedIndex"/>.</summary>
    Task<OpAnswer> CompareAndSetAsync(Uri node, string key, long expectedIndex, string value, CancellationToken token);
}

/// <summary>
/// What one request answered. <see cref="Value"/> is a read's JSON text (null: absent);
/// <see cref="Index"/> is the index of the write (or of the write a read saw); <see cref="Leader"/>
/// is where a not-leader answer pointed.
/// </summary>
internal sealed record OpAnswer(Outcome Outcome, string? Value = null, long? Index = null, bool Swapped = false, Uri? Leader = null, string? Detail = null);

/// <summary>Which read the clients use.</summary>
internal enum ReadMode
{
    /// <summary>
    /// <c>GET /kv/{key}?minIndex=M</c> on any node, where M is the highest index any client has seen
    /// committed or read before this read started: every write completed before the read is in what
    /// the node serves. What the API offers today (a node serves what it applied).
    /// </summary>
    Fenced,

    /// <summary><c>GET /kv/{key}?consistency=linearizable</c> on the leader (the key-value API issue; not in this build yet).</summary>
    Linearizable,
}
