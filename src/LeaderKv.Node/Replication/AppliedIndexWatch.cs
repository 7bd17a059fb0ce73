namespace LeaderKv.Node.Replication;

/// <summary>
/// Lets a reader wait until this node has applied a given index: the read-your-writes read on a
/// follower ("show me the store once you have my write at index 42"). Waiters are completed when
/// the applied-through watermark passes them, or give up after their timeout.
/// </summary>
public sealed class AppliedIndexWatch(TimeProvider time)
{
    private readonly Lock _gate = new();
    private readonly List<(long Index, TaskCompletionSource Done)> _waiters = [];
    private long _applied;

    public void Advance(long appliedThrough)
    {
        List<TaskCompletionSource>? ready = null;
        lock (_gate)
        {
            if (appliedThrough <= _applied)
            {
                return;
            }

            _applied = appliedThrough;
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Index <= appliedThrough)
                {
                    (ready ??= []).Add(_waiters[i].Done);
                    _waiters.RemoveAt(i);
                }
            }
        }

        ready?.ForEach(done => done.TrySetResult());
    }

    /// <summary>True once <paramref name="index"/> is applied; false if <paramref name="timeout"/> passes first.</summary>
    public async Task<bool> WaitAsync(long index, TimeSpan timeout, CancellationToken token)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (_applied >= index)
            {
                return true;
            }

            _waiters.Add((index, done));
        }

        try
        {
            await done.Task.WaitAsync(timeout, time, token).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            lock (_gate)
            {
                _waiters.RemoveAll(waiter => waiter.Done == done);
            }

            return done.Task.IsCompleted;
        }
    }
}
