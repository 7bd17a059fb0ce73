using LeaderKv.Core;

namespace LeaderKv.Cli.Bench;

/// <summary>
/// Everything one <c>leaderkv bench</c> run is configured by. The defaults are the seed's benchmark.py:
/// quorums 1..5, 100 writes 10 at a time over key-0..key-9, delays 0–1000 ms, five followers.
/// </summary>
public sealed record BenchSettings
{
    public IReadOnlyList<int> Quorums { get; init; } = [1, 2, 3, 4, 5];

    public int Writes { get; init; } = 100;

    public int Concurrency { get; init; } = 10;

    public int Keys { get; init; } = 10;

    public int Followers { get; init; } = 5;

    public int MinDelayMs { get; init; }

    public int MaxDelayMs { get; init; } = 1000;

    /// <summary>Null keeps the seed's values (<c>value-i</c>); otherwise each value is padded to this many bytes.</summary>
    public int? ValueBytes { get; init; }

    /// <summary>Replication modes to run, each over every quorum. The first one is the latency plot's subject.</summary>
    public IReadOnlyList<ReplicationMode> Modes { get; init; } = [ReplicationMode.Ordered, ReplicationMode.Unordered];

    /// <summary>Measure this already-running leader instead of starting a local cluster per quorum.</summary>
    public Uri? Target { get; init; }

    /// <summary>Follower URLs of <see cref="Target"/> when its /status lists addresses this machine cannot reach.</summary>
    public IReadOnlyList<Uri> TargetFollowers { get; init; } = [];

    /// <summary>Throughput mode: each quorum's cluster takes a cold pass and then a warm pass of <see cref="Writes"/>.</summary>
    public bool Throughput { get; init; }

    public string? OutputDirectory { get; init; }

    /// <summary>Null picks free consecutive loopback ports for each cluster.</summary>
    public int? BasePort { get; init; }

    /// <summary>DELAY_SEED for the nodes, so a run's simulated delays can be replayed; null lets each node choose.</summary>
    public int? DelaySeed { get; init; }

    /// <summary>
    /// More environment for every node, e.g. DOTNET_TieredCompilation=0 to measure the JIT's part in cold
    /// figures. The cluster's own variables (ROLE, FOLLOWERS...) win over these.
    /// </summary>
    public IReadOnlyDictionary<string, string> NodeEnvironment { get; init; } = new Dictionary<string, string>();

    /// <summary>LeaderKv.Node.dll to start instead of the one built with the CLI (say, a ReadyToRun publish).</summary>
    public string? NodeAssemblyPath { get; init; }

    /// <summary>When the seed's two checks run after the load ends (benchmark.py sleeps 2 s).</summary>
    public TimeSpan CheckDelay { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Longest wait, after the load, for every follower to apply the leader's last index.</summary>
    public TimeSpan SettleTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The seed's experiment.</summary>
    public static BenchSettings Seed { get; } = new();

    /// <summary>
    /// The throughput experiment of issue 3: no simulated delay, 20,000 writes at concurrency 64, quorums
    /// 0, 1, 3 and 5, ordered mode only (the unordered mode's race is not what this measures).
    /// </summary>
    public static BenchSettings ThroughputDefaults { get; } = new()
    {
        Throughput = true,
        Quorums = [0, 1, 3, 5],
        Writes = 20_000,
        Concurrency = 64,
        MinDelayMs = 0,
        MaxDelayMs = 0,
        Modes = [ReplicationMode.Ordered],
    };

    /// <summary>The passes each cluster gets: the cold one always, a warm one in throughput mode.</summary>
    public IReadOnlyList<BenchPhase> Phases => Throughput ? [BenchPhase.Cold, BenchPhase.Warm] : [BenchPhase.Cold];

    /// <summary>Returns the first problem with these settings, or null when they are usable.</summary>
    public string? Validate()
    {
        if (Quorums.Count == 0)
        {
            return "--quorums needs at least one quorum.";
        }

        if (Followers is < 0 or > QuorumMath.MaxFollowers)
        {
            return $"--followers must be between 0 and {QuorumMath.MaxFollowers} (got {Followers}).";
        }

        if (Quorums.Where(q => !QuorumMath.IsValid(q, Followers)).Select(q => (int?)q).FirstOrDefault() is { } bad)
        {
            return $"every quorum must be between 0 and the number of followers, {Followers} (got {bad}).";
        }

        if (Writes < 1)
        {
            return $"--writes must be at least 1 (got {Writes}).";
        }

        if (Concurrency < 1)
        {
            return $"--concurrency must be at least 1 (got {Concurrency}).";
        }

        if (Keys < 1)
        {
            return $"--keys must be at least 1 (got {Keys}).";
        }

        if (MinDelayMs < 0 || MinDelayMs > MaxDelayMs)
        {
            return $"need 0 <= --min-delay <= --max-delay (got {MinDelayMs} and {MaxDelayMs}).";
        }

        if (ValueBytes is < 1 or > MaxValueBytes)
        {
            return $"--value-bytes must be between 1 and {MaxValueBytes} (got {ValueBytes}).";
        }

        if (Modes.Count == 0)
        {
            return "--mode needs at least one replication mode.";
        }

        if (Target is not null && Quorums.Count != 1)
        {
            return "--target measures one running cluster: give the quorum it runs with as a single --quorums value.";
        }

        return null;
    }

    /// <summary>A benchmark write body stays well below any node's request limit.</summary>
    public const int MaxValueBytes = 64 * 1024;
}

/// <summary>A pass of writes against one cluster: the first after it started, or a repeat once it is warm.</summary>
public enum BenchPhase
{
    Cold,
    Warm,
}
