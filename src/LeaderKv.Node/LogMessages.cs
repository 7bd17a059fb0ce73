
namespace LeaderKv.Node;

/// <summary>
/// The node's log events. Event ids are stable (log queries and alerts select on them, and
/// LOG_FORMAT=json writes them as <c>EventId</c>): 1xxx replication and security, 2xxx durability
/// (LogMessages.Durability.cs). Never renumber or reuse one; a new event takes the next free id.
/// </summary>
internal static partial class LogMessages
{
    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Node {NodeId} started as {Role} ({Mode} mode), write quorum {Quorum} of {Followers} followers, delay {MinDelayMs}-{MaxDelayMs} ms")]
    public static partial void NodeStarted(this ILogger logger, string nodeId, string role, string mode, int quorum, int followers, double minDelayMs, double maxDelayMs);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Warning, Message = "Follower {Follower} unreachable ({Error}); {Failures} consecutive failures, retrying with backoff")]
    public static partial void FollowerDown(this ILogger logger, Uri follower, string error, int failures);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Information, Message = "Follower {Follower} reachable again; catching up from index {From}")]
    public static partial void FollowerBack(this ILogger logger, Uri follower, long from);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Warning, Message = "Write {Index} did not meet its quorum: {Acks} of {Required} follower acks")]
    public static partial void QuorumNotMet(this ILogger logger, long index, int acks, int required);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Warning, Message = "Follower {Follower} is slower than the write rate: its queue of {Capacity} live sends is full, so new entries reach it through catch-up from the log")]
    public static partial void FollowerQueueFull(this ILogger logger, Uri follower, int capacity);

    [LoggerMessage(EventId = 1006, Level = LogLevel.Warning, Message = "Rejected replication request from {Remote} to {Path}: {Reason}")]
    public static partial void ReplicationRejected(this ILogger logger, string remote, string path, string reason);

    [LoggerMessage(EventId = 1007, Level = LogLevel.Warning, Message = "INSECURE: no CLUSTER_SECRET is set, so replication between nodes is unauthenticated. This node listens only on loopback ({Addresses}) and accepts replication only from this machine. Set CLUSTER_SECRET on every node to require the leader's signature.")]
    public static partial void ReplicationUnauthenticatedOnLoopback(this ILogger logger, string addresses);

    [LoggerMessage(EventId = 1008, Level = LogLevel.Warning, Message = "INSECURE: no CLUSTER_SECRET is set and ALLOW_INSECURE_REPLICATION=true: anyone who can reach {Addresses} can overwrite this node's data through replication. Set CLUSTER_SECRET on every node.")]
    public static partial void ReplicationUnauthenticatedExposed(this ILogger logger, string addresses);
}
