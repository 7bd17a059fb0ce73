using System.Threading.Channels;
using LeaderKv.Core;
using LeaderKv.Core.Consensus;
using LeaderKv.Node.Transport;

namespace LeaderKv.Node.Replication;

/// <summary>
/// One loop per peer: carries the replica's requests to it and steps the responses back in. Live
/// appends wait out their simulated lag first; appends due at the same time are merged into one
/// request, and several requests are in flight at once (pipelining). It decides nothing: a failed
/// send is reported to the replica, which plans what goes again.
/// </summary>
internal sealed class PeerSender : IDisposable
{
    private readonly Channel<Message> _due;
    private readonly PeerTransport _transport;
    private readonly ReplicaDriver _driver;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ReplicationLimits _limits;
    private readonly SemaphoreSlim _inFlight;
    private CancellationToken _stopping;

    // Only steers logging (one line per outage), so a racy read is harmless.
    private volatile bool _failing;
    private volatile bool _overflowing;

    public PeerSender(PeerTransport transport, ReplicaDriver driver, TimeProvider time, ILogger logger, ReplicationLimits limits)
    {
        _transport = transport;
        _driver = driver;
        _time = time;
        _logger = logger;
        _limits = limits;
        _inFlight = new SemaphoreSlim(limits.MaxAppendsInFlight);
        _due = Channel.CreateBounded<Message>(new BoundedChannelOptions(limits.MaxQueuedSends) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    }

    public void Enqueue(Message message)
    {
        if (message is AppendRequest { Delay: var delay } append && delay > TimeSpan.Zero)
        {
            _ = EnqueueAfterAsync(append, delay);
            return;
        }

        Offer(message);
    }

    public async Task RunAsync(CancellationToken token)
    {
        _stopping = token;
        try
        {
            while (await _due.Reader.WaitToReadAsync(token).ConfigureAwait(false))
            {
                await _inFlight.WaitAsync(token).ConfigureAwait(false);
                var next = NextRequest();
                if (next is null)
                {
                    _inFlight.Release();
                    continue;
                }

                _ = SendAsync(next, token);
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // Shutting down: in-flight sends end with the token.
        }
    }

    private async Task EnqueueAfterAsync(AppendRequest append, TimeSpan delay)
    {
        try
        {
            await Task.Delay(delay, _time, _stopping).ConfigureAwait(false);
            Offer(append);
        }
        catch (OperationCanceledException)
        {
            // The node is stopping.
        }
    }

    /// <summary>Queues a send; when the queue is full the replica hears the entries were dropped and sends them again through catch-up.</summary>
    private void Offer(Message message)
    {
        if (_due.Writer.TryWrite(message))
        {
            _overflowing = false;
            return;
        }

        if (message is AppendRequest append && append.Entries.Count > 0)
        {
            if (!_overflowing)
            {
                _overflowing = true;
                _logger.FollowerQueueFull(_transport.Url, _limits.MaxQueuedSends);
            }

            _driver.WithReplica(replica => replica.ReportDropped(_transport.PeerId, [.. append.Entries.Select(e => e.Index)]));
            _driver.Wake();
        }
    }

    /// <summary>The next request: the first one due, with every append of the same term queued behind it merged in.</summary>
    private Message? NextRequest()
    {
        if (!_due.Reader.TryRead(out var first))
        {
            return null;
        }

        if (first is not AppendRequest append)
        {
            return first;
        }

        var entries = new List<LogEntry>(append.Entries);
        var bytes = entries.Sum(e => e.ApproximateSize);
        while (entries.Count < _limits.MaxEntriesPerAppend && bytes < _limits.MaxBytesPerAppend
            && _due.Reader.TryPeek(out var queued) && queued is AppendRequest more && more.Term == append.Term
            && _due.Reader.TryRead(out _))
        {
            entries.AddRange(more.Entries);
            bytes += more.Entries.Sum(e => e.ApproximateSize);
            append = append with
            {
                CommitIndex = Math.Max(append.CommitIndex, more.CommitIndex),
                LeaderLastIndex = Math.Max(append.LeaderLastIndex, more.LeaderLastIndex),
                // The merged request leaves after every one merged into it was built: it may carry the latest read round.
                ReadRound = Math.Max(append.ReadRound, more.ReadRound),
            };
        }

        return append with { Entries = entries, Delay = TimeSpan.Zero };
    }

    private async Task SendAsync(Message request, CancellationToken token)
    {
        try
        {
            var result = request is SnapshotRequest snapshot
                ? await _transport.SendSnapshotAsync(snapshot, token).ConfigureAwait(false)
                : await _transport.SendAsync(request, token).ConfigureAwait(false);
            if (request is SnapshotRequest)
            {
                _driver.Metrics?.SnapshotTransferred(result.Response is AppendResponse { Rejected: false });
            }

            if (result.Response is { } response)
            {
                _failing = false;
                _driver.WithReplica(replica => replica.Step(response));
            }
            else
            {
                if (!_failing)
                {
                    _failing = true;
                    _logger.PeerUnreachable(_transport.PeerId, result.Error!);
                }

                IReadOnlyList<long> indexes = request is AppendRequest append ? [.. append.Entries.Select(e => e.Index)] : [];
                if (request is AppendRequest or SnapshotRequest)
                {
                    _driver.WithReplica(replica => replica.ReportUnreachable(_transport.PeerId, indexes));
                }
            }

            _driver.Wake();
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // Shutting down.
        }
        catch (InvariantViolationException)
        {
            // Logged by the driver, which is stopping the node.
        }
        finally
        {
            _inFlight.Release();
        }
    }

    public void Dispose()
    {
        _transport.Dispose();
        _inFlight.Dispose();
    }
}
