
namespace LeaderKv.Node;

internal static partial class LogMessages
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Node {NodeId} started as {Role} ({Mode} mode), write quorum {Quorum} of {Followers} followers, delay {MinDelayMs}-{MaxDelayMs} ms")]
    public static partial void NodeStarted(this ILogger logger, string nodeId, string role, string mode, int quorum, int followers, double minDelayMs, double maxDelayMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Follower {Follower} unreachable ({Error}); {Failures} consecutive failures, retrying with backoff")]
    public static partial void FollowerDown(this ILogger logger, Uri follower, string error, int failures);

    [LoggerMessage(Level = LogLevel.Information, Message = "Follower {Follower} reachable again; catching up from index {From}")]
    public static partial void FollowerBack(this ILogger logger, Uri follower, long from);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Write {Index} did not meet its quorum: {Acks} of {Required} follower acks")]
    public static partial void QuorumNotMet(this ILogger logger, long index, int acks, int required);
}
