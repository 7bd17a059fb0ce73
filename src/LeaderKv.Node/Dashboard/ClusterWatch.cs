using System.Text.Json;
using LeaderKv.Node.Configuration;
using LeaderKv.Node.Security;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace LeaderKv.Node.Dashboard;

/// <summary>
/// The page's node's view of the whole cluster. While at least one <c>/ui/events</c> stream is open,
/// it asks every other node for its <see cref="NodeReport"/> (<c>GET /ui/node</c>, signed with the
/// cluster secret like replication) every <see cref="DashboardLimits.FrameInterval"/>, merges them
/// with its own, and publishes one <see cref="ClusterFrame"/> to the streams. The browser talks to
/// this node only. Nobody watching, nothing is polled.
/// </summary>
internal sealed class ClusterWatch(
    NodeSampler sampler,
    FrameSubscribers subscribers,
    DashboardLimits limits,
    NodeSettings settings,
    TimeProvider time,
    IServer server) : BackgroundService
{
    /// <summary>The leader's commit index over this long, to tell how long ago a follower's first missing entry was committed.</summary>
    private static readonly TimeSpan CommitHistory = TimeSpan.FromMinutes(2);

    private readonly HttpClient _http = new(ClusterTransport.CreateHandler(settings.Security, time, 2)) { Timeout = Timeout.InfiniteTimeSpan };
    private readonly Dictionary<string, PeerPoll> _peers = new(StringComparer.Ordinal);
    private readonly Queue<(long AtMs, long Commit)> _commits = new();
    private readonly List<FeedEvent> _feed = [];
    private readonly Dictionary<string, (string Run, long Sequence)> _feedSeen = new(StringComparer.Ordinal);
    private long _ownSequence;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        foreach (var peer in settings.Peers.Where(p => p.Id != settings.NodeId))
        {
            _peers[Key(peer.Url)] = new PeerPoll(peer.Url, peer.Id);
        }

        foreach (var url in settings.Followers.Append(settings.LeaderUrl).OfType<Uri>())
        {
            _peers.TryAdd(Key(url), new PeerPoll(url, null));
        }

        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await subscribers.WatchedAsync(stoppingToken).ConfigureAwait(false);
                var frame = await FrameAsync(stoppingToken).ConfigureAwait(false);
                subscribers.Publish(JsonSerializer.SerializeToUtf8Bytes(frame, DashboardJsonContext.Default.ClusterFrame));
                await Task.Delay(limits.FrameInterval, time, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    public override void Dispose()
    {
        _http.Dispose();
        base.Dispose();
    }

    /// <summary>
    /// Polls every peer that has no poll in flight, waits up to one frame interval for the answers
    /// (a paused or dead peer must not hold the frame up), and builds the frame from the latest
    /// answer of each.
    /// </summary>
    internal async Task<ClusterFrame> FrameAsync(CancellationToken token)
    {
        foreach (var peer in _peers.Values.Where(p => p.InFlight is null))
        {
            peer.InFlight = FetchAsync(peer, token);
        }

        var round = Task.WhenAll(_peers.Values.Select(p => p.InFlight!));
        await Task.WhenAny(round, Task.Delay(limits.FrameInterval, time, token)).ConfigureAwait(false);
        token.ThrowIfCancellationRequested();
        foreach (var peer in _peers.Values.ToList())
        {
            Harvest(peer);
        }

        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var self = sampler.Report();

        var reports = new List<(string Url, NodeReport? Report, PeerPoll? Poll)> { (SelfUrl(), self, null) };
        reports.AddRange(_peers.Values.Select(p => (Key(p.Url), p.Up ? p.Last : null, (PeerPoll?)p)));
        MergeFeed(self);
        foreach (var (_, report, _) in reports.Skip(1))
        {
            if (report is not null)
            {
                MergeFeed(report);
            }
        }

        var leader = reports.Select(r => r.Report).OfType<NodeReport>()
            .Where(r => r.Role == "leader" && !r.Recovering).MaxBy(r => r.Term);
        if (leader is not null)
        {
            _commits.Enqueue((now, leader.CommitIndex));
            while (_commits.Count > 0 && now - _commits.Peek().AtMs > CommitHistory.TotalMilliseconds)
            {
                _commits.Dequeue();
            }
        }

        var cards = reports
            .Select(r => Card(r.Url, r.Report, r.Poll, leader, now))
            .OrderBy(c => Order(c.Id))
            .ThenBy(c => c.Url, StringComparer.Ordinal)
            .ToList();
        return new ClusterFrame(
            now,
            settings.NodeId,
            settings.Dashboard.HasControl,
            leader?.NodeId,
            leader?.Term ?? reports.Max(r => r.Report?.Term ?? 0),
            settings.WriteQuorum,
            cards,
            leader?.RecentWrites.LastOrDefault(),
            leader?.Writes,
            [.. _feed.OrderByDescending(e => e.AtMs).ThenByDescending(e => e.Sequence).Take(limits.FeedLines)]);
    }

    private NodeCard Card(string url, NodeReport? report, PeerPoll? poll, NodeReport? leader, long now)
    {
        var id = report?.NodeId ?? poll?.Id ?? url;
        var view = leader?.Followers?.FirstOrDefault(f => f.Id == id || (f.Url is { } known && Uri.TryCreate(known, UriKind.Absolute, out var u) && Key(u) == url));
        if (report is null)
        {
            return new NodeCard(id, url, false, poll?.Error ?? "no answer yet", null, null, null, null, null, false, false, null, null, view);
        }

        long? lagEntries = leader is null ? null : Math.Max(0, leader.CommitIndex - report.AppliedThrough);
        return new NodeCard(
            id,
            url,
            true,
            null,
            report.Role,
            report.Term,
            report.CommitIndex,
            report.AppliedThrough,
            report.LastIndex,
            report.Recovering,
            report.Tainted,
            lagEntries,
            lagEntries is null ? null : LagMs(report.AppliedThrough, now),
            view);
    }

    /// <summary>How long ago the leader's commit index first passed <paramref name="applied"/>, as this node sampled it: 0 when caught up.</summary>
    private double LagMs(long applied, long now)
    {
        foreach (var (at, commit) in _commits)
        {
            if (commit > applied)
            {
                return now - at;
            }
        }

        return 0;
    }

    /// <summary>Appends the events of <paramref name="report"/> this node has not seen yet; keeps the merged feed bounded.</summary>
    private void MergeFeed(NodeReport report)
    {
        var seen = _feedSeen.TryGetValue(report.NodeId, out var last) && last.Run == report.FeedRun ? last.Sequence : 0;
        foreach (var happened in report.Feed.Where(e => e.Sequence > seen))
        {
            _feed.Add(happened);
            seen = happened.Sequence;
        }

        _feedSeen[report.NodeId] = (report.FeedRun, seen);
        Trim();
    }

    private void OwnEvent(string kind, string text)
    {
        _feed.Add(new FeedEvent(++_ownSequence, time.GetUtcNow().ToUnixTimeMilliseconds(), settings.NodeId, kind, text));
        Trim();
    }

    private void Trim()
    {
        if (_feed.Count > 2 * limits.FeedLines)
        {
            _feed.Sort((a, b) => a.AtMs.CompareTo(b.AtMs));
            _feed.RemoveRange(0, _feed.Count - limits.FeedLines);
        }
    }

    private void Harvest(PeerPoll peer)
    {
        if (peer.InFlight is not { IsCompleted: true } done)
        {
            return;
        }

        peer.InFlight = null;
        var wasUp = peer.Up;
        var (report, error) = done.Result;
        peer.Up = report is not null;
        peer.Error = error;
        if (report is not null)
        {
            peer.Last = report;
            peer.Id = report.NodeId;
            // The seed layout's followers know only their leader: the rest are learnt from its report.
            foreach (var url in (report.Followers ?? []).Select(f => f.Url).OfType<string>())
            {
                if (Uri.TryCreate(url, UriKind.Absolute, out var follower) && Key(follower) != SelfUrl())
                {
                    _peers.TryAdd(Key(follower), new PeerPoll(follower, null));
                }
            }
        }

        if (wasUp != peer.Up && (wasUp || peer.EverDown))
        {
            var name = peer.Id ?? peer.Url.ToString();
            OwnEvent(peer.Up ? "NodeAnswering" : "NodeNotAnswering", peer.Up ? $"{name} answers again" : $"{name} does not answer: {error}");
        }

        peer.EverDown |= !peer.Up;
    }

    private async Task<(NodeReport? Report, string? Error)> FetchAsync(PeerPoll peer, CancellationToken token)
    {
        using var timeout = new CancellationTokenSource(limits.PeerTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(token, timeout.Token);
        try
        {
            var report = await _http.GetFromJsonAsync(new Uri(peer.Url, "/ui/node"), DashboardJsonContext.Default.NodeReport, linked.Token).ConfigureAwait(false);
            return (report, report is null ? "empty answer" : null);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            return (null, $"no answer within {limits.PeerTimeout.TotalMilliseconds:0} ms");
        }
        catch (OperationCanceledException)
        {
            return (null, "stopping");
        }
        catch (HttpRequestException failure)
        {
            return (null, failure.StatusCode is { } status ? $"HTTP {(int)status}" : failure.HttpRequestError.ToString());
        }
        catch (JsonException)
        {
            return (null, "not a LeaderKV node report");
        }
    }

    private string SelfUrl()
    {
        if (settings.UrlOf(settings.NodeId) is { } configured)
        {
            return Key(configured);
        }

        var address = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
        return address is null ? settings.NodeId : Key(new Uri(address.Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal)));
    }

    /// <summary>PEERS order, so the page does not reshuffle as nodes come and go.</summary>
    private int Order(string id)
    {
        var position = settings.Peers.Select(p => p.Id).ToList().IndexOf(id);
        return position < 0 ? int.MaxValue : position;
    }

    private static string Key(Uri url) => new Uri(url.GetLeftPart(UriPartial.Authority) + "/").ToString();

    private sealed class PeerPoll(Uri url, string? id)
    {
        public Uri Url { get; } = url;

        public string? Id { get; set; } = id;

        public Task<(NodeReport? Report, string? Error)>? InFlight { get; set; }

        public NodeReport? Last { get; set; }

        public bool Up { get; set; }

        public bool EverDown { get; set; }

        public string? Error { get; set; } = "no answer yet";
    }
}
