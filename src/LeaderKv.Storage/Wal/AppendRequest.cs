using System.Collections.Concurrent;
using System.Threading.Tasks.Sources;

namespace LeaderKv.Storage.Wal;

/// <summary>What the writer loop is asked to do.</summary>
internal enum RequestKind
{
    /// <summary>Write an encoded batch; the caller awaits it.</summary>
    Append,

    /// <summary>Fsync everything written so far; the caller awaits it.</summary>
    Sync,

    /// <summary>The interval timer fired: fsync if anything is unsynced. Nobody awaits it.</summary>
    IntervalTick,

    /// <summary>
    /// Delete segments covered by a snapshot. Done by the writer, between groups, because only
    /// there is every written record also published: a segment that looks empty to anyone else
    /// may hold records the writer has written but not yet acknowledged.
    /// </summary>
    DeleteThrough,
}

/// <summary>
/// One item in the writer queue, and the awaitable its caller holds. Pooled and completed
/// through <see cref="ManualResetValueTaskSourceCore{TResult}"/>, so an append on the hot path
/// allocates neither a Task nor a TaskCompletionSource. The usual ValueTask rule applies: the
/// result is awaited exactly once (that is when the object goes back to the pool).
/// </summary>
internal sealed class AppendRequest : IValueTaskSource
{
    /// <summary>Idle requests kept for reuse; enough for a full queue, beyond that the GC takes them.</summary>
    private const int PoolLimit = StorageLimits.MaxAppendsInFlight;

    private static readonly ConcurrentQueue<AppendRequest> Pool = new();

    private ManualResetValueTaskSourceCore<bool> _completion = new() { RunContinuationsAsynchronously = true };

    public RequestKind Kind { get; private set; }

    public EncodedBatch Batch { get; private set; }

    /// <summary>Segment the writer put the batch in.</summary>
    public Segment? Segment { get; set; }

    /// <summary>File offset the writer put the batch at.</summary>
    public long Offset { get; set; }

    /// <summary>For <see cref="RequestKind.DeleteThrough"/>: the snapshot index, and where the writer reports the entries dropped.</summary>
    public long DeleteThroughIndex { get; private set; }

    public TaskCompletionSource<long>? Deleted { get; private set; }

    public static AppendRequest Rent(RequestKind kind, EncodedBatch batch = default)
    {
        if (!Pool.TryDequeue(out var request))
        {
            request = new AppendRequest();
        }

        request.Kind = kind;
        request.Batch = batch;
        return request;
    }

    public static AppendRequest RentDelete(long snapshotIndex)
    {
        var request = Rent(RequestKind.DeleteThrough);
        request.DeleteThroughIndex = snapshotIndex;
        request.Deleted = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        return request;
    }

    public ValueTask AsValueTask() => new(this, _completion.Version);

    public void Succeed() => _completion.SetResult(true);

    public void Fail(Exception error) => _completion.SetException(error);

    /// <summary>Returns a request nobody will await (an interval tick, or one that never got queued).</summary>
    public void Recycle()
    {
        Segment = null;
        Batch = default;
        Deleted = null;
        _completion.Reset();
        if (Pool.Count < PoolLimit)
        {
            Pool.Enqueue(this);
        }
    }

    void IValueTaskSource.GetResult(short token)
    {
        try
        {
            _completion.GetResult(token);
        }
        finally
        {
            Recycle();
        }
    }

    ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => _completion.GetStatus(token);

    void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _completion.OnCompleted(continuation, state, token, flags);
}
