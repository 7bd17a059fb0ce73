namespace LeaderKv.Node.Configuration;

/// <summary>How many recent changes a node keeps for <c>GET /watch</c>, and how many watchers it serves.</summary>
public sealed partial class NodeOptions
{
    /// <summary>Applied changes kept in memory for watchers to resume from (default 10,000); older history answers 410.</summary>
    [ConfigurationKeyName("WATCH_HISTORY")]
    public string? WatchHistory { get; init; }

    /// <summary>Watchers served at once (default 1,000); more get 503.</summary>
    [ConfigurationKeyName("WATCH_MAX_WATCHERS")]
    public string? WatchMaxWatchers { get; init; }

    /// <summary>Changes a watcher may be behind (published, not yet sent to it) before it is disconnected as too slow (default 1,000).</summary>
    [ConfigurationKeyName("WATCH_BUFFER")]
    public string? WatchBuffer { get; init; }
}
