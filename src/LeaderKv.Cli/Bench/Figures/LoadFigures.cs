using LeaderKv.Cli.Bench.Load;
using LeaderKv.Core;

namespace LeaderKv.Cli.Bench.Figures;

/// <summary>
/// What one pass of writes measured, next to what the delay model predicts. Latencies are in ms and
/// count acknowledged writes only, as the seed's benchmark does; failures are counted separately.
/// </summary>
/// <param name="Writes">Writes sent.</param>
/// <param name="Succeeded">Writes answered 200.</param>
/// <param name="Failed">Writes answered otherwise or not at all.</param>
/// <param name="DurationS">From the first send to the last answer.</param>
/// <param name="ThroughputPerS">Acknowledged writes per second of <paramref name="DurationS"/>.</param>
/// <param name="Latency">Latency of acknowledged writes; null when none was acknowledged.</param>
/// <param name="TheoryMs">Mean wait for the k-th of n uniform delays: a + k(b − a)/(n + 1).</param>
/// <param name="MeanMinusTheoryMs">Measured mean minus theory: overhead plus the sampling noise of the delays.</param>
/// <param name="QuorumDelay">The completing ack's simulated delay as the leader reported it; its mean estimates the theory.</param>
/// <param name="Overhead">Per write, latency minus that delay: our own cost without the delay model's noise.</param>
/// <param name="ClientCpuS">CPU time the benchmark process used during the pass.</param>
/// <param name="FirstError">The first failure's reason, so a failing run explains itself.</param>
public sealed record LoadFigures(
    int Writes,
    int Succeeded,
    int Failed,
    double DurationS,
    double ThroughputPerS,
    LatencyStats? Latency,
    double TheoryMs,
    double? MeanMinusTheoryMs,
    LatencyStats? QuorumDelay,
    LatencyStats? Overhead,
    double ClientCpuS,
    string? FirstError)
{
    /// <summary>Client CPU as a share of one core over the pass: near 100 % would make the client the bottleneck.</summary>
    public double ClientCpuPercentOfCore => DurationS > 0 ? 100 * ClientCpuS / DurationS : 0;

    public static LoadFigures From(LoadResult load, int quorum, int followers, int minDelayMs, int maxDelayMs)
    {
        ArgumentNullException.ThrowIfNull(load);
        var succeeded = load.Samples.Where(s => s.Succeeded).ToList();
        var latency = LatencyStats.Of(succeeded.Select(s => s.LatencyMs));
        var theory = Theory(quorum, followers, minDelayMs, maxDelayMs);
        var duration = load.Wall.TotalSeconds;
        return new LoadFigures(
            load.Samples.Count,
            succeeded.Count,
            load.Samples.Count - succeeded.Count,
            duration,
            duration > 0 ? succeeded.Count / duration : 0,
            latency,
            theory,
            latency is null ? null : latency.Mean - theory,
            LatencyStats.Of(succeeded.Where(s => s.QuorumDelayMs.HasValue).Select(s => s.QuorumDelayMs!.Value)),
            LatencyStats.Of(succeeded.Select(s => s.OverheadMs).OfType<double>()),
            load.ClientCpu.TotalSeconds,
            load.Samples.FirstOrDefault(s => !s.Succeeded).Error);
    }

    /// <summary>The seed's model in ms, from <see cref="QuorumMath.ExpectedKthDelay"/>.</summary>
    public static double Theory(int quorum, int followers, int minDelayMs, int maxDelayMs) =>
        QuorumMath.ExpectedKthDelay(
            TimeSpan.FromMilliseconds(minDelayMs), TimeSpan.FromMilliseconds(maxDelayMs), followers, quorum).TotalMilliseconds;
}
