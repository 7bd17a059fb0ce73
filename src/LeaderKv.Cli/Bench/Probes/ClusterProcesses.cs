using LeaderKv.Cli.Bench.Figures;

namespace LeaderKv.Cli.Bench.Probes;

/// <summary>The node processes of a cluster the benchmark started, read together before and after a pass.</summary>
public sealed record ClusterProcesses(int LeaderId, IReadOnlyList<int> FollowerIds)
{
    private const double BytesPerMb = 1024 * 1024;

    public ClusterReading Read() => new(
        ProcessMeter.Read(LeaderId),
        FollowerIds.Select(ProcessMeter.Read).ToList());

    /// <summary>CPU used between the readings, peak memory as of the later one; null when a node could not be read.</summary>
    public static ResourceFigures? Resources(ClusterReading? before, ClusterReading? after)
    {
        if (before?.Leader is not { } leaderBefore || after?.Leader is not { } leaderAfter
            || before.Followers.Any(f => f is null) || after.Followers.Any(f => f is null))
        {
            return null;
        }

        var followersCpu = after.Followers.Zip(before.Followers, (a, b) => (a!.Value.CpuTime - b!.Value.CpuTime).TotalSeconds).Sum();
        var followerPeak = after.Followers.Select(f => f!.Value.PeakWorkingSetBytes).DefaultIfEmpty(0).Max();
        return new ResourceFigures(
            (leaderAfter.CpuTime - leaderBefore.CpuTime).TotalSeconds,
            followersCpu,
            leaderAfter.PeakWorkingSetBytes / BytesPerMb,
            followerPeak / BytesPerMb);
    }
}

public sealed record ClusterReading(ProcessReading? Leader, IReadOnlyList<ProcessReading?> Followers);
