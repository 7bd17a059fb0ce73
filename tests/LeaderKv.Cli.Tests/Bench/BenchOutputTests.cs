using System.Buffers.Binary;
using System.Globalization;
using System.Text.Json;
using LeaderKv.Cli.Bench.Output;

namespace LeaderKv.Cli.Tests.Bench;

/// <summary>The shape of every output file: what a reader of results.json, samples.csv or summary.md may rely on.</summary>
public sealed class BenchOutputTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"leaderkv-bench-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public void WriteAll_writes_the_five_files()
    {
        var files = BenchOutput.WriteAll(_directory, BenchReports.TwoModesTwoQuorums());

        Assert.Equal(
            ["results.json", "samples.csv", "summary.md", "quorum_latency_analysis.png", "replication_consistency.png"],
            files.Select(Path.GetFileName));
        Assert.All(files, f => Assert.True(new FileInfo(f).Length > 0, $"{f} is empty"));
    }

    /// <summary>Goal: samples.csv holds every write with its quorum, key, latency, index, acks and delay. Method: read it back.</summary>
    [Fact]
    public void Samples_csv_has_a_header_and_one_row_per_write()
    {
        var report = BenchReports.TwoModesTwoQuorums();
        BenchOutput.WriteAll(_directory, report);

        var lines = File.ReadAllLines(Path.Combine(_directory, BenchOutput.SamplesFile));
        var header = lines[0].Split(',');
        var rows = lines.Skip(1).Select(l => l.Split(',')).ToList();

        Assert.Equal(SamplesCsv.Header, lines[0]);
        Assert.Equal(report.Runs.Sum(r => r.Samples.Count), rows.Count);
        Assert.All(rows, r => Assert.Equal(header.Length, r.Length));
        var row = rows.First(r => r[0] == "unordered" && r[1] == "3" && r[3] == "2");
        Assert.Equal("key-2", row[Array.IndexOf(header, "key")]);
        Assert.Equal(302, double.Parse(row[Array.IndexOf(header, "latency_ms")], CultureInfo.InvariantCulture));
        Assert.Equal("3", row[Array.IndexOf(header, "index")]);
        Assert.Equal("3", row[Array.IndexOf(header, "acks")]);
        Assert.Equal(300.5, double.Parse(row[Array.IndexOf(header, "quorum_delay_ms")], CultureInfo.InvariantCulture));
        Assert.Equal(1.5, double.Parse(row[Array.IndexOf(header, "overhead_ms")], CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Results_json_holds_settings_machine_and_every_figure_but_not_the_samples()
    {
        BenchOutput.WriteAll(_directory, BenchReports.TwoModesTwoQuorums());

        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(_directory, BenchOutput.ResultsFile)));
        var root = json.RootElement;
        var runs = root.GetProperty("runs").EnumerateArray().ToList();

        Assert.Equal(4, runs.Count);
        Assert.Equal(1000, root.GetProperty("settings").GetProperty("maxDelayMs").GetInt32());
        Assert.Equal(2, root.GetProperty("machine").GetProperty("logicalCores").GetInt32());
        var first = runs[0];
        Assert.Equal("ordered", first.GetProperty("mode").GetString());
        Assert.Equal(1, first.GetProperty("quorum").GetInt32());
        Assert.Equal("cold", first.GetProperty("phase").GetString());
        var load = first.GetProperty("load");
        Assert.Equal(101.5, load.GetProperty("latency").GetProperty("mean").GetDouble(), 9);
        Assert.Equal(166.667, load.GetProperty("theoryMs").GetDouble(), 3);
        Assert.Equal(1.5, load.GetProperty("overhead").GetProperty("p50").GetDouble(), 9);
        Assert.Equal(250, first.GetProperty("consistency").GetProperty("replicationCompleteMs").GetDouble());
        Assert.Equal(0.5, first.GetProperty("resources").GetProperty("leaderCpuS").GetDouble());
        Assert.False(first.TryGetProperty("samples", out _));
        Assert.Equal(3, runs[2].GetProperty("consistency").GetProperty("divergedAfterSettle").GetInt32());
    }

    [Fact]
    public void Summary_has_a_row_per_run_in_each_table()
    {
        BenchOutput.WriteAll(_directory, BenchReports.TwoModesTwoQuorums());

        var summary = File.ReadAllLines(Path.Combine(_directory, BenchOutput.SummaryFile));
        var rows = summary.Where(l => l.StartsWith("| ordered |", StringComparison.Ordinal) || l.StartsWith("| unordered |", StringComparison.Ordinal)).ToList();

        Assert.Equal(3 * 4, rows.Count);
        Assert.Contains(summary, l => l.StartsWith("| unordered | 1 | cold | 4 | 0 | 101.50 |", StringComparison.Ordinal));
        Assert.Contains(summary, l => l.Contains("leaderkv bench --quorums 1,3", StringComparison.Ordinal));
        Assert.Contains(summary, l => l.Contains("test cpu", StringComparison.Ordinal));
    }

    [Fact]
    public void Plots_are_png_images_of_the_documented_size()
    {
        BenchOutput.WriteAll(_directory, BenchReports.TwoModesTwoQuorums());

        Assert.Equal((LatencyPlot.Width, LatencyPlot.Height), PngSize(Path.Combine(_directory, BenchOutput.LatencyPlotFile)));
        Assert.Equal((ConsistencyPlot.Width, ConsistencyPlot.Height), PngSize(Path.Combine(_directory, BenchOutput.ConsistencyPlotFile)));
    }

    /// <summary>Width and height from the IHDR chunk, after checking the PNG signature.</summary>
    private static (int Width, int Height) PngSize(string path)
    {
        var bytes = File.ReadAllBytes(path);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }, bytes[..8]);
        return (BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16)), BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20)));
    }
}
