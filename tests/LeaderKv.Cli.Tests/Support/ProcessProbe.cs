using System.Globalization;
using LeaderKv.TestSupport.Processes;

namespace LeaderKv.Cli.Tests.Support;

/// <summary>
/// Reads Linux's /proc to see processes the test did not start itself (the CLI's nodes). A process is
/// identified by pid plus start time, so a recycled pid never counts as the node still running.
/// </summary>
internal readonly record struct ProcessProbe(int ProcessId, ulong StartTime)
{
    /// <summary>Captures a running process; null if it is already gone.</summary>
    public static ProcessProbe? Of(int processId) =>
        ReadStat(processId) is { } stat ? new ProcessProbe(processId, stat.StartTime) : null;

    /// <summary>Live (not zombie) processes whose parent is <paramref name="parentId"/>.</summary>
    public static IReadOnlyList<ProcessProbe> ChildrenOf(int parentId) =>
        Directory.EnumerateDirectories("/proc")
            .Select(Path.GetFileName)
            .Select(name => int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : 0)
            .Where(pid => pid > 0)
            .Select(pid => (Pid: pid, Stat: ReadStat(pid)))
            .Where(p => p.Stat is { } s && s.ParentId == parentId && s.IsAlive)
            .Select(p => new ProcessProbe(p.Pid, p.Stat!.Value.StartTime))
            .ToList();

    /// <summary>True while this very process exists and is not a zombie.</summary>
    public bool IsRunning => ReadStat(ProcessId) is { } stat && stat.StartTime == StartTime && stat.IsAlive;

    /// <summary>True while this very process is stopped by a signal (SIGSTOP): state T in /proc.</summary>
    public bool IsFrozen => ReadStat(ProcessId) is { } stat && stat.StartTime == StartTime && stat.State == 'T';

    /// <summary>Test clean-up: SIGKILL this process if it is still the one probed, so a failed test leaves no orphan.</summary>
    public void KillIfRunning()
    {
        if (IsRunning)
        {
            PosixSignal.Send(ProcessId, PosixSignal.SigKill);
        }
    }

    private static (char State, int ParentId, ulong StartTime, bool IsAlive)? ReadStat(int processId)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{processId}/stat");
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException or IOException)
        {
            return null;
        }

        // The command name (field 2) may contain spaces and parentheses; fields after its closing ')' do not.
        var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
        var state = fields[0][0];
        var parentId = int.Parse(fields[1], CultureInfo.InvariantCulture);
        var startTime = ulong.Parse(fields[19], CultureInfo.InvariantCulture);
        return (state, parentId, startTime, state is not ('Z' or 'X'));
    }
}
