namespace LeaderKv.Cli.Bench.Figures;

/// <summary>
/// Mean and percentiles of a set of samples, from an exact sort (a run keeps every sample, so there is
/// no need to bucket them). Percentiles use the nearest-rank definition: the p-th percentile is the
/// smallest sample with at least p % of the samples at or below it, so it is always a measured value.
/// </summary>
public sealed record LatencyStats(int Count, double Mean, double P50, double P95, double P99, double Max, double Min)
{
    /// <summary>Null for no samples: an average of nothing is not zero.</summary>
    public static LatencyStats? Of(IEnumerable<double> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        var sorted = samples.ToArray();
        if (sorted.Length == 0)
        {
            return null;
        }

        Array.Sort(sorted);
        return new LatencyStats(
            sorted.Length,
            sorted.Average(),
            Percentile(sorted, 50),
            Percentile(sorted, 95),
            Percentile(sorted, 99),
            sorted[^1],
            sorted[0]);
    }

    /// <summary>Nearest rank on an ascending array: the sample at position ceil(p/100 · n), 1-based.</summary>
    public static double Percentile(IReadOnlyList<double> ascending, double percent)
    {
        ArgumentNullException.ThrowIfNull(ascending);
        ArgumentOutOfRangeException.ThrowIfZero(ascending.Count);
        ArgumentOutOfRangeException.ThrowIfNegative(percent);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(percent, 100);
        var rank = (int)Math.Ceiling(percent / 100 * ascending.Count);
        return ascending[Math.Max(rank, 1) - 1];
    }
}
