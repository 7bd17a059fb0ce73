namespace LeaderKv.Cli.Verify;

[Flags]
internal enum Nemesis
{
    None = 0,
    Kill = 1,
    Pause = 2,
    Partition = 4,
    All = Kill | Pause | Partition,
}

/// <summary>Everything one verify run is given.</summary>
internal sealed record VerifySettings
{
    public int Nodes { get; init; } = 6;

    public int Quorum { get; init; } = 2;

    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(60);

    public Nemesis Nemesis { get; init; } = Nemesis.All;

    public int Clients { get; init; } = 8;

    public int Keys { get; init; } = 5;

    public int Seed { get; init; } = Environment.TickCount;

    /// <summary>Running nodes to test instead of starting a cluster (then only partitions, and only if they run with FAULT_INJECTION).</summary>
    public IReadOnlyList<Uri> Targets { get; init; } = [];

    public string OutputDirectory { get; init; } = "verify-results";

    /// <summary>Where the started nodes keep their data; null: a temporary directory removed afterwards.</summary>
    public string? DataDirectory { get; init; }

    /// <summary>MAX_DELAY of the started nodes: some lag, so replication is not instantaneous.</summary>
    public int MaxDelayMs { get; init; } = 20;

    /// <summary>Off until the compare-and-set API (PUT /kv/{key} with If-Match) is in the node.</summary>
    public bool CompareAndSet { get; init; }

    public ReadMode Reads { get; init; } = ReadMode.Fenced;

    /// <summary>More variables for every started node (tests use it for UNSAFE_TEST_STALE_READS).</summary>
    public IReadOnlyDictionary<string, string> NodeEnvironment { get; init; } = new Dictionary<string, string>();

    /// <summary>Time between the end of one fault and the start of the next, and how long one lasts.</summary>
    public TimeSpan FaultGap { get; init; } = TimeSpan.FromSeconds(2);

    public TimeSpan FaultLength { get; init; } = TimeSpan.FromSeconds(4);

    /// <summary>How long the nodes get to agree once every fault is healed.</summary>
    public TimeSpan ConvergenceTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Wall-clock bound on the linearizability search, after which undecided keys are "unknown".</summary>
    public TimeSpan CheckTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The run fails when no node led for more than this share of it.</summary>
    public double MaxUnavailableShare { get; init; } = 0.5;
}
