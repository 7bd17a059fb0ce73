using LeaderKv.Core.Consensus;
using LeaderKv.Node.Configuration;
using LeaderKv.Node.Replication;

namespace LeaderKv.Node.Dashboard;

/// <summary>
/// Looks at this node's replica a few times a second and turns what changed into the dashboard's
/// words: on the leader, writes that became committed (with the followers that had acked them) and
/// followers that fell behind and caught up. It only reads: the replica's own events reach the feed
/// through <see cref="ReplicationEventTap"/>.
/// </summary>
internal sealed class NodeSampler(ReplicaDriver driver, NodeFeed feed, WriteWindow window, NodeSettings settings, TimeProvider time) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(200);

    /// <summary>At most one write line per this long in the feed, so that writes never push an election off the screen.</summary>
    private static readonly TimeSpan WriteEventInterval = TimeSpan.FromSeconds(1);

    /// <summary>A follower this many entries behind the leader is catching up; it has caught up once it is within <see cref="CaughtUpEntries"/>.</summary>
    private const long BehindEntries = 100;

    private const long CaughtUpEntries = 5;

    private const int RecentWriteCount = 8;

    private readonly Lock _gate = new();
    private readonly Queue<RecentWrite> _recent = new();
    private readonly HashSet<string> _behind = new(StringComparer.Ordinal);
    private long _seenCommit = -1;
    private long _seenTerm = -1;
    // Only the sampling loop touches these.
    private long _pendingFrom;
    private int _pendingCount;
    private RecentWrite? _pendingLast;
    private long _lastWriteEventAt;

    public NodeReport Report()
    {
        var view = driver.Describe();
        var followers = view.Followers?
            .Select(f => new FollowerReport(f.Id, f.Url?.ToString(), f.State, f.AckedIndex, f.AppliedThrough, f.Lag, f.LastHeardMsAgo))
            .ToList();
        lock (_gate)
        {
            return new NodeReport(
                settings.NodeId,
                RoleName(view.Role),
                view.Term,
                view.LeaderId,
                view.CommitIndex,
                view.AppliedThrough,
                view.LastIndex,
                view.Pending,
                view.Recovering,
                view.Tainted,
                followers,
                window.Snapshot(),
                [.. _recent],
                feed.Run,
                feed.Recent());
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                Sample();
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    internal void Sample()
    {
        List<RecentWrite> committed = [];
        List<(string Id, long Lag)> lags = [];
        driver.WithReplica(replica =>
        {
            if (!replica.IsLeader || replica.IsRecovering)
            {
                _seenCommit = -1;
                return;
            }

            if (_seenTerm != replica.Term || _seenCommit < 0)
            {
                // A new leadership: what it recovered is not news; writes from here on are.
                _seenTerm = replica.Term;
                _seenCommit = replica.CommitIndex;
                _behind.Clear();
            }

            var now = time.GetUtcNow().ToUnixTimeMilliseconds();
            var from = Math.Max(_seenCommit + 1, replica.CommitIndex - RecentWriteCount + 1);
            for (var index = from; index <= replica.CommitIndex; index++)
            {
                if (replica.Log.TryGet(index, out var entry) && !entry.IsNoOp)
                {
                    var ackedBy = replica.Peers.Where(p => !p.IsDown && p.HighestAcked >= index).OrderBy(p => p.Position).Select(p => p.Id).ToList();
                    committed.Add(new RecentWrite(index, entry.Term, entry.Key, ackedBy, now));
                }
            }

            // Entries older than the last few are counted unseen (a burst); a no-op (a new leader's) is no write.
            var count = from - (_seenCommit + 1) + committed.Count;
            if (count > 0 && _pendingCount == 0)
            {
                _pendingFrom = _seenCommit + 1;
            }

            _pendingCount = (int)Math.Min(int.MaxValue, _pendingCount + count);
            _seenCommit = replica.CommitIndex;
            lags.AddRange(replica.Peers.Select(p => (p.Id, Math.Max(0, replica.LastIndex - p.AppliedThrough))));
        });

        lock (_gate)
        {
            foreach (var write in committed)
            {
                _recent.Enqueue(write);
                if (_recent.Count > RecentWriteCount)
                {
                    _recent.Dequeue();
                }

                _pendingLast = write;
            }

            ReportWrites();
            ReportCatchUp(lags);
        }
    }

    /// <summary>One line for the writes committed since the last such line: the last one's key and who had acked it.</summary>
    private void ReportWrites()
    {
        if (_pendingLast is not { } last || time.GetElapsedTime(_lastWriteEventAt) < WriteEventInterval)
        {
            return;
        }

        var acked = last.AckedBy.Count == 0 ? "no follower ack needed" : $"acked by {string.Join(", ", last.AckedBy)}";
        feed.Add("Write", _pendingCount <= 1
            ? $"write #{last.Index} '{last.Key}' committed, {acked}"
            : $"{_pendingCount} writes committed (#{_pendingFrom}…#{last.Index}); the last, '{last.Key}', {acked}");
        _lastWriteEventAt = time.GetTimestamp();
        _pendingLast = null;
        _pendingCount = 0;
    }

    private void ReportCatchUp(List<(string Id, long Lag)> lags)
    {
        foreach (var (id, lag) in lags)
        {
            if (lag >= BehindEntries && _behind.Add(id))
            {
                feed.Add("CatchingUp", $"{id} is {lag} entries behind: catching up");
            }
            else if (lag <= CaughtUpEntries && _behind.Remove(id))
            {
                feed.Add("CaughtUp", $"{id} caught up");
            }
        }
    }

    internal static string RoleName(ReplicaRole role) => role switch
    {
        ReplicaRole.Leader => "leader",
        ReplicaRole.Follower => "follower",
        _ => "candidate",
    };
}
