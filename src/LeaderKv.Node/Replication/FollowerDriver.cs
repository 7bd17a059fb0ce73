using LeaderKv.Core;
using LeaderKv.Node.Configuration;

namespace LeaderKv.Node.Replication;

/// <summary>The follower's side: receives appends under one lock and answers with its watermark.</summary>
public sealed class FollowerDriver(NodeSettings settings, TimeProvider time) : INodeStore
{
    private readonly AppliedIndexWatch _watch = new(time);
    private readonly Lock _gate = new();
    private readonly FollowerState _state = new(settings.Mode);

    /// <summary>
    /// Identifies this run of the process. The leader compares it across replies: a new value means
    /// the follower restarted and may have lost entries it had acknowledged, so it is caught up from
    /// what it reports now.
    /// </summary>
    public long Incarnation { get; } = Random.Shared.NextInt64(1, long.MaxValue);

    public long AppliedThrough
    {
        get
        {
            lock (_gate)
            {
                return _state.AppliedThrough;
            }
        }
    }

    public T Read<T>(Func<KeyValueTable, T> read)
    {
        lock (_gate)
        {
            return read(_state.Table);
        }
    }

    public Task<bool> WaitForAppliedAsync(long index, TimeSpan timeout, CancellationToken token) =>
        _watch.WaitAsync(index, timeout, token);

    public AppendReply Receive(IReadOnlyList<LogEntry> entries)
    {
        ReceiveResult result;
        lock (_gate)
        {
            result = _state.Receive(entries);
        }

        _watch.Advance(result.AppliedThrough);
        return new AppendReply(result.AppliedThrough, result.AcceptedThrough, Incarnation);
    }

    public FollowerSnapshot Describe()
    {
        lock (_gate)
        {
            return new FollowerSnapshot(_state.Term, _state.LastIndex, _state.AppliedThrough, _state.Table.Count, _state.PendingCount);
        }
    }
}

public sealed record FollowerSnapshot(long Term, long LastIndex, long AppliedThrough, int Keys, int Pending);
