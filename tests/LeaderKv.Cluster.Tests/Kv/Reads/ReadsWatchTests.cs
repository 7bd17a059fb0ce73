using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LeaderKv.Cluster.Tests.Failover;
using LeaderKv.Node.Watch;

namespace LeaderKv.Cluster.Tests.Kv.Reads;

/// <summary><c>GET /watch</c>: committed changes as Server-Sent Events, resumable on any node, bounded in memory.</summary>
[Collection(FailoverCollection.Name)]
public class ReadsWatchTests
{
    private static readonly TimeSpan Patience = PeersCluster.Patience;

    [Fact]
    public async Task A_watch_resumed_with_Last_Event_ID_on_another_node_across_a_leader_change_misses_and_repeats_no_change()
    {
        // Goal: the rule for watches. Method: watch "w/" on follower A; 5 writes under the first
        // leader; after 3 events the client drops A. The leader is stopped, a new one elected, 5 more
        // writes. The client reconnects to another follower B with the last id it saw and must receive
        // exactly the other 7 changes, in index order: all 10 writes, each once.
        await using var cluster = await PeersCluster.StartAsync(new PeersSpec());
        var first = await cluster.LeaderAsync();
        var followers = cluster.Running.Where(n => n != first).ToList();
        var (a, b) = (followers[0], followers[1]);
        using var timeout = new CancellationTokenSource(Patience);
        var token = timeout.Token;

        var received = new List<SseEvent>();
        await using (var watch = await SseStream.OpenAsync(cluster.Http, new Uri(cluster.Urls[a], "/watch?prefix=w/")))
        {
            Assert.Equal(HttpStatusCode.OK, watch.Response.StatusCode);
            Assert.Equal("text/event-stream", watch.Response.Content.Headers.ContentType?.MediaType);
            await WriteAllAsync(cluster, first, 0, 5);
            while (received.Count < 3)
            {
                received.Add(await watch.NextAsync(token) ?? throw new InvalidOperationException("the watch ended"));
            }
        }

        await cluster.StopAsync(first);
        var second = await cluster.LeaderAsync();
        await WriteAllAsync(cluster, second, 5, 10);

        await using (var resumed = await SseStream.OpenAsync(cluster.Http, new Uri(cluster.Urls[b], "/watch?prefix=w/"), lastEventId: received[^1].Id))
        {
            while (received.Count < 10)
            {
                received.Add(await resumed.NextAsync(token) ?? throw new InvalidOperationException("the resumed watch ended"));
            }
        }

        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"w/{i}"), received.Select(e => e.Data.GetProperty("key").GetString()));
        Assert.Equal(Enumerable.Range(0, 10), received.Select(e => e.Data.GetProperty("value").GetInt32()));
        Assert.All(received, e => Assert.Equal("put", e.Type));
        Assert.All(received, e => Assert.Equal(e.Id, e.Data.GetProperty("index").GetInt64()));
        var ids = received.Select(e => e.Id!.Value).ToList();
        Assert.Equal(ids.Order(), ids);
        Assert.Equal(ids.Count, ids.Distinct().Count());
    }

    [Fact]
    public async Task A_watch_from_history_the_node_no_longer_keeps_gets_410_with_the_oldest_index_and_a_relisting_watch_works()
    {
        // Goal: a watcher asking for compacted history is told to re-list. Method: WATCH_HISTORY = 5 on
        // every node; 12 writes; watch since=1 → 410 watch-compacted; list, watch from the listing's index, see the next write.
        await using var cluster = await PeersCluster.StartAsync(new PeersSpec
        {
            Configure = (_, settings) => settings with { Watch = new() { History = 5, Buffer = 5 } },
        });
        var leader = await cluster.LeaderAsync();
        await WriteAllAsync(cluster, leader, 0, 12);

        using var gone = await cluster.Http.GetAsync(new Uri(cluster.Urls[leader], "/watch?prefix=w/&since=1"));
        Assert.Equal(HttpStatusCode.Gone, gone.StatusCode);
        var problem = await gone.Content.ReadFromJsonAsync<JsonElement>();
        Assert.EndsWith("/watch-compacted", problem.GetProperty("type").GetString(), StringComparison.Ordinal);
        var oldest = problem.GetProperty("oldestIndex").GetInt64();
        Assert.True(oldest > 2, $"oldest index {oldest}");

        var listing = await cluster.Http.GetFromJsonAsync<JsonElement>(new Uri(cluster.Urls[leader], "/kv?prefix=w/"));
        Assert.Equal(12, listing.GetProperty("items").GetArrayLength());
        var index = listing.GetProperty("index").GetInt64();
        using var timeout = new CancellationTokenSource(Patience);
        await using var watch = await SseStream.OpenAsync(cluster.Http, new Uri(cluster.Urls[leader], $"/watch?prefix=w/&since={index}"));
        Assert.Equal(HttpStatusCode.OK, watch.Response.StatusCode);
        await WriteAllAsync(cluster, leader, 12, 13);
        var next = await watch.NextAsync(timeout.Token);
        Assert.Equal("w/12", next?.Data.GetProperty("key").GetString());
    }

    [Fact]
    public async Task A_watcher_that_does_not_read_is_disconnected_instead_of_holding_memory()
    {
        // Goal: a slow watcher cannot grow the node's memory. Method: WATCH_BUFFER = 4; a watcher that
        // never reads while 60 writes of 200 KB fill the socket buffers between them. The hub drops it
        // (counted, and its slot freed); reading the stream afterwards ends early; the node still serves watches.
        await using var cluster = await PeersCluster.StartAsync(new PeersSpec
        {
            Configure = (_, settings) => settings with { Watch = new() { History = 100, Buffer = 4 } },
        });
        var leader = await cluster.LeaderAsync();
        var hub = cluster.Service<WatchHub>(leader);
        var big = new string('x', 200_000);
        await using var slow = await SseStream.OpenAsync(cluster.Http, new Uri(cluster.Urls[leader], "/watch?prefix=big/"));
        Assert.Equal(1, hub.WatcherCount);

        for (var i = 0; i < 60 && hub.SlowDisconnects == 0; i++)
        {
            using var written = await cluster.WriteAsync(leader, $"big/{i}", big);
            written.EnsureSuccessStatusCode();
        }

        await PeersCluster.EventuallyAsync(() => Task.FromResult(hub.SlowDisconnects >= 1 && hub.WatcherCount == 0), "the slow watcher to be dropped");
        var events = 0;
        using var timeout = new CancellationTokenSource(Patience);
        try
        {
            while (await slow.NextAsync(timeout.Token) is not null)
            {
                events++;
            }
        }
        catch (Exception error) when (error is IOException or HttpRequestException)
        {
            // The node aborted the connection: what a dropped watcher sees.
        }

        Assert.True(events < 60, $"the dropped watcher still received {events} events");
        await using var fresh = await SseStream.OpenAsync(cluster.Http, new Uri(cluster.Urls[leader], "/watch?prefix=big/"));
        Assert.Equal(HttpStatusCode.OK, fresh.Response.StatusCode);
    }

    [Fact]
    public async Task Watchers_beyond_WATCH_MAX_WATCHERS_get_503_and_a_bad_Last_Event_ID_gets_400()
    {
        await using var cluster = await PeersCluster.StartAsync(new PeersSpec
        {
            Configure = (_, settings) => settings with { Watch = new() { MaxWatchers = 1 } },
        });
        var leader = await cluster.LeaderAsync();
        await using var one = await SseStream.OpenAsync(cluster.Http, new Uri(cluster.Urls[leader], "/watch"));
        Assert.Equal(HttpStatusCode.OK, one.Response.StatusCode);

        using var two = await cluster.Http.GetAsync(new Uri(cluster.Urls[leader], "/watch"));
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(cluster.Urls[(leader + 1) % cluster.Count], "/watch"));
        request.Headers.Add("Last-Event-ID", "yesterday");
        using var bad = await cluster.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, two.StatusCode);
        Assert.EndsWith("/too-many-watchers", (await two.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("type").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    private static async Task WriteAllAsync(PeersCluster cluster, int leader, int from, int to)
    {
        for (var i = from; i < to; i++)
        {
            using var written = await cluster.WriteAsync(leader, $"w/{i}", i);
            written.EnsureSuccessStatusCode();
        }
    }
}
