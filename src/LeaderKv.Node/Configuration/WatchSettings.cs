namespace LeaderKv.Node.Configuration;

/// <summary>WATCH_HISTORY, WATCH_MAX_WATCHERS and WATCH_BUFFER, parsed: what bounds the memory watchers can cost.</summary>
public sealed record WatchSettings
{
    /// <summary>Applied changes kept for watchers (one shared ring; a watcher holds only a cursor into it).</summary>
    public int History { get; init; } = 10_000;

    public int MaxWatchers { get; init; } = 1_000;

    /// <summary>A watcher further behind the newest change than this is disconnected: a slow client never holds history back.</summary>
    public int Buffer { get; init; } = 1_000;
}
