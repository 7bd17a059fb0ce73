using System.Globalization;
using System.Text.Json;
using LeaderKv.Cli.Bench.Output;
using LeaderKv.Cli.Tests.Support;

namespace LeaderKv.Cli.Tests.Bench;

/// <summary>
/// One real, small `bench`: node processes, two quorums, a few writes with tiny delays. Checks that the
/// files appear and that the figures in results.json are the ones samples.csv implies. No speed asserted.
/// </summary>
[Collection(ProcessTestCollection.Name)]
[Trait("Category", "Process")]
public sealed class BenchEndToEndTests : IDisposable
{
    private const int Writes = 12;
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"leaderkv-bench-e2e-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public async Task Bench_writes_every_file_and_its_figures_match_the_samples()
    {
        var run = await CliRun.RunAsync(
            "bench", "--quorums", "0,2", "--writes", $"{Writes}", "--concurrency", "3", "--keys", "4", "--followers", "2",
            "--min-delay", "1", "--max-delay", "5", "--mode", "ordered", "--check-delay", "0.1", "--out", _directory);

        Assert.True(run.ExitCode == 0, run.ToString());
        foreach (var file in new[]
        {
            BenchOutput.ResultsFile, BenchOutput.SamplesFile, BenchOutput.SummaryFile, BenchOutput.LatencyPlotFile, BenchOutput.ConsistencyPlotFile,
        })
        {
            Assert.True(File.Exists(Path.Combine(_directory, file)), $"{file} missing\n{run}");
        }

        var samples = ReadSamples();
        using var results = JsonDocument.Parse(File.ReadAllText(Path.Combine(_directory, BenchOutput.ResultsFile)));
        var runs = results.RootElement.GetProperty("runs").EnumerateArray().ToList();
        Assert.Equal([0, 2], runs.Select(r => r.GetProperty("quorum").GetInt32()));
        foreach (var figures in runs)
        {
            var quorum = figures.GetProperty("quorum").GetInt32();
            var mine = samples.Where(s => s.Quorum == quorum).ToList();
            var load = figures.GetProperty("load");
            var latency = load.GetProperty("latency");

            // Every write acknowledged, each with its own index, all applied on both followers and equal afterwards.
            Assert.Equal(Writes, mine.Count);
            Assert.All(mine, s => Assert.Equal(200, s.Status));
            Assert.Equal(Enumerable.Range(1, Writes).Select(i => (long)i), mine.Select(s => s.Index).Order());
            Assert.All(mine, s => Assert.True(s.Acks >= quorum, $"index {s.Index} answered with {s.Acks} acks"));
            Assert.Equal(Writes, load.GetProperty("succeeded").GetInt32());
            var consistency = figures.GetProperty("consistency");
            Assert.Equal(Writes, consistency.GetProperty("lastIndex").GetInt64());
            Assert.Equal(0, consistency.GetProperty("divergedAfterSettle").GetInt32());
            Assert.NotEqual(JsonValueKind.Null, consistency.GetProperty("replicationCompleteMs").ValueKind);

            // results.json's figures are those of samples.csv (which rounds to 0.001 ms).
            var sorted = mine.Select(s => s.LatencyMs).Order().ToList();
            Assert.Equal(sorted.Average(), latency.GetProperty("mean").GetDouble(), 0.002);
            Assert.Equal(sorted[^1], latency.GetProperty("max").GetDouble(), 0.002);
            Assert.Equal(sorted[(int)Math.Ceiling(0.5 * Writes) - 1], latency.GetProperty("p50").GetDouble(), 0.002);
            var overheads = mine.Select(s => s.LatencyMs - s.QuorumDelayMs).ToList();
            Assert.Equal(overheads.Average(), load.GetProperty("overhead").GetProperty("mean").GetDouble(), 0.004);
            if (quorum == 0)
            {
                Assert.All(mine, s => Assert.Equal(0, s.QuorumDelayMs));
            }
            else
            {
                Assert.All(mine, s => Assert.InRange(s.QuorumDelayMs, 1, 5));
            }

            // a + k(b − a)/(n + 1) with a = 1, b = 5, n = 2 (TimeSpan keeps 0.1 µs); an asynchronous write waits for no delay.
            Assert.Equal(quorum == 0 ? 0 : 1 + quorum * 4.0 / 3, load.GetProperty("theoryMs").GetDouble(), 0.001);
        }

        var summary = File.ReadAllText(Path.Combine(_directory, BenchOutput.SummaryFile));
        Assert.Contains("| ordered | 2 | cold | 12 | 0 |", summary, StringComparison.Ordinal);
    }

    private List<(int Quorum, long Index, int Acks, int Status, double LatencyMs, double QuorumDelayMs)> ReadSamples()
    {
        var lines = File.ReadAllLines(Path.Combine(_directory, BenchOutput.SamplesFile));
        var header = lines[0].Split(',');
        int Column(string name) => Array.IndexOf(header, name);
        return lines.Skip(1).Select(line => line.Split(',')).Select(f => (
            int.Parse(f[Column("quorum")], CultureInfo.InvariantCulture),
            long.Parse(f[Column("index")], CultureInfo.InvariantCulture),
            int.Parse(f[Column("acks")], CultureInfo.InvariantCulture),
            int.Parse(f[Column("status")], CultureInfo.InvariantCulture),
            double.Parse(f[Column("latency_ms")], CultureInfo.InvariantCulture),
            double.Parse(f[Column("quorum_delay_ms")], CultureInfo.InvariantCulture))).ToList();
    }
}
