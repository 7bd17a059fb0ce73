namespace LeaderKv.Node.Faults;

/// <summary>
/// Which peers this node cuts off and which it slows down, as set through <c>/admin/faults</c>.
/// Replaced whole on every change, so a request reads one consistent plan without a lock.
/// </summary>
public sealed record FaultPlan(IReadOnlySet<string> Drop, IReadOnlyDictionary<string, TimeSpan> Delay)
{
    public static readonly FaultPlan None = new(new HashSet<string>(StringComparer.Ordinal), new Dictionary<string, TimeSpan>(StringComparer.Ordinal));

    public bool IsEmpty => Drop.Count == 0 && Delay.Count == 0;

    public TimeSpan DelayFor(string peer) => Delay.TryGetValue(peer, out var delay) ? delay : TimeSpan.Zero;
}

/// <summary>The node's current <see cref="FaultPlan"/>.</summary>
public sealed class FaultState
{
    private FaultPlan _plan = FaultPlan.None;

    public FaultPlan Plan => Volatile.Read(ref _plan);

    public void Set(FaultPlan plan) => Volatile.Write(ref _plan, plan);

    public void Heal() => Set(FaultPlan.None);
}
