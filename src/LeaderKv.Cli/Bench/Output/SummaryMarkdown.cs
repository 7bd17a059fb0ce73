using System.Globalization;
using System.Text;

namespace LeaderKv.Cli.Bench.Output;

/// <summary>summary.md: the figures as Markdown tables, for a person or a pull request.</summary>
public static class SummaryMarkdown
{
    public static string Render(BenchReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var s = report.Settings;
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"# LeaderKV benchmark, {report.StartedAt.UtcDateTime:yyyy-MM-dd HH:mm} UTC");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"- Command: `leaderkv {string.Join(' ', report.Command)}`");
        text.AppendLine(CultureInfo.InvariantCulture, $"- Machine: {report.Machine.Describe()}");
        text.AppendLine(CultureInfo.InvariantCulture, $"- Load: {Describe(s)}");
        text.AppendLine("- Latency counts acknowledged writes; percentiles are nearest-rank over every sample. Theory is " +
            "a + k(b − a)/(n + 1); overhead is, per write, latency minus the simulated delay of the ack that completed its quorum.");
        text.AppendLine();

        text.AppendLine("## Latency (ms) and throughput");
        text.AppendLine();
        text.AppendLine("| mode | quorum | phase | ok | failed | mean | p50 | p95 | p99 | max | theory | mean − theory | overhead mean | overhead p50 | overhead p99 | writes/s |");
        text.AppendLine("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var run in report.Runs)
        {
            var l = run.Load;
            text.AppendLine(
                $"| {BenchText.Mode(run.Mode)} | {run.Quorum} | {BenchText.Phase(run.Phase)} | {l.Succeeded} | {l.Failed} | " +
                $"{BenchText.Ms(l.Latency?.Mean)} | {BenchText.Ms(l.Latency?.P50)} | {BenchText.Ms(l.Latency?.P95)} | " +
                $"{BenchText.Ms(l.Latency?.P99)} | {BenchText.Ms(l.Latency?.Max)} | {BenchText.Ms(l.TheoryMs)} | " +
                $"{BenchText.Ms(l.MeanMinusTheoryMs)} | {BenchText.Ms(l.Overhead?.Mean)} | {BenchText.Ms(l.Overhead?.P50)} | " +
                $"{BenchText.Ms(l.Overhead?.P99)} | {l.ThroughputPerS:0} |");
        }

        text.AppendLine();
        text.AppendLine("## Replication and consistency");
        text.AppendLine();
        text.AppendLine(
            $"Checks at {s.CheckDelay.TotalSeconds:0.#} s after the load, as the seed's scripts run them: benchmark.py counts followers whose key count differs; " +
            "tests.py counts followers whose whole /data differs. \"Diverged\" is /data still different after every follower applied the leader's last index.");
        text.AppendLine();
        text.AppendLine("| mode | quorum | phase | last index | all followers applied after (ms) | key count differs | /data differs | diverged after settle | unreachable |");
        text.AppendLine("|---|---:|---|---:|---:|---:|---:|---:|---:|");
        foreach (var run in report.Runs)
        {
            var c = run.Consistency;
            text.AppendLine(
                $"| {BenchText.Mode(run.Mode)} | {run.Quorum} | {BenchText.Phase(run.Phase)} | {c.LastIndex?.ToString(CultureInfo.InvariantCulture) ?? "n/a"} | " +
                $"{BenchText.Ms(c.ReplicationCompleteMs)} | {BenchText.Count(c.KeyCountMismatchesAtCheck)} | {BenchText.Count(c.DataMismatchesAtCheck)} | " +
                $"{BenchText.Count(c.DivergedAfterSettle)} | {c.Unreachable} |");
        }

        text.AppendLine();
        text.AppendLine("## Resources");
        text.AppendLine();
        text.AppendLine("CPU time used during the pass (user + system, from /proc); peak working set (VmHWM) since the node started; client = this benchmark process.");
        text.AppendLine();
        text.AppendLine("| mode | quorum | phase | leader CPU (s) | followers CPU (s) | client CPU (s) | client CPU (% of a core) | leader peak (MB) | largest follower peak (MB) |");
        text.AppendLine("|---|---:|---|---:|---:|---:|---:|---:|---:|");
        foreach (var run in report.Runs)
        {
            var r = run.Resources;
            text.AppendLine(
                $"| {BenchText.Mode(run.Mode)} | {run.Quorum} | {BenchText.Phase(run.Phase)} | {BenchText.Number(r?.LeaderCpuS, "0.00")} | " +
                $"{BenchText.Number(r?.FollowersCpuS, "0.00")} | {run.Load.ClientCpuS:0.00} | {run.Load.ClientCpuPercentOfCore:0} | " +
                $"{BenchText.Number(r?.LeaderPeakWorkingSetMb, "0")} | {BenchText.Number(r?.FollowerPeakWorkingSetMb, "0")} |");
        }

        var errors = report.Runs.Where(r => r.Load.FirstError is not null).ToList();
        if (errors.Count > 0)
        {
            text.AppendLine();
            text.AppendLine("## First failure per run");
            text.AppendLine();
            foreach (var run in errors)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"- {run.Label}: {run.Load.FirstError}");
            }
        }

        return text.ToString();
    }

    public static string Describe(BenchSettings s) =>
        $"{s.Writes} writes, {s.Concurrency} at a time, over {s.Keys} keys" +
        (s.ValueBytes is { } bytes ? $", values of {bytes} bytes" : "") +
        $"; {s.Followers} followers; delay uniform in [{s.MinDelayMs}, {s.MaxDelayMs}] ms" +
        (s.Target is { } target ? $"; target {target}" : "; a fresh local cluster per quorum" + (s.Throughput ? " (a cold pass, then a warm one)" : "")) +
        $"; modes {string.Join(", ", s.Modes.Select(BenchText.Mode))}" +
        (s.NodeEnvironment.Count > 0 ? $"; node environment {string.Join(' ', s.NodeEnvironment.Select(e => $"{e.Key}={e.Value}"))}" : "") +
        (s.NodeAssemblyPath is { } node ? $"; node {node}" : "");
}
