using System.Runtime.InteropServices;

namespace LeaderKv.Cli.Bench;

/// <summary>The machine a run was measured on: a figure without its machine cannot be compared.</summary>
public sealed record MachineInfo(
    int LogicalCores,
    string? CpuModel,
    double? MemoryGb,
    string Os,
    string Runtime,
    string Build,
    string? LoadAverage)
{
    public static MachineInfo Current() => new(
        Environment.ProcessorCount,
        ProcField("/proc/cpuinfo", "model name"),
        ProcField("/proc/meminfo", "MemTotal") is { } total && double.TryParse(
            total.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0], System.Globalization.CultureInfo.InvariantCulture, out var kb)
            ? Math.Round(kb / 1024 / 1024, 1)
            : null,
        RuntimeInformation.OSDescription,
        RuntimeInformation.FrameworkDescription,
#if DEBUG
        "Debug",
#else
        "Release",
#endif
        ReadLoadAverage());

    public string Describe() =>
        $"{LogicalCores} logical cores{(CpuModel is null ? "" : $" ({CpuModel})")}, " +
        $"{BenchText.Number(MemoryGb, "0.0")} GB RAM, {Os}, {Runtime}, {Build} build" +
        (LoadAverage is null ? "" : $"; load average {LoadAverage} at the start (other work on the machine skews the figures)");

    /// <summary>The 1, 5 and 15 minute load averages: a busy machine explains slow figures.</summary>
    private static string? ReadLoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The value of the first "name : value" line in a /proc file; null off Linux.</summary>
    private static string? ProcField(string path, string name)
    {
        try
        {
            return File.ReadLines(path)
                .Where(line => line.StartsWith(name, StringComparison.Ordinal))
                .Select(line => line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim())
                .FirstOrDefault();
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}
