using System.Threading.Channels;

namespace LeaderKv.Node.Dashboard;

/// <summary>
/// The open <c>/ui/events</c> streams. Publishing never waits: a frame goes into each stream's small
/// bounded queue, and a stream whose queue is full is dropped on the spot, so one slow browser can
/// neither hold up the others nor make the node buffer for it.
/// </summary>
public sealed class FrameSubscribers(DashboardLimits limits)
{
    private readonly Lock _gate = new();
    private readonly List<Subscription> _open = [];
    private TaskCompletionSource _watched = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _open.Count;
            }
        }
    }

    /// <summary>The last frame published, sent first to a new stream so it renders at once.</summary>
    public byte[]? Latest { get; private set; }

    /// <summary>A new stream, or null when <see cref="DashboardLimits.MaxStreams"/> are open.</summary>
    public Subscription? TryAdd()
    {
        lock (_gate)
        {
            if (_open.Count >= limits.MaxStreams)
            {
                return null;
            }

            var subscription = new Subscription(this, limits.FramesBuffered);
            if (Latest is { } latest)
            {
                subscription.Offer(latest);
            }

            _open.Add(subscription);
            _watched.TrySetResult();
            return subscription;
        }
    }

    /// <summary>Completes once at least one stream is open.</summary>
    public Task WatchedAsync(CancellationToken token)
    {
        lock (_gate)
        {
            return _open.Count > 0 ? Task.CompletedTask : _watched.Task.WaitAsync(token);
        }
    }

    public void Publish(byte[] frame)
    {
        List<Subscription> open;
        lock (_gate)
        {
            Latest = frame;
            open = [.. _open];
        }

        foreach (var subscription in open)
        {
            if (!subscription.Offer(frame))
            {
                subscription.Drop();
            }
        }
    }

    private void Remove(Subscription subscription)
    {
        lock (_gate)
        {
            _open.Remove(subscription);
            if (_open.Count == 0 && _watched.Task.IsCompleted)
            {
                _watched = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }
    }

    /// <summary>One stream's queue of frames. Dispose it when the stream ends.</summary>
    public sealed class Subscription : IDisposable
    {
        private readonly FrameSubscribers _owner;
        private readonly Channel<byte[]> _frames;

        internal Subscription(FrameSubscribers owner, int capacity)
        {
            _owner = owner;
            _frames = Channel.CreateBounded<byte[]>(new BoundedChannelOptions(capacity) { FullMode = BoundedChannelFullMode.Wait, SingleReader = true });
        }

        public ChannelReader<byte[]> Frames => _frames.Reader;

        /// <summary>True when the stream fell behind and was cut off (its reader then ends).</summary>
        public bool Dropped { get; private set; }

        internal bool Offer(byte[] frame) => _frames.Writer.TryWrite(frame);

        internal void Drop()
        {
            Dropped = true;
            _frames.Writer.TryComplete();
            _owner.Remove(this);
        }

        public void Dispose()
        {
            _frames.Writer.TryComplete();
            _owner.Remove(this);
        }
    }
}
