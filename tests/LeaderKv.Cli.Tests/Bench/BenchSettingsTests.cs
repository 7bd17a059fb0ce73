using LeaderKv.Cli.Bench;
using LeaderKv.Core;

namespace LeaderKv.Cli.Tests.Bench;

/// <summary>The defaults are the seed's benchmark.py and the throughput experiment.</summary>
public sealed class BenchSettingsTests
{
    [Fact]
    public void Seed_defaults_reproduce_benchmark_py()
    {
        var seed = BenchSettings.Seed;

        Assert.Equal([1, 2, 3, 4, 5], seed.Quorums);
        Assert.Equal(100, seed.Writes);
        Assert.Equal(10, seed.Concurrency);
        Assert.Equal(10, seed.Keys);
        Assert.Equal(5, seed.Followers);
        Assert.Equal((0, 1000), (seed.MinDelayMs, seed.MaxDelayMs));
        Assert.Equal(TimeSpan.FromSeconds(2), seed.CheckDelay);
        Assert.Equal([BenchPhase.Cold], seed.Phases);
        Assert.Null(seed.Validate());
    }

    [Fact]
    public void Throughput_defaults_are_zero_delay_20000_writes_at_64_with_cold_and_warm_passes()
    {
        var fast = BenchSettings.ThroughputDefaults;

        Assert.Equal([0, 1, 3, 5], fast.Quorums);
        Assert.Equal((20_000, 64), (fast.Writes, fast.Concurrency));
        Assert.Equal((0, 0), (fast.MinDelayMs, fast.MaxDelayMs));
        Assert.Equal([ReplicationMode.Ordered], fast.Modes);
        Assert.Equal([BenchPhase.Cold, BenchPhase.Warm], fast.Phases);
        Assert.Null(fast.Validate());
    }

    [Fact]
    public void A_quorum_above_the_follower_count_is_refused()
    {
        var settings = BenchSettings.Seed with { Followers = 2, Quorums = [1, 3] };

        Assert.Contains("(got 3)", settings.Validate(), StringComparison.Ordinal);
    }
}
