using LeaderKv.Cli.Bench.Figures;
using ScottPlot;

namespace LeaderKv.Cli.Bench.Output;

/// <summary>
/// quorum_latency_analysis.png: the seed's plot (quorum against mean latency) with p50 and p99 beside the
/// mean, the delay model's theory line and, for the seed's own configuration, the seed's published means.
/// </summary>
public static class LatencyPlot
{
    /// <summary>benchmark.py's results in seed.md §4, in ms, for quorum 1..5 with 5 followers and a delay of 0–1000 ms.</summary>
    public static readonly IReadOnlyList<double> SeedPublishedMeansMs = [200, 360, 540, 690, 860];

    public const int Width = 1000;
    public const int Height = 640;

    public static void Save(string path, BenchReport report)
    {
        var runs = PlottedRuns(report);
        var plot = new Plot();
        var quorums = runs.Select(r => (double)r.Quorum).ToArray();
        var s = report.Settings;

        AddLine(plot, quorums, runs.Select(r => r.Load.TheoryMs).ToArray(), "theory: a + k(b − a)/(n + 1)", Colors.Black, LinePattern.Dotted, 0);
        AddLine(plot, quorums, runs.Select(r => r.Load.Latency?.Mean ?? double.NaN).ToArray(), "measured mean", Colors.Blue, LinePattern.Solid, 9);
        AddLine(plot, quorums, runs.Select(r => r.Load.Latency?.P50 ?? double.NaN).ToArray(), "measured p50", Colors.Green, LinePattern.Dashed, 7);
        AddLine(plot, quorums, runs.Select(r => r.Load.Latency?.P99 ?? double.NaN).ToArray(), "measured p99", Colors.Red, LinePattern.Dashed, 7);
        if (IsSeedConfiguration(s))
        {
            double[] seedQuorums = [1, 2, 3, 4, 5];
            AddLine(plot, seedQuorums, [.. SeedPublishedMeansMs], "seed's published mean (Python)", Colors.Gray, LinePattern.DenselyDashed, 7);
        }

        var phase = runs.Count > 0 ? BenchText.Phase(runs[0].Phase) : "";
        plot.Title($"Write quorum vs write latency ({BenchText.Mode(runs.FirstOrDefault()?.Mode ?? default)} mode{(s.Throughput ? $", {phase}" : "")})\n" +
            $"{s.Followers} followers, delay U[{s.MinDelayMs}, {s.MaxDelayMs}] ms, {s.Writes} writes, {s.Concurrency} concurrent, {s.Keys} keys");
        plot.XLabel("Write quorum (follower acknowledgements waited for)");
        plot.YLabel("Write latency (ms)");
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericFixedInterval(1);
        // Latency starts at zero so the gap between quorums reads true; the legend sits outside the data.
        var highest = runs.SelectMany(r => new[] { r.Load.TheoryMs, r.Load.Latency?.P99 ?? 0 })
            .Concat(IsSeedConfiguration(s) ? SeedPublishedMeansMs : []).DefaultIfEmpty(1).Max();
        plot.Axes.SetLimitsY(0, Math.Max(highest, 1) * 1.08);
        plot.Axes.SetLimitsX(quorums.DefaultIfEmpty(0).Min() - 0.3, quorums.DefaultIfEmpty(0).Max() + 0.3);
        plot.ShowLegend(Edge.Bottom);
        plot.SavePng(path, Width, Height);
    }

    /// <summary>The first mode's runs, of the last phase (warm in throughput mode: the steady state).</summary>
    public static IReadOnlyList<QuorumRun> PlottedRuns(BenchReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        if (report.Runs.Count == 0)
        {
            return [];
        }

        var mode = report.Runs[0].Mode;
        var phase = report.Runs.Where(r => r.Mode == mode).Max(r => r.Phase);
        return report.Runs.Where(r => r.Mode == mode && r.Phase == phase).OrderBy(r => r.Quorum).ToList();
    }

    private static bool IsSeedConfiguration(BenchSettings s) => s.Followers == 5 && s.MinDelayMs == 0 && s.MaxDelayMs == 1000;

    private static void AddLine(Plot plot, double[] xs, double[] ys, string label, Color color, LinePattern pattern, float markerSize)
    {
        var line = plot.Add.Scatter(xs, ys, color);
        line.LegendText = label;
        line.LinePattern = pattern;
        line.LineWidth = 2;
        line.MarkerSize = markerSize;
    }
}
