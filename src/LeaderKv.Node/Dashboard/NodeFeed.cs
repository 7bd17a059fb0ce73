namespace LeaderKv.Node.Dashboard;

/// <summary>
/// This node's recent events for the dashboard: a bounded ring, so a node that nobody watches keeps
/// only the last <see cref="Capacity"/> and never grows.
/// </summary>
public sealed class NodeFeed(TimeProvider time, string nodeId)
{
    /// <summary>Enough to fill a screen and to bridge a dashboard's poll interval several times over.</summary>
    public const int Capacity = 64;

    private readonly Queue<FeedEvent> _events = new();
    private readonly Lock _gate = new();
    private long _sequence;

    /// <summary>Tells one run of this node from the next, whose sequence starts again at 1.</summary>
    public string Run { get; } = Guid.NewGuid().ToString("N")[..12];

    public void Add(string kind, string text)
    {
        lock (_gate)
        {
            _events.Enqueue(new FeedEvent(++_sequence, time.GetUtcNow().ToUnixTimeMilliseconds(), nodeId, kind, text));
            if (_events.Count > Capacity)
            {
                _events.Dequeue();
            }
        }
    }

    /// <summary>The retained events, oldest first.</summary>
    public IReadOnlyList<FeedEvent> Recent()
    {
        lock (_gate)
        {
            return [.. _events];
        }
    }
}
