using System.Diagnostics.Metrics;

namespace LeaderKv.Node.Observability;

/// <summary>
/// Every LeaderKV instrument, on one <see cref="Meter"/> named <see cref="MeterName"/> created by the
/// host's <see cref="IMeterFactory"/> (so six nodes in one test process keep separate meters).
/// Replication code reports events through the small methods below (one call per event); the
/// gauges read an <see cref="INodeMetricsSource"/> at scrape time. Names are already in Prometheus
/// form, so the exporter writes them unchanged; docs/operations.md lists each one.
/// </summary>
public sealed class NodeMetrics
{
    public const string MeterName = "LeaderKv";

    /// <summary>
    /// Seconds. From sub-millisecond (WRITE_QUORUM=0, in memory) to the default write timeout
    /// (MAX_DELAY + 5 s = 6 s) and beyond, where a write ends as unknown.
    /// </summary>
    private static readonly double[] LatencyBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private readonly Counter<long> _writesCommitted;
    private readonly Counter<long> _writesRejected;
    private readonly Counter<long> _writesUnknown;
    private readonly Counter<long> _leaderChanges;
    private readonly Counter<long> _snapshotTransfers;
    private readonly Counter<long> _storageFullEpisodes;
    private readonly Histogram<double> _writeDuration;
    private readonly Histogram<double> _quorumWait;

    public NodeMetrics(IMeterFactory meters, INodeMetricsSource source)
    {
        ArgumentNullException.ThrowIfNull(meters);
        ArgumentNullException.ThrowIfNull(source);
        var meter = meters.Create(MeterName);
        _writesCommitted = meter.CreateCounter<long>("leaderkv_writes_committed_total", "{write}", "Writes that met their quorum and were answered as committed.");
        _writesRejected = meter.CreateCounter<long>("leaderkv_writes_rejected_total", "{write}", "Writes refused before they got an index (this node is not the leader); safe to retry elsewhere.");
        _writesUnknown = meter.CreateCounter<long>("leaderkv_writes_unknown_total", "{write}", "Writes that got an index but no quorum in time (answered 500): durable on the leader, may still replicate.");
        _leaderChanges = meter.CreateCounter<long>("leaderkv_leader_changes_seen_total", "{change}", "Times this node saw a new leader (itself included), as etcd's etcd_server_leader_changes_seen_total.");
        _snapshotTransfers = meter.CreateCounter<long>("leaderkv_snapshot_transfers_total", "{transfer}", "Snapshot transfers to followers too far behind the leader's log, by outcome.");
        _storageFullEpisodes = meter.CreateCounter<long>("leaderkv_storage_full_episodes_total", "{episode}", "Times this node's disk filled (ENOSPC, EDQUOT) and the disk-full alarm was raised.");
        _writeDuration = meter.CreateHistogram("leaderkv_write_duration_seconds", "s", "Time from a write's arrival at the leader to its committed answer.", tags: null, new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });
        _quorumWait = meter.CreateHistogram("leaderkv_quorum_wait_seconds", "s", "Time a committed write waited for its WRITE_QUORUM-th follower ack (the k-th fastest follower).", tags: null, new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });

        meter.CreateObservableGauge("leaderkv_is_leader", () => source.Snapshot().IsLeader ? 1 : 0, unit: null, "1 if this node is the leader, else 0.");
        meter.CreateObservableGauge("leaderkv_has_leader", () => source.Snapshot().HasLeader ? 1 : 0, unit: null, "1 if this node knows a leader (itself or the one it follows), else 0.");
        meter.CreateObservableGauge("leaderkv_term", () => source.Snapshot().Term, unit: null, "The node's current term.");
        meter.CreateObservableGauge("leaderkv_commit_index", () => source.Snapshot().CommitIndex, unit: null, "Highest index committed together with every lower one, as this node knows it.");
        meter.CreateObservableGauge("leaderkv_applied_index", () => source.Snapshot().AppliedIndex, unit: null, "Highest index applied to this node's table (what reads see).");
        meter.CreateObservableGauge("leaderkv_follower_lag_entries", () => Followers(source, f => f.LagEntries), unit: null, "On the leader: entries each follower has not acknowledged yet.");
        meter.CreateObservableGauge("leaderkv_follower_up", () => Followers(source, f => f.Up ? 1 : 0), unit: null, "On the leader: 1 if its last exchange with the follower succeeded, else 0.");
        meter.CreateObservableGauge("leaderkv_follower_disk_full", () => Followers(source, f => f.DiskFull ? 1 : 0), unit: null, "On the leader: 1 if the follower's last answer said its disk is full (it counts toward no write quorum), else 0.");
        meter.CreateObservableGauge("leaderkv_storage_full", () => source.Snapshot().StorageFull ? 1 : 0, unit: null, "1 while the disk-full alarm is raised: this node refuses writes (507) and logs nothing new until its disk has room, else 0.");
        meter.CreateObservableGauge("leaderkv_data_bytes", () => source.Snapshot().DataBytes, unit: null, "Bytes of keys (UTF-8) and values (JSON text) in this node's table.");
        meter.CreateObservableGauge("leaderkv_data_quota_bytes", () => source.Snapshot().MaxDataBytes, unit: null, "MAX_DATA_BYTES: the leader refuses writes that would grow the table past it (0: no quota).");

        // Zero the known series now, so a fresh node reports 0 rather than nothing (rate() and
        // absent-based alerts need the series to exist before the first event).
        _writesCommitted.Add(0);
        _writesRejected.Add(0);
        _writesUnknown.Add(0);
        _leaderChanges.Add(0);
        _storageFullEpisodes.Add(0);
        foreach (var outcome in (string[])["installed", "failed"])
        {
            _snapshotTransfers.Add(0, new KeyValuePair<string, object?>("outcome", outcome));
        }
    }

    /// <summary>A write met its quorum: <paramref name="duration"/> since it reached the leader, of which <paramref name="quorumWait"/> waiting for follower acks.</summary>
    public void WriteCommitted(TimeSpan duration, TimeSpan quorumWait)
    {
        _writesCommitted.Add(1);
        _writeDuration.Record(duration.TotalSeconds);
        _quorumWait.Record(quorumWait.TotalSeconds);
    }

    /// <summary>A write was refused before it got an index (not the leader).</summary>
    public void WriteRejected() => _writesRejected.Add(1);

    /// <summary>A write got an index but its quorum did not answer in time: its outcome is unknown to the client.</summary>
    public void WriteUnknown() => _writesUnknown.Add(1);

    /// <summary>This node saw a new leader (itself included), e.g. on winning or learning of an election.</summary>
    public void LeaderChanged() => _leaderChanges.Add(1);

    /// <summary>The disk filled: a disk-full episode began.</summary>
    public void StorageFull() => _storageFullEpisodes.Add(1);

    /// <summary>A snapshot transfer to a follower ended: installed, or failed (it will be retried).</summary>
    public void SnapshotTransferred(bool installed) =>
        _snapshotTransfers.Add(1, new KeyValuePair<string, object?>("outcome", installed ? "installed" : "failed"));

    private static IEnumerable<Measurement<long>> Followers(INodeMetricsSource source, Func<FollowerMetrics, long> value) =>
        source.Snapshot().Followers.Select(f => new Measurement<long>(value(f), new KeyValuePair<string, object?>("follower", f.Id)));
}
