using System.Threading.Channels;
using LeaderKv.Core;
using LeaderKv.Node.Transport;

namespace LeaderKv.Node.Replication;

/// <summary>
/// One loop per follower. Live entries become due after their simulated delay and are batched into
/// append requests, several in flight at once (pipelining); whenever nothing live is due, the
/// loop asks the core what the follower is missing and sends that instead. That second path is
/// the retry after a failed send and the catch-up after a restart: one mechanism, always running.
/// </summary>
internal sealed class FollowerReplicator : IDisposable
{
    /// <summary>How often an idle loop re-checks for catch-up work (retry deadlines, heartbeats).</summary>
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(50);

    // Null is a wake-up: "something changed, look again". Bounded so that a follower slower than
    // the write rate costs at most MaxQueuedSends entries here; see Offer.
    private readonly Channel<LogEntry?> _due;
    private readonly int _id;
    private readonly HttpReplicationClient _client;
    private readonly LeaderDriver _driver;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _inFlight;
    private CancellationToken _stopping;

    // Only steers logging (one line per overflow episode), so a racy read is harmless.
    private volatile bool _overflowing;

    public FollowerReplicator(int id, HttpReplicationClient client, LeaderDriver driver, TimeProvider time, ILogger logger)
    {
        _id = id;
        _client = client;
        _driver = driver;
        _time = time;
        _logger = logger;
        _inFlight = new SemaphoreSlim(driver.Limits.MaxAppendsInFlight);
        _due = Channel.CreateBounded<LogEntry?>(new BoundedChannelOptions(driver.Limits.MaxQueuedSends)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    /// <summary>Queues <paramref name="entry"/> to be sent once <paramref name="delay"/> (the simulated lag) has passed.</summary>
    public void Schedule(LogEntry entry, TimeSpan delay)
    {
        if (delay <= TimeSpan.Zero)
        {
            Offer(entry);
            return;
        }

        _ = EnqueueAfterAsync(entry, delay);
    }

    public async Task RunAsync(CancellationToken token)
    {
        _stopping = token;
        using var ticker = _time.CreateTimer(_ => _due.Writer.TryWrite(null), null, Tick, Tick);
        try
        {
            while (!token.IsCancellationRequested)
            {
                await _inFlight.WaitAsync(token).ConfigureAwait(false);
                var batch = await NextBatchAsync(token).ConfigureAwait(false);
                _ = SendAsync(batch, token);
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // Shutting down: in-flight sends end with the token.
        }
    }

    private async Task EnqueueAfterAsync(LogEntry entry, TimeSpan delay)
    {
        try
        {
            await Task.Delay(delay, _time, _stopping).ConfigureAwait(false);
            Offer(entry);
        }
        catch (OperationCanceledException)
        {
            // The node is stopping; the entry stays in the log for whoever leads next.
        }
    }

    /// <summary>
    /// Queues a live send, or drops it when the queue is full and tells the core, which then no
    /// longer counts the entry as on its way: catch-up resends it from the log once the follower
    /// keeps up, so a slow follower falls back to catch-up instead of growing the leader's memory.
    /// </summary>
    private void Offer(LogEntry entry)
    {
        if (_due.Writer.TryWrite(entry))
        {
            _overflowing = false;
            return;
        }

        _driver.WithState(state =>
        {
            state.OnSendDropped(_id, entry.Index);
            return true;
        });
        if (!_overflowing)
        {
            _overflowing = true;
            _logger.FollowerQueueFull(_client.Follower, _driver.Limits.MaxQueuedSends);
        }
    }

    private async Task<IReadOnlyList<LogEntry>> NextBatchAsync(CancellationToken token)
    {
        var limits = _driver.Limits;
        while (true)
        {
            var live = new List<LogEntry>();
            var bytes = 0;
            while (live.Count < limits.MaxEntriesPerAppend && bytes < limits.MaxBytesPerAppend && _due.Reader.TryRead(out var entry))
            {
                if (entry is not null)
                {
                    live.Add(entry);
                    bytes += entry.ApproximateSize;
                }
            }

            if (live.Count > 0)
            {
                return live;
            }

            var catchUp = await _driver.NextCatchUpAsync(_id, _client, token).ConfigureAwait(false);
            if (catchUp is not null)
            {
                return catchUp;
            }

            await _due.Reader.WaitToReadAsync(token).ConfigureAwait(false);
        }
    }

    private async Task SendAsync(IReadOnlyList<LogEntry> batch, CancellationToken token)
    {
        try
        {
            var result = await _client.AppendAsync(_driver.Term, batch, token).ConfigureAwait(false);
            var indexes = batch.Select(e => e.Index).ToArray();
            var now = _time.GetUtcNow();
            IReadOnlyList<QuorumDecision> decisions;
            if (result.IsSuccess)
            {
                var wasDown = false;
                decisions = _driver.WithState(state =>
                {
                    wasDown = state.Followers[_id].IsDown;
                    return state.OnAppendSucceeded(_id, indexes, result.Reply, now);
                });
                if (wasDown)
                {
                    _logger.FollowerBack(_client.Follower, result.Reply.AppliedThrough + 1);
                }
            }
            else
            {
                var failures = 0;
                decisions = _driver.WithState(state =>
                {
                    var outcome = state.OnAppendFailed(_id, indexes, now);
                    failures = state.Followers[_id].ConsecutiveFailures;
                    return outcome;
                });
                if (failures == 1)
                {
                    _logger.FollowerDown(_client.Follower, result.Error!, failures);
                }
            }

            _driver.Complete(decisions);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // Shutting down.
        }
        finally
        {
            _inFlight.Release();
            _due.Writer.TryWrite(null);
        }
    }

    public void Dispose()
    {
        _client.Dispose();
        _inFlight.Dispose();
    }
}
