
namespace LeaderKv.Node.Configuration;

/// <summary>
/// The raw environment, under the seed's variable names. Everything is bound as text and parsed
/// once by <see cref="NodeSettings.Parse"/>, so a bad value produces one clear message naming the
/// variable instead of a binder exception.
/// </summary>
public sealed partial class NodeOptions
{
    /// <summary><c>leader</c> or <c>follower</c> (the seed's default).</summary>
    [ConfigurationKeyName("ROLE")]
    public string? Role { get; init; }

    /// <summary>Comma-separated follower base URLs, e.g. <c>http://follower-1:80</c>.</summary>
    [ConfigurationKeyName("FOLLOWERS")]
    public string? Followers { get; init; }

    /// <summary>
    /// Follower acknowledgements a write waits for, on top of the leader's own write, which is
    /// always required. 0 answers after the local write (asynchronous replication).
    /// </summary>
    [ConfigurationKeyName("WRITE_QUORUM")]
    public string? WriteQuorum { get; init; }

    /// <summary>Lower bound of the simulated per-follower network lag, in milliseconds.</summary>
    [ConfigurationKeyName("MIN_DELAY")]
    public string? MinDelay { get; init; }

    /// <summary>Upper bound of the simulated per-follower network lag, in milliseconds.</summary>
    [ConfigurationKeyName("MAX_DELAY")]
    public string? MaxDelay { get; init; }

    /// <summary><c>ordered</c> (default, converges) or <c>unordered</c> (the seed's arrival-order race).</summary>
    [ConfigurationKeyName("REPLICATION_MODE")]
    public string? ReplicationMode { get; init; }

    /// <summary>How long a write waits for its quorum before answering 500, in milliseconds.</summary>
    [ConfigurationKeyName("WRITE_TIMEOUT")]
    public string? WriteTimeout { get; init; }

    /// <summary>Seed for the delay generator, so a run's delays can be replayed.</summary>
    [ConfigurationKeyName("DELAY_SEED")]
    public string? DelaySeed { get; init; }

    [ConfigurationKeyName("NODE_ID")]
    public string? NodeId { get; init; }

    /// <summary>On a follower: the leader's URL, quoted to clients that write to the wrong node.</summary>
    [ConfigurationKeyName("LEADER_URL")]
    public string? LeaderUrl { get; init; }

    /// <summary>Shortcut for <c>ASPNETCORE_URLS=http://0.0.0.0:PORT</c>.</summary>
    [ConfigurationKeyName("PORT")]
    public string? Port { get; init; }

    /// <summary>
    /// Every node of a failover cluster as <c>id=url</c>, comma-separated, the same list on every
    /// node. Set, it turns on elections: any node can become leader. Unset, the seed's fixed layout.
    /// </summary>
    [ConfigurationKeyName("PEERS")]
    public string? Peers { get; init; }

    /// <summary>How long a follower waits without hearing a leader before it runs an election, in milliseconds (randomised up to twice this).</summary>
    [ConfigurationKeyName("ELECTION_TIMEOUT")]
    public string? ElectionTimeout { get; init; }

    /// <summary>How often a leader heartbeats its followers, in milliseconds.</summary>
    [ConfigurationKeyName("HEARTBEAT_INTERVAL")]
    public string? HeartbeatInterval { get; init; }

    /// <summary>
    /// <c>true</c> lets a node with <c>PEERS</c> run without <c>DATA_DIR</c>. Unsafe: a node that forgets
    /// its vote can elect two leaders in one term; for experiments only.
    /// </summary>
    [ConfigurationKeyName("UNSAFE_ALLOW_IN_MEMORY_FAILOVER")]
    public string? UnsafeAllowInMemoryFailover { get; init; }
}
