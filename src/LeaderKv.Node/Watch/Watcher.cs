namespace LeaderKv.Node.Watch;

/// <summary>
/// One connected watcher: a prefix and a cursor into the shared <see cref="WatchHistory"/> (the index
/// of the last change it was sent), so it costs no buffer of its own. The hub wakes it when changes
/// arrive and disconnects it when it falls too far behind.
/// </summary>
public sealed class Watcher : IDisposable
{
    private readonly CancellationTokenSource _disconnected = new();
    private readonly SemaphoreSlim _changed = new(0, 1);

    internal Watcher(string prefix, long cursor)
    {
        Prefix = prefix;
        Cursor = cursor;
    }

    public string Prefix { get; }

    /// <summary>Every change at or below this index has been sent (or did not match the prefix).</summary>
    public long Cursor { get; internal set; }

    /// <summary>Cancelled when the hub drops this watcher (too slow).</summary>
    public CancellationToken Disconnected => _disconnected.Token;

    /// <summary>Waits until something new is published, or the timeout passes (false).</summary>
    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken token) => _changed.WaitAsync(timeout, token);

    internal void Wake()
    {
        if (_changed.CurrentCount == 0)
        {
            try
            {
                _changed.Release();
            }
            catch (SemaphoreFullException)
            {
                // Already woken: one pending wake-up is enough.
            }
        }
    }

    internal void Disconnect() => _disconnected.Cancel();

    public void Dispose()
    {
        _disconnected.Dispose();
        _changed.Dispose();
    }
}
