namespace LeaderKv.Node.Configuration;

public sealed partial record NodeSettings
{
    /// <summary>Bounds of <c>GET /watch</c> (WATCH_HISTORY, WATCH_MAX_WATCHERS, WATCH_BUFFER).</summary>
    public WatchSettings Watch { get; init; } = new();

    private static WatchSettings ParseWatch(NodeOptions options, List<string> errors)
    {
        var defaults = new WatchSettings();
        var history = ParseInt("WATCH_HISTORY", options.WatchHistory, defaults.History, errors);
        var watchers = ParseInt("WATCH_MAX_WATCHERS", options.WatchMaxWatchers, defaults.MaxWatchers, errors);
        var buffer = ParseInt("WATCH_BUFFER", options.WatchBuffer, Math.Min(defaults.Buffer, history), errors);
        if (history < 1)
        {
            errors.Add($"WATCH_HISTORY must be ≥ 1 change, got {history}.");
        }

        if (watchers < 0)
        {
            errors.Add($"WATCH_MAX_WATCHERS must be ≥ 0, got {watchers}.");
        }

        if (buffer < 1 || buffer > history)
        {
            errors.Add($"WATCH_BUFFER must be between 1 and WATCH_HISTORY ({history}), got {buffer}.");
        }

        return new WatchSettings { History = history, MaxWatchers = watchers, Buffer = buffer };
    }
}
