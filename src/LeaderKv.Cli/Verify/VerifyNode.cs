using LeaderKv.Cli.Cluster;

namespace LeaderKv.Cli.Verify;

/// <summary>
/// One node under test. A node verify started itself can be killed (SIGKILL), restarted on the same
/// data directory and paused (SIGSTOP/SIGCONT); a node given with --target can only be partitioned.
/// </summary>
internal sealed class VerifyNode(string id, Uri url, NodeSpec? spec)
{
    private NodeProcess? _process;

    public string Id { get; } = id;

    public Uri Url { get; } = url;

    /// <summary>How this node is started; null for a node verify did not start.</summary>
    public NodeSpec? Spec { get; } = spec;

    public bool IsPaused { get; private set; }

    public bool IsKilled { get; private set; }

    public NodeProcess? Process => _process;

    public void Attach(NodeProcess process)
    {
        _process = process;
        IsKilled = false;
    }

    /// <summary>kill -9: no shutdown, no flush beyond what the node already fsynced.</summary>
    public async Task KillAsync()
    {
        if (_process is null || IsKilled)
        {
            return;
        }

        if (IsPaused)
        {
            Resume();
        }

        PosixSignals.Send(_process.ProcessId, PosixSignals.SigKill);
        await _process.WaitForExitAsync(CancellationToken.None);
        await _process.StopAsync(TimeSpan.Zero);
        IsKilled = true;
    }

    public void Pause()
    {
        if (_process is not null && !IsKilled && !IsPaused)
        {
            PosixSignals.Send(_process.ProcessId, PosixSignals.SigStop);
            IsPaused = true;
        }
    }

    public void Resume()
    {
        if (_process is not null && IsPaused)
        {
            PosixSignals.Send(_process.ProcessId, PosixSignals.SigCont);
            IsPaused = false;
        }
    }
}
