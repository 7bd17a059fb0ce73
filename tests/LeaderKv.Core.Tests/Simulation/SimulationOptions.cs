using LeaderKv.Core.Consensus;

namespace LeaderKv.Core.Tests.Simulation;

/// <summary>One cluster layout a seed runs: how leadership moves, W, and which guarantees the checker holds it to.</summary>
public sealed record SimulationLayout(string Name, FailoverMode Failover, int WriteQuorum)
{
    /// <summary>The layouts of the brief: automatic failover at W = 1, 2, 3, 5 and the seed's layout at W = 1, 2, 0.</summary>
    public static IReadOnlyList<SimulationLayout> All { get; } =
    [
        new("automatic W=1", FailoverMode.Automatic, 1),
        new("automatic W=2", FailoverMode.Automatic, 2),
        new("automatic W=3", FailoverMode.Automatic, 3),
        new("automatic W=5", FailoverMode.Automatic, 5),
        new("seed layout W=1", FailoverMode.Manual, 1),
        new("seed layout W=2", FailoverMode.Manual, 2),
        new("seed layout W=0", FailoverMode.Manual, 0),
    ];

    public static SimulationLayout ForSeed(int seed) => All[(int)((uint)seed % (uint)All.Count)];

    /// <summary>W = 0 recovers best-effort from whoever answers: data loss is part of the design there.</summary>
    public Guarantees Guarantees => WriteQuorum == 0 ? Guarantees.DataLossAllowed : Guarantees.Full;
}

/// <summary>How long a seed runs and how hostile its world is; the rates themselves are drawn from the seed.</summary>
public sealed record SimulationOptions
{
    public const int NodeCount = 6;

    /// <summary>Ticks with faults on.</summary>
    public int FaultTicks { get; init; } = 200;

    /// <summary>Ticks after healing before convergence is checked.</summary>
    public int HealTicks { get; init; } = 80;

    /// <summary>Overrides the layout's election quorum (a deliberately broken rule, to show the checker notices).</summary>
    public int? ElectionQuorum { get; init; }

    /// <summary>Receives one line per delivery, fault and replica event, to read a replayed seed.</summary>
    public Action<string>? Trace { get; init; }

    /// <summary>How linearizable reads are served (a broken rule shows the checker notices stale reads).</summary>
    public ReadRule Reads { get; init; } = ReadRule.Confirmed;

    /// <summary>Overrides the layout chosen from the seed.</summary>
    public SimulationLayout? Layout { get; init; }
}
