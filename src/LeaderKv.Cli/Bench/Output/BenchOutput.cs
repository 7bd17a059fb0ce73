namespace LeaderKv.Cli.Bench.Output;

/// <summary>Writes every output file of a run into one folder.</summary>
public static class BenchOutput
{
    public const string ResultsFile = "results.json";
    public const string SamplesFile = "samples.csv";
    public const string SummaryFile = "summary.md";
    public const string LatencyPlotFile = "quorum_latency_analysis.png";
    public const string ConsistencyPlotFile = "replication_consistency.png";

    /// <summary>bench-results/&lt;UTC timestamp&gt;/ under the current folder, so runs never overwrite each other.</summary>
    public static string DefaultDirectory(DateTimeOffset startedAt) =>
        Path.Combine("bench-results", startedAt.UtcDateTime.ToString("yyyyMMdd-HHmmss", System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>Returns the files written, in the order above.</summary>
    public static IReadOnlyList<string> WriteAll(string directory, BenchReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        Directory.CreateDirectory(directory);
        var results = Path.Combine(directory, ResultsFile);
        using (var stream = File.Create(results))
        {
            ResultsJson.Write(stream, report);
        }

        var samples = Path.Combine(directory, SamplesFile);
        using (var writer = new StreamWriter(samples))
        {
            SamplesCsv.Write(writer, report.Runs);
        }

        var summary = Path.Combine(directory, SummaryFile);
        File.WriteAllText(summary, SummaryMarkdown.Render(report));
        var latencyPlot = Path.Combine(directory, LatencyPlotFile);
        LatencyPlot.Save(latencyPlot, report);
        var consistencyPlot = Path.Combine(directory, ConsistencyPlotFile);
        ConsistencyPlot.Save(consistencyPlot, report);
        return [results, samples, summary, latencyPlot, consistencyPlot];
    }
}
