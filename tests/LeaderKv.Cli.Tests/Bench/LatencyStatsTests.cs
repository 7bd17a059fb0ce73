using LeaderKv.Cli.Bench.Figures;

namespace LeaderKv.Cli.Tests.Bench;

/// <summary>The benchmark's statistics: nearest-rank percentiles over an exact sort of every sample.</summary>
public sealed class LatencyStatsTests
{
    /// <summary>Goal: on 1..100 the p-th percentile is p itself. Method: feed the samples shuffled.</summary>
    [Fact]
    public void Percentiles_of_one_to_a_hundred_are_the_percent_values()
    {
        var samples = Enumerable.Range(1, 100).Select(i => (double)i).Reverse().ToList();

        var stats = LatencyStats.Of(samples)!;

        Assert.Equal(100, stats.Count);
        Assert.Equal(50.5, stats.Mean, 9);
        Assert.Equal(50, stats.P50);
        Assert.Equal(95, stats.P95);
        Assert.Equal(99, stats.P99);
        Assert.Equal(100, stats.Max);
        Assert.Equal(1, stats.Min);
    }

    [Fact]
    public void Percentiles_are_always_a_measured_sample()
    {
        double[] samples = [10, 20, 30, 40];

        var stats = LatencyStats.Of(samples)!;

        // ceil(0.5 · 4) = 2nd sample; ceil(0.95 · 4) = ceil(0.99 · 4) = 4th.
        Assert.Equal(20, stats.P50);
        Assert.Equal(40, stats.P95);
        Assert.Equal(40, stats.P99);
        Assert.Equal(25, stats.Mean);
    }

    [Fact]
    public void A_single_sample_is_every_percentile()
    {
        var stats = LatencyStats.Of([7.5])!;

        Assert.All(new[] { stats.P50, stats.P95, stats.P99, stats.Max, stats.Min, stats.Mean }, v => Assert.Equal(7.5, v));
    }

    [Fact]
    public void No_samples_give_no_statistics_rather_than_zeros()
    {
        Assert.Null(LatencyStats.Of([]));
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 1)]
    [InlineData(10, 1)]
    [InlineData(11, 2)]
    [InlineData(100, 10)]
    public void Percentile_uses_the_nearest_rank(double percent, double expected)
    {
        var ascending = Enumerable.Range(1, 10).Select(i => (double)i).ToList();

        Assert.Equal(expected, LatencyStats.Percentile(ascending, percent));
    }

    [Fact]
    public void Percentile_rejects_a_percent_outside_zero_to_a_hundred()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => LatencyStats.Percentile([1.0], 101));
        Assert.Throws<ArgumentOutOfRangeException>(() => LatencyStats.Percentile([1.0], -1));
    }
}
