using System.Globalization;
using LeaderKv.Cli.Bench.Figures;

namespace LeaderKv.Cli.Bench.Output;

/// <summary>samples.csv: one row per write of every run, so any figure can be recomputed from the raw data.</summary>
public static class SamplesCsv
{
    public const string Header = "mode,quorum,phase,sequence,key,start_ms,latency_ms,status,index,acks,quorum_delay_ms,overhead_ms";

    public static void Write(TextWriter writer, IEnumerable<QuorumRun> runs)
    {
        writer.WriteLine(Header);
        foreach (var run in runs)
        {
            var prefix = $"{BenchText.Mode(run.Mode)},{run.Quorum},{BenchText.Phase(run.Phase)},";
            foreach (var sample in run.Samples)
            {
                writer.Write(prefix);
                writer.Write(sample.Sequence.ToString(CultureInfo.InvariantCulture));
                writer.Write(',');
                writer.Write(Escape(sample.Key));
                writer.Write(',');
                writer.Write(sample.StartMs.ToString("0.###", CultureInfo.InvariantCulture));
                writer.Write(',');
                writer.Write(sample.LatencyMs.ToString("0.###", CultureInfo.InvariantCulture));
                writer.Write(',');
                writer.Write(sample.StatusCode.ToString(CultureInfo.InvariantCulture));
                writer.Write(',');
                writer.Write(sample.Index?.ToString(CultureInfo.InvariantCulture));
                writer.Write(',');
                writer.Write(sample.Acks?.ToString(CultureInfo.InvariantCulture));
                writer.Write(',');
                writer.Write(sample.QuorumDelayMs?.ToString("0.###", CultureInfo.InvariantCulture));
                writer.Write(',');
                writer.WriteLine(sample.OverheadMs?.ToString("0.###", CultureInfo.InvariantCulture));
            }
        }
    }

    /// <summary>RFC 4180 quoting for a field that holds a comma, quote or line break (a --keys name never does today).</summary>
    private static string Escape(string field) =>
        field.AsSpan().IndexOfAny(",\"\r\n") < 0 ? field : $"\"{field.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";
}
