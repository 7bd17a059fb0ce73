using System.Diagnostics;

namespace LeaderKv.Cli.Bench.Probes;

/// <summary>
/// CPU time and peak working set of a node process, as Linux keeps them in /proc (utime + stime from
/// /proc/pid/stat, VmHWM from /proc/pid/status). .NET's <see cref="Process"/> reads exactly those files.
/// </summary>
public static class ProcessMeter
{
    /// <summary>Null when the process is gone or cannot be read.</summary>
    public static ProcessReading? Read(int processId)
    {
        try
        {
            using var process = Process.GetProcessById(processId);
            return new ProcessReading(process.TotalProcessorTime, process.PeakWorkingSet64);
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}

public readonly record struct ProcessReading(TimeSpan CpuTime, long PeakWorkingSetBytes);
