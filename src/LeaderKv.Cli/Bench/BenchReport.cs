using LeaderKv.Cli.Bench.Figures;

namespace LeaderKv.Cli.Bench;

/// <summary>Everything results.json holds: when, with what, on what, and every run's figures.</summary>
public sealed record BenchReport(
    DateTimeOffset StartedAt,
    IReadOnlyList<string> Command,
    BenchSettings Settings,
    MachineInfo Machine,
    IReadOnlyList<QuorumRun> Runs);
