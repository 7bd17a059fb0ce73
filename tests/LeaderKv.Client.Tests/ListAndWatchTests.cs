using System.Net;
using System.Text;
using LeaderKv.Client.Tests.Support;
using static LeaderKv.Client.Tests.Support.FakeNodes;

namespace LeaderKv.Client.Tests;

/// <summary>The client's read side: listing page after page, the consistency parameter, and a watch that resumes on another node.</summary>
public sealed class ListAndWatchTests
{
    private readonly RecordingTime _time = new();

    [Fact]
    public async Task Listing_everything_follows_the_next_cursor_until_the_last_page_and_sends_the_consistency_asked()
    {
        var nodes = new FakeNodes().Node(B, request => request.RequestUri!.Query.Contains("after=b", StringComparison.Ordinal)
            ? Json(HttpStatusCode.OK, """{"items":[{"key":"c","value":3,"index":7}],"index":9,"next":null}""")
            : Json(HttpStatusCode.OK, """{"items":[{"key":"a","value":1,"index":4},{"key":"b","value":2,"index":5}],"index":9,"next":"b"}"""));
        using var client = Clients.Over(nodes, _time);

        var keys = new List<string>();
        await foreach (var entry in client.ListAllAsync("", new ReadOptions(Node: B, Consistency: ReadConsistency.Linearizable)))
        {
            keys.Add(entry.Key);
        }

        Assert.Equal(["a", "b", "c"], keys);
        Assert.Equal(
            ["GET http://node-b:8001/kv?prefix=&consistency=linearizable", "GET http://node-b:8001/kv?prefix=&after=b&consistency=linearizable"],
            nodes.Requests);
    }

    [Fact]
    public async Task A_watch_whose_node_goes_away_resumes_on_the_next_node_after_the_last_index_it_saw()
    {
        // Goal: no change missed or repeated across a reconnect. Method: node A streams two changes and
        // ends; the client must ask node B with Last-Event-ID 12 and take B's changes from there.
        string? resumedFrom = null;
        var nodes = new FakeNodes()
            .Node(A, _ => Sse("id: 11\nevent: put\ndata: {\"type\":\"put\",\"key\":\"p/a\",\"value\":1,\"index\":11}\n\n: keep-alive\n\nid: 12\nevent: put\ndata: {\"type\":\"put\",\"key\":\"p/b\",\"value\":2,\"index\":12}\n\n"))
            .Node(B, request =>
            {
                resumedFrom = request.Headers.TryGetValues("Last-Event-ID", out var ids) ? ids.Single() : null;
                return Sse("id: 13\nevent: delete\ndata: {\"type\":\"delete\",\"key\":\"p/a\",\"index\":13}\n\n");
            });
        using var client = Clients.Over(nodes, _time, given: [A, B]);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        var seen = new List<WatchEvent>();
        var watching = Task.Run(async () =>
        {
            await foreach (var change in client.WatchAsync("p/", since: 10, stop.Token))
            {
                seen.Add(change);
                if (seen.Count == 3)
                {
                    break;
                }
            }
        });
        await _time.NextWaitAsync();
        _time.Clock.Advance(TimeSpan.FromSeconds(1));
        await watching;

        Assert.Equal([11L, 12L, 13L], seen.Select(c => c.Index));
        Assert.Equal("12", resumedFrom);
        Assert.Equal(WatchEventKind.Delete, seen[2].Kind);
        Assert.Null(seen[2].Value);
        Assert.Equal(2, seen[1].Value?.GetInt32());
        Assert.StartsWith("GET http://node-a:8000/watch?prefix=p%2F", nodes.Requests[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_watch_of_compacted_history_is_a_rejection_with_the_problem_type()
    {
        var nodes = new FakeNodes().Node(A, _ => Json(HttpStatusCode.Gone, """{"type":"https://leaderkv.dev/problems/watch-compacted","detail":"gone","oldestIndex":40}"""));
        using var client = Clients.Over(nodes, _time);

        var error = await Assert.ThrowsAsync<LeaderKvRejectedException>(async () =>
        {
            await foreach (var change in client.WatchAsync("", since: 1))
            {
                Assert.Fail($"no change expected, got {change}");
            }
        });

        Assert.Equal(HttpStatusCode.Gone, error.StatusCode);
        Assert.EndsWith("/watch-compacted", error.ProblemType, StringComparison.Ordinal);
    }

    private static HttpResponseMessage Sse(string body) => new(HttpStatusCode.OK)
    {
        Content = new StringContent(body, Encoding.UTF8, "text/event-stream"),
    };
}
