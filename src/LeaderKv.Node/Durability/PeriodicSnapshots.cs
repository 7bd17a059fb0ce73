namespace LeaderKv.Node.Durability;

/// <summary>
/// Takes a snapshot every SNAPSHOT_EVERY applied entries and deletes the log segments it covers,
/// which bounds both recovery time and disk use. Off the request path: it polls the applied index,
/// copies the table under the driver's lock, and writes outside it.
/// </summary>
public sealed class PeriodicSnapshots(NodeStorage storage, ISnapshotSource source, TimeProvider time, ILogger<PeriodicSnapshots> logger) : BackgroundService
{
    /// <summary>How often the applied index is compared with the last snapshot: frequent enough to keep the log near SNAPSHOT_EVERY, cheap when idle.</summary>
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var every = storage.Settings.SnapshotEvery;
        if (every == 0)
        {
            return;
        }

        using var timer = new PeriodicTimer(PollInterval, time);
        var failing = false;
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                if (source.AppliedThrough - storage.SnapshotIndex < every)
                {
                    continue;
                }

                try
                {
                    var started = time.GetTimestamp();
                    var cut = source.CutSnapshot();
                    var firstIndex = await storage.WriteSnapshotAsync(cut, stoppingToken).ConfigureAwait(false);
                    source.OnLogCompacted(firstIndex);
                    logger.SnapshotWritten(cut.AppliedThrough, cut.Image.Entries.Count, time.GetElapsedTime(started).TotalMilliseconds, firstIndex);
                    failing = false;
                }
                catch (Exception error) when (error is IOException or UnauthorizedAccessException)
                {
                    // The log keeps everything a snapshot would have covered, so nothing is lost; try again
                    // next tick. Logged once per run of failures: a full disk fails every attempt.
                    if (!failing)
                    {
                        logger.SnapshotFailed(error);
                    }

                    failing = true;
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }
}
