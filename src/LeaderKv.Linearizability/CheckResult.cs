namespace LeaderKv.Linearizability;

public enum Verdict
{
    Linearizable,
    NotLinearizable,

    /// <summary>The step budget (or the caller's token) ran out before the search decided.</summary>
    Unknown,
}

/// <summary>The verdict for one key, and for a failing key what the search got furthest with.</summary>
public sealed record KeyResult
{
    public required string Key { get; init; }

    public required Verdict Verdict { get; init; }

    /// <summary>Operations the search considered for this key (failed ones and unobserved unknown writes left out).</summary>
    public required int Operations { get; init; }

    /// <summary>Search steps spent on this key.</summary>
    public required long Steps { get; init; }

    /// <summary>
    /// For a key that is not linearizable: the longest sequence of operations the search could
    /// linearize (ids, in linearization order). Every completed operation invoked before the one in
    /// <see cref="Unplaceable"/> completed is either here or concurrent with it.
    /// </summary>
    public IReadOnlyList<int> LongestPrefix { get; init; } = [];

    /// <summary>The operations that could not be placed after <see cref="LongestPrefix"/>: the first is the one whose completion was reached without any order to linearize it in.</summary>
    public IReadOnlyList<int> Unplaceable { get; init; } = [];

    /// <summary>The register's value after <see cref="LongestPrefix"/> (null: absent).</summary>
    public string? ValueAfterPrefix { get; init; }
}

/// <summary>The verdict for a whole history: linearizable only if every key is, not linearizable if any key is not.</summary>
public sealed record CheckResult(Verdict Verdict, IReadOnlyList<KeyResult> Keys)
{
    public IEnumerable<KeyResult> Failing => Keys.Where(k => k.Verdict == Verdict.NotLinearizable);
}

/// <summary>Bounds on the search, so a pathological history ends in <see cref="Verdict.Unknown"/> rather than a hang.</summary>
public sealed record CheckOptions
{
    /// <summary>Steps (list moves, linearizations and backtracks) allowed per key; deterministic, unlike a clock.</summary>
    public long MaxStepsPerKey { get; init; } = 50_000_000;

    /// <summary>Ends the search early (e.g. a wall-clock limit from the caller): the keys not yet decided come out <see cref="Verdict.Unknown"/>.</summary>
    public CancellationToken Token { get; init; }
}
