using LeaderKv.Cli.Bench.Figures;
using LeaderKv.Cli.Bench.Load;

namespace LeaderKv.Cli.Tests.Bench;

/// <summary>Per-pass figures: theory from the delay model, overhead per write, failures kept apart.</summary>
public sealed class LoadFiguresTests
{
    /// <summary>Goal: the theory line is the seed's a + k(b − a)/(n + 1). Method: the seed's configuration, quorum 1..5.</summary>
    [Theory]
    [InlineData(1, 166.667)]
    [InlineData(2, 333.333)]
    [InlineData(3, 500.000)]
    [InlineData(4, 666.667)]
    [InlineData(5, 833.333)]
    public void Theory_is_the_expected_kth_of_n_uniform_delays(int quorum, double expectedMs)
    {
        Assert.Equal(expectedMs, LoadFigures.Theory(quorum, followers: 5, minDelayMs: 0, maxDelayMs: 1000), 3);
    }

    [Fact]
    public void Theory_starts_at_the_minimum_delay_and_is_zero_for_an_asynchronous_quorum()
    {
        Assert.Equal(100 + 900.0 / 3, LoadFigures.Theory(1, followers: 2, minDelayMs: 100, maxDelayMs: 1000), 9);
        Assert.Equal(0, LoadFigures.Theory(0, followers: 5, minDelayMs: 100, maxDelayMs: 1000));
    }

    /// <summary>
    /// Goal: overhead is latency minus the completing ack's delay, per write, and failed writes count only
    /// as failures. Method: three successes with known delays and one 500.
    /// </summary>
    [Fact]
    public void Overhead_is_latency_minus_quorum_delay_per_acknowledged_write()
    {
        WriteSample[] samples =
        [
            Sample(0, latency: 101, delay: 100),
            Sample(1, latency: 53, delay: 50),
            Sample(2, latency: 12, delay: 10),
            new WriteSample(3, "key-3", 0, 900, 500, null, null, null, "HTTP 500: Write quorum not met"),
        ];

        var figures = LoadFigures.From(new LoadResult(samples, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(0.5)), 1, 5, 0, 1000);

        Assert.Equal(4, figures.Writes);
        Assert.Equal(3, figures.Succeeded);
        Assert.Equal(1, figures.Failed);
        Assert.Equal(1.5, figures.ThroughputPerS, 9);
        Assert.Equal(55.333, figures.Latency!.Mean, 3);
        Assert.Equal(3, figures.Latency.Count);
        Assert.Equal(2, figures.Overhead!.Mean, 9);
        Assert.Equal(2, figures.Overhead.P50);
        Assert.Equal(3, figures.Overhead.P99);
        Assert.Equal(53.333, figures.QuorumDelay!.Mean, 3);
        Assert.Equal(55.333 - 166.667, figures.MeanMinusTheoryMs!.Value, 2);
        Assert.Equal("HTTP 500: Write quorum not met", figures.FirstError);
        Assert.Equal(25, figures.ClientCpuPercentOfCore, 9);
    }

    [Fact]
    public void A_seed_node_without_quorum_delay_has_latency_but_no_overhead()
    {
        WriteSample[] samples = [new WriteSample(0, "key-0", 0, 40, 200, null, null, null, null)];

        var figures = LoadFigures.From(new LoadResult(samples, TimeSpan.FromSeconds(1), TimeSpan.Zero), 1, 5, 0, 1000);

        Assert.Equal(40, figures.Latency!.Mean);
        Assert.Null(figures.Overhead);
        Assert.Null(figures.QuorumDelay);
    }

    [Fact]
    public void A_pass_where_every_write_failed_has_no_latency()
    {
        WriteSample[] samples = [new WriteSample(0, "key-0", 0, 0, 0, null, null, null, "Connection refused")];

        var figures = LoadFigures.From(new LoadResult(samples, TimeSpan.FromSeconds(1), TimeSpan.Zero), 1, 5, 0, 1000);

        Assert.Null(figures.Latency);
        Assert.Null(figures.MeanMinusTheoryMs);
        Assert.Equal(0, figures.ThroughputPerS);
        Assert.Equal(1, figures.Failed);
    }

    private static WriteSample Sample(int sequence, double latency, double delay) =>
        new(sequence, $"key-{sequence}", sequence, latency, 200, sequence + 1, 1, delay, null);
}
