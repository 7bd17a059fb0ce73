using System.Text.Json.Serialization;
using LeaderKv.Cli.Bench.Load;
using LeaderKv.Core;

namespace LeaderKv.Cli.Bench.Figures;

/// <summary>One pass of writes against one cluster: its raw samples and every figure derived from them.</summary>
public sealed record QuorumRun(
    ReplicationMode Mode,
    int Quorum,
    BenchPhase Phase,
    LoadFigures Load,
    ConsistencyFigures Consistency,
    ResourceFigures? Resources)
{
    /// <summary>Kept out of results.json: samples.csv holds every one of them.</summary>
    [JsonIgnore]
    public IReadOnlyList<WriteSample> Samples { get; init; } = [];

    /// <summary>"ordered q=3 cold": how progress lines and tables name a run.</summary>
    [JsonIgnore]
    public string Label => $"{BenchText.Mode(Mode)} q={Quorum}{(Phase == BenchPhase.Warm ? " warm" : "")}";
}

/// <summary>
/// What the followers looked like after the load. Counts are null where they could not be measured
/// (a target without /status, or followers this machine cannot reach).
/// </summary>
/// <param name="LastIndex">The leader's last index when the load ended.</param>
/// <param name="ReplicationCompleteMs">From the last answer until every follower had applied <paramref name="LastIndex"/>; null if not within the settle timeout.</param>
/// <param name="CheckDelayS">When the seed's checks ran after the load (2 s, as benchmark.py sleeps).</param>
/// <param name="KeyCountMismatchesAtCheck">benchmark.py: followers whose key count differed from the leader's.</param>
/// <param name="DataMismatchesAtCheck">tests.py: followers whose whole /data differed.</param>
/// <param name="DivergedAfterSettle">Followers whose /data still differed once replication had settled.</param>
/// <param name="Unreachable">Followers whose /data could not be read.</param>
/// <param name="Mismatches">tests.py's lines for the followers diverged after settle.</param>
public sealed record ConsistencyFigures(
    long? LastIndex,
    double? ReplicationCompleteMs,
    double CheckDelayS,
    int? KeyCountMismatchesAtCheck,
    int? DataMismatchesAtCheck,
    int? DivergedAfterSettle,
    int Unreachable,
    IReadOnlyList<string> Mismatches)
{
    /// <summary>Every follower reached the leader's data once replication settled.</summary>
    public bool? Converged => DivergedAfterSettle is { } diverged ? diverged == 0 && Unreachable == 0 : null;
}

/// <summary>Resources of the node processes over one pass, from /proc; only for clusters the benchmark started.</summary>
/// <param name="LeaderCpuS">CPU time (user + system) the leader used during the pass.</param>
/// <param name="FollowersCpuS">CPU time all followers together used during the pass.</param>
/// <param name="LeaderPeakWorkingSetMb">The leader's peak resident memory since it started (VmHWM).</param>
/// <param name="FollowerPeakWorkingSetMb">The largest follower peak, same measure.</param>
public sealed record ResourceFigures(double LeaderCpuS, double FollowersCpuS, double LeaderPeakWorkingSetMb, double FollowerPeakWorkingSetMb);
