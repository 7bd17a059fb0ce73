using LeaderKv.Linearizability;

namespace LeaderKv.Cli.Verify;

/// <summary>One fault the nemesis injected, for the report's fault lane.</summary>
internal sealed record FaultEvent(string Kind, IReadOnlyList<string> Nodes, long StartUs, long? EndUs, string Description);

/// <summary>
/// An operation as recorded: the checker's view plus what the report shows (node asked, index,
/// answer). <paramref name="AnsweredAt"/> is when the client stopped waiting, also for an unknown
/// outcome, whose completion the checker takes as +∞.
/// </summary>
internal sealed record RecordedOperation(Operation Op, string Node, long? Index, long? Fence, string? Detail, long AnsweredAt);

/// <summary>
/// The run's history: every operation (invocation and completion in microseconds since the run
/// started, on one monotonic clock), the faults, and the leader samples. Thread-safe.
/// </summary>
internal sealed class RunHistory(TimeProvider time)
{
    private readonly long _start = time.GetTimestamp();
    private readonly Lock _gate = new();
    private readonly List<RecordedOperation> _ops = [];
    private readonly List<FaultEvent> _faults = [];
    private int _nextId;
    private long _fence;

    public long NowUs => (long)time.GetElapsedTime(_start).TotalMicroseconds;

    /// <summary>The highest index any client saw committed or read: reads wait until their node has applied it.</summary>
    public long Fence => Interlocked.Read(ref _fence);

    public int NextId() => Interlocked.Increment(ref _nextId) - 1;

    public void RaiseFence(long index)
    {
        long seen;
        while ((seen = Interlocked.Read(ref _fence)) < index && Interlocked.CompareExchange(ref _fence, index, seen) != seen)
        {
        }
    }

    public void Add(RecordedOperation op)
    {
        lock (_gate)
        {
            _ops.Add(op);
        }
    }

    public void AddFault(FaultEvent fault)
    {
        lock (_gate)
        {
            _faults.Add(fault);
        }
    }

    public void EndFault(FaultEvent fault, long endUs)
    {
        lock (_gate)
        {
            var i = _faults.IndexOf(fault);
            if (i >= 0)
            {
                _faults[i] = fault with { EndUs = endUs };
            }
        }
    }

    public IReadOnlyList<RecordedOperation> Operations
    {
        get
        {
            lock (_gate)
            {
                return [.. _ops.OrderBy(o => o.Op.Id)];
            }
        }
    }

    public IReadOnlyList<FaultEvent> Faults
    {
        get
        {
            lock (_gate)
            {
                return [.. _faults];
            }
        }
    }

    public (int Ok, int Failed, int Unknown) Counts
    {
        get
        {
            lock (_gate)
            {
                return (_ops.Count(o => o.Op.Outcome == Outcome.Ok), _ops.Count(o => o.Op.Outcome == Outcome.Failed), _ops.Count(o => o.Op.Outcome == Outcome.Unknown));
            }
        }
    }
}
