using LeaderKv.Core.Consensus;

namespace LeaderKv.Node;

/// <summary>What the replica driver tells an operator: roles, elections, peers lost and back, fatal errors.</summary>
internal static partial class LogMessages
{
    [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "Node {NodeId} started: {Failover} failover, {Peers} peers, write quorum {Quorum}, election quorum {ElectionQuorum}, delay {MinDelayMs}-{MaxDelayMs} ms, term {Term}{Tainted}")]
    public static partial void ReplicaStarted(this ILogger logger, string nodeId, string failover, int peers, int quorum, int electionQuorum, double minDelayMs, double maxDelayMs, long term, string tainted);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Warning, Message = "WRITE_QUORUM=0 with PEERS: automatic failover is off (an election would need every node). Use 'leaderkv promote NODE --accept-data-loss' to move leadership.")]
    public static partial void FailoverDisabled(this ILogger logger);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Warning, Message = "UNSAFE: PEERS without DATA_DIR (UNSAFE_ALLOW_IN_MEMORY_FAILOVER=true). A node that restarts forgets its votes and the writes it acknowledged: two leaders in one term and lost committed writes are possible.")]
    public static partial void InMemoryFailover(this ILogger logger);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Information, Message = "{Kind} in term {Term}{Peer}{Detail}")]
    public static partial void ReplicaEventInfo(this ILogger logger, ReplicaEventKind kind, long term, string peer, string detail);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Warning, Message = "{Kind} in term {Term}{Peer}{Detail}")]
    public static partial void ReplicaEventWarning(this ILogger logger, ReplicaEventKind kind, long term, string peer, string detail);

    [LoggerMessage(EventId = 3006, Level = LogLevel.Critical, Message = "Invariant violated, the node stops: {Reason}")]
    public static partial void InvariantViolated(this ILogger logger, string reason);

    [LoggerMessage(EventId = 3007, Level = LogLevel.Critical, Message = "Storage failed, the node stops so that it never acknowledges what it did not store: {Reason}")]
    public static partial void PersistFailed(this ILogger logger, string reason);

    [LoggerMessage(EventId = 3008, Level = LogLevel.Warning, Message = "Peer {Peer} unreachable: {Error}")]
    public static partial void PeerUnreachable(this ILogger logger, string peer, string error);

    [LoggerMessage(EventId = 3009, Level = LogLevel.Warning, Message = "Write {Index} (term {Term}) has no known outcome: {Acks} of {Required} follower acks arrived in time")]
    public static partial void OutcomeUnknown(this ILogger logger, long index, long term, int acks, int required);

    [LoggerMessage(EventId = 3010, Level = LogLevel.Warning, Message = "Operator promoted this node to leader, accepting data loss")]
    public static partial void Promoted(this ILogger logger);
}
