using LeaderKv.Linearizability;

namespace LeaderKv.Cli.Verify;

/// <summary>The outcome of every check of one run; the run passes when all of them do.</summary>
internal sealed record VerifyVerdict
{
    public required CheckResult Linearizability { get; init; }

    public required IReadOnlyList<LostWrite> LostWrites { get; init; }

    public required bool Converged { get; init; }

    public required TimeSpan ConvergenceTime { get; init; }

    public required IReadOnlyList<FinalRead> FinalReads { get; init; }

    public required TimeSpan RunTime { get; init; }

    public required TimeSpan UnavailableTime { get; init; }

    public required double MaxUnavailableShare { get; init; }

    public required int CommittedWrites { get; init; }

    public bool LinearizabilityPassed => Linearizability.Verdict == Verdict.Linearizable;

    public bool AvailabilityPassed => RunTime > TimeSpan.Zero && UnavailableTime / RunTime <= MaxUnavailableShare;

    /// <summary>A run in which nothing was committed tests nothing, so it does not pass.</summary>
    public bool Passed => LinearizabilityPassed && LostWrites.Count == 0 && Converged && AvailabilityPassed && CommittedWrites > 0;

    /// <summary>Ids of the operations the checker could not place, highlighted in the report.</summary>
    public IReadOnlySet<int> Unplaceable => Linearizability.Failing.SelectMany(k => k.Unplaceable).ToHashSet();
}
