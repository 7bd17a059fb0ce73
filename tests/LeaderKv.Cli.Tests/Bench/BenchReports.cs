using LeaderKv.Cli.Bench;
using LeaderKv.Cli.Bench.Figures;
using LeaderKv.Cli.Bench.Load;
using LeaderKv.Core;

namespace LeaderKv.Cli.Tests.Bench;

/// <summary>Small, fully known reports for the output-file tests.</summary>
internal static class BenchReports
{
    public static BenchReport TwoModesTwoQuorums()
    {
        var settings = BenchSettings.Seed with { Quorums = [1, 3], Writes = 4 };
        List<QuorumRun> runs = [];
        foreach (var mode in new[] { ReplicationMode.Ordered, ReplicationMode.Unordered })
        {
            foreach (var quorum in settings.Quorums)
            {
                var samples = Enumerable.Range(0, settings.Writes)
                    .Select(i => new WriteSample(i, $"key-{i % 10}", i * 10, 100 * quorum + i, 200, i + 1, quorum, 100 * quorum + i - 1.5, null))
                    .ToList();
                var load = LoadFigures.From(new LoadResult(samples, TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(20)), quorum, 5, 0, 1000);
                var diverged = mode == ReplicationMode.Unordered ? 4 - quorum : 0;
                runs.Add(new QuorumRun(
                    mode,
                    quorum,
                    BenchPhase.Cold,
                    load,
                    new ConsistencyFigures(settings.Writes, 250, 2, 0, diverged, diverged, 0, []),
                    new ResourceFigures(0.5, 1.5, 80, 70))
                {
                    Samples = samples,
                });
            }
        }

        var machine = new MachineInfo(2, "test cpu", 4, "Linux", ".NET 10", "Release", "0.10 0.20 0.30");
        return new BenchReport(new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero), ["bench", "--quorums", "1,3"], settings, machine, runs);
    }
}
