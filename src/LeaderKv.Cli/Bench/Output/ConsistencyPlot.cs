using LeaderKv.Cli.Bench.Figures;
using LeaderKv.Core;
using ScottPlot;

namespace LeaderKv.Cli.Bench.Output;

/// <summary>
/// replication_consistency.png: per quorum, how many followers the seed's checks found out of sync at the
/// check delay, and how many were still diverged once replication settled, for each mode side by side.
/// </summary>
public static class ConsistencyPlot
{
    public const int Width = 1000;
    public const int Height = 640;

    private sealed record Series(ReplicationMode Mode, string Label, Color Color, Func<ConsistencyFigures, int?> Value);

    public static void Save(string path, BenchReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var s = report.Settings;
        var check = $"{s.CheckDelay.TotalSeconds:0.#} s";
        var runs = report.Runs.Where(r => r.Phase == BenchPhase.Cold).ToList();
        var modes = runs.Select(r => r.Mode).Distinct().ToList();
        var series = modes.SelectMany(mode => SeriesFor(mode, check)).ToList();
        var quorums = runs.Select(r => r.Quorum).Distinct().Order().ToList();

        var plot = new Plot();
        const double groupWidth = 0.8;
        var barWidth = groupWidth / Math.Max(series.Count, 1);
        var bars = new List<Bar>();
        foreach (var (quorum, q) in quorums.Select((quorum, q) => (quorum, q)))
        {
            foreach (var (item, i) in series.Select((item, i) => (item, i)))
            {
                var run = runs.FirstOrDefault(r => r.Quorum == quorum && r.Mode == item.Mode);
                var value = run is null ? null : item.Value(run.Consistency);
                bars.Add(new Bar
                {
                    Position = q - groupWidth / 2 + barWidth * (i + 0.5),
                    Value = value ?? 0,
                    // A zero bar has no height: the label says it was measured as 0 (or not at all).
                    Label = value?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "n/a",
                    FillColor = item.Color,
                    Size = barWidth * 0.92,
                });
            }
        }

        var plotted = plot.Add.Bars(bars);
        plotted.ValueLabelStyle.FontSize = 11;
        foreach (var item in series)
        {
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = item.Label, FillColor = item.Color });
        }

        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            quorums.Select((_, q) => (double)q).ToArray(),
            quorums.Select(quorum => $"quorum {quorum}").ToArray());
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericFixedInterval(1);
        plot.Axes.SetLimitsY(0, Math.Max(s.Followers, 1) + 0.5);
        plot.Axes.SetLimitsX(-0.6, quorums.Count - 0.4);
        plot.Title($"Followers out of sync with the leader, {string.Join(" vs ", modes.Select(BenchText.Mode))} replication\n" +
            $"{s.Followers} followers, delay U[{s.MinDelayMs}, {s.MaxDelayMs}] ms, {s.Writes} writes over {s.Keys} keys, {s.Concurrency} concurrent");
        plot.XLabel("Write quorum");
        plot.YLabel($"Followers (of {s.Followers})");
        plot.ShowLegend(Edge.Bottom);
        plot.SavePng(path, Width, Height);
    }

    private static IEnumerable<Series> SeriesFor(ReplicationMode mode, string check)
    {
        var name = BenchText.Mode(mode);
        var (light, medium, dark) = mode == ReplicationMode.Ordered
            ? (Color.FromHex("#9ecae1"), Color.FromHex("#4292c6"), Color.FromHex("#08519c"))
            : (Color.FromHex("#fdae6b"), Color.FromHex("#f16913"), Color.FromHex("#a63603"));
        yield return new Series(mode, $"{name}: key count differs at {check} (benchmark.py)", light, c => c.KeyCountMismatchesAtCheck);
        yield return new Series(mode, $"{name}: /data differs at {check} (tests.py)", medium, c => c.DataMismatchesAtCheck);
        yield return new Series(mode, $"{name}: diverged after replication settled", dark, c => c.DivergedAfterSettle);
    }
}
