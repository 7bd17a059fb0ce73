namespace LeaderKv.Node.Dashboard;

/// <summary>
/// Feeds the dashboard the events the replica already reports to the operator's log: the core's
/// <c>ReplicaEvent</c>s (elections, step-downs, followers down and back, snapshots, recovery), which
/// the driver logs with event ids 3004/3005, plus promotions and fatal stops. Reading them from the
/// log keeps the dashboard out of the driver: it sees exactly what the log says, and nothing else
/// has to change for it. A logger provider of this host only, so each in-process node has its own.
/// </summary>
internal sealed class ReplicationEventTap(NodeFeed feed) : ILoggerProvider
{
    /// <summary>The driver's category: its replica events are the feed.</summary>
    public const string Category = "LeaderKv.Node.Replication.ReplicaDriver";

    /// <summary>ReplicaEventInfo and ReplicaEventWarning (LogMessages.Replication.cs): one ReplicaEvent each, with its Kind.</summary>
    private static readonly HashSet<int> ReplicaEventIds = [3004, 3005];

    /// <summary>Other lines worth a place in the feed, by event id, under a kind of their own.</summary>
    private static readonly Dictionary<int, string> OtherKinds = new()
    {
        [3006] = "InvariantViolated",
        [3007] = "StorageFailed",
        [3010] = "Promoted",
    };

    public ILogger CreateLogger(string categoryName) =>
        categoryName == Category ? new Tap(feed) : Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

    public void Dispose()
    {
    }

    private sealed class Tap(NodeFeed feed) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            string? kind = null;
            if (ReplicaEventIds.Contains(eventId.Id) && state is IReadOnlyList<KeyValuePair<string, object?>> values)
            {
                kind = values.FirstOrDefault(v => v.Key == "Kind").Value?.ToString();
            }
            else if (OtherKinds.TryGetValue(eventId.Id, out var other))
            {
                kind = other;
            }

            if (kind is not null)
            {
                feed.Add(kind, formatter(state, exception));
            }
        }
    }
}
