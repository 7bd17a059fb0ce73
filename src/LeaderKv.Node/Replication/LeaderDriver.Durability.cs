using LeaderKv.Core;
using LeaderKv.Node.Durability;
using LeaderKv.Node.Transport;
using LeaderKv.Storage.Snapshots;

namespace LeaderKv.Node.Replication;

/// <summary>
/// The leader's log, catch-up and snapshot transfer. Entries reach followers only once they are
/// in the leader's write-ahead log, so a leader killed with -9 never restarts with a shorter
/// history than a follower holds (which would let it hand out an index twice, with different writes).
/// </summary>
public sealed partial class LeaderDriver : ISnapshotSource
{
    public SnapshotCut CutSnapshot()
    {
        lock (_gate)
        {
            // The table may include entries whose log write is still in flight: harmless, because the
            // snapshot is fsynced before anything relies on it, and recovery then continues after it.
            return new SnapshotCut(_state.Log.LastIndex, _state.Term, _state.Table.Entries.ToArray());
        }
    }

    public void OnLogCompacted(long firstIndex)
    {
        lock (_gate)
        {
            _state.OnStorageRetains(firstIndex);
        }
    }

    /// <summary>
    /// What to send follower <paramref name="follower"/> beyond the live stream: entries from the
    /// in-memory tail or read from the log, an empty heartbeat, or null when nothing is due. A
    /// follower behind the log gets a snapshot transfer, started here in the background.
    /// </summary>
    internal async ValueTask<IReadOnlyList<LogEntry>?> NextCatchUpAsync(int follower, HttpReplicationClient client, CancellationToken token)
    {
        var now = _time.GetUtcNow();
        var batch = WithState(state => state.NextCatchUp(follower, now));
        if (batch is null)
        {
            return null;
        }

        if (batch.Plan.NeedsSnapshot)
        {
            _ = TransferSnapshotAsync(follower, client, token);
            return null;
        }

        if (!batch.FromStorage)
        {
            return batch.Entries;
        }

        var read = await _storage!.Log.ReadFromAsync(batch.Plan.FromIndex, batch.Plan.Count, token).ConfigureAwait(false);
        if (read.Compacted || read.Entries.Count == 0)
        {
            // A snapshot deleted these segments since the plan was made: plan again from the log's new start.
            OnLogCompacted(_storage.Log.FirstIndex);
            return null;
        }

        var entries = TrimToBytes(read.Entries, Limits.MaxBytesPerAppend);
        lock (_gate)
        {
            _state.MarkSending(follower, entries);
        }

        return entries;
    }

    /// <summary>Rebuilds the table and the in-memory tail from snapshot + log; the next write continues after the last logged index.</summary>
    private void Restore(NodeStorage storage)
    {
        var (snapshot, entries) = storage.TakeRecovered();
        _state.Restore(snapshot?.Table, snapshot?.Header.AppliedThrough ?? 0, entries);
        _state.OnStorageRetains(storage.Log.FirstIndex);
        storage.LogRecovery(_logger);
    }

    /// <summary>
    /// Waits for the write-ahead log to hold <paramref name="index"/>. A failed log write is fatal:
    /// after a failed fsync what is on disk is unknown, so the node stops instead of acknowledging
    /// anything more; restarting recovers from what the disk really holds.
    /// </summary>
    private async Task LogAsync(long index, ValueTask logged)
    {
        try
        {
            await logged.ConfigureAwait(false);
        }
        catch (Exception error) when (error is IOException or ObjectDisposedException)
        {
            _logger.LogWriteFailed(error);
            _lifetime?.StopApplication();
            throw;
        }

        lock (_gate)
        {
            _state.OnLogged(index);
        }
    }

    private async Task TransferSnapshotAsync(int follower, HttpReplicationClient client, CancellationToken token)
    {
        var started = _time.GetTimestamp();
        AppendResult result;
        try
        {
            result = _storage is null ? await SendTableAsync(client, token).ConfigureAwait(false) : await SendSnapshotFileAsync(client, token).ConfigureAwait(false);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            result = AppendResult.Failed(error.Message);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            return;
        }

        var now = _time.GetUtcNow();
        lock (_gate)
        {
            if (result.IsSuccess)
            {
                _state.OnSnapshotInstalled(follower, result.Reply, now);
            }
            else
            {
                _state.OnSnapshotFailed(follower, now);
            }
        }

        _metrics?.SnapshotTransferred(result.IsSuccess);
        if (result.IsSuccess)
        {
            _logger.SnapshotTransferred(client.Follower, result.Reply.AppliedThrough, _time.GetElapsedTime(started).TotalMilliseconds);
        }
        else
        {
            _logger.SnapshotTransferFailed(client.Follower, result.Error!);
        }
    }

    /// <summary>Without a data directory: a copy of the table, taken under the lock, streamed as a snapshot.</summary>
    private Task<AppendResult> SendTableAsync(HttpReplicationClient client, CancellationToken token)
    {
        var cut = CutSnapshot();
        _logger.SnapshotTransferStarted(client.Follower, cut.AppliedThrough);
        return client.SendSnapshotAsync((stream, ct) => SnapshotWriter.WriteAsync(stream, cut.AppliedThrough, cut.Term, cut.Entries, ct), token);
    }

    /// <summary>
    /// With a data directory: the newest snapshot file, sent as it is. The log keeps every entry
    /// after it (segments are deleted only through a snapshot's index), so the follower continues
    /// from there with ordinary catch-up. A leader that has none yet writes one first.
    /// </summary>
    private async Task<AppendResult> SendSnapshotFileAsync(HttpReplicationClient client, CancellationToken token)
    {
        if (_storage!.LatestSnapshotFile() is not { } file)
        {
            OnLogCompacted(await _storage.WriteSnapshotAsync(CutSnapshot(), token).ConfigureAwait(false));
            file = _storage.LatestSnapshotFile()!.Value;
        }

        _logger.SnapshotTransferStarted(client.Follower, file.AppliedThrough);
        return await client.SendSnapshotAsync(
            async (stream, ct) =>
            {
                await using var source = SnapshotStore.OpenRead(file);
                await source.CopyToAsync(stream, ct).ConfigureAwait(false);
            },
            token).ConfigureAwait(false);
    }

    private static List<LogEntry> TrimToBytes(IReadOnlyList<LogEntry> entries, int maxBytes)
    {
        var result = new List<LogEntry>(entries.Count);
        var bytes = 0;
        foreach (var entry in entries)
        {
            bytes += entry.ApproximateSize;
            if (result.Count > 0 && bytes > maxBytes)
            {
                break;
            }

            result.Add(entry);
        }

        return result;
    }
}
