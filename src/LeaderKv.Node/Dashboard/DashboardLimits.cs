namespace LeaderKv.Node.Dashboard;

/// <summary>Every bound on what the dashboard may cost a node, each with its reason.</summary>
public sealed record DashboardLimits
{
    /// <summary>Open <c>/ui/events</c> streams; one more gets 503. A dashboard is for a few people, not for a crowd.</summary>
    public int MaxStreams { get; init; } = 16;

    /// <summary>
    /// Frames queued for one stream. A browser that falls this many frames behind (a couple of
    /// seconds) is disconnected, so a slow reader costs at most this many frames of memory.
    /// </summary>
    public int FramesBuffered { get; init; } = 4;

    /// <summary>How long writing one frame to a stream may take before the stream is dropped (Kestrel's response buffer is full).</summary>
    public TimeSpan FrameWriteTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How often the page's node polls its peers and pushes a frame, while someone watches.</summary>
    public TimeSpan FrameInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>A peer that does not answer its poll within this is shown down.</summary>
    public TimeSpan PeerTimeout { get; init; } = TimeSpan.FromMilliseconds(1500);

    /// <summary>Feed lines in a frame: one screen.</summary>
    public int FeedLines { get; init; } = 60;
}
