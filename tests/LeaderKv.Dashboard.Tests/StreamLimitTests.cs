using System.Net;
using System.Text.Json;
using LeaderKv.Node.Configuration;
using LeaderKv.Node.Dashboard;
using Microsoft.Extensions.DependencyInjection;

namespace LeaderKv.Dashboard.Tests;

/// <summary>
/// The dashboard's bounds: a slow stream is dropped instead of buffered, and the number of streams
/// is capped. The first without sockets (the queue itself), the second against a real node.
/// </summary>
public sealed class StreamLimitTests
{
    /// <summary>
    /// Goal: a browser that stops reading costs at most a few frames of memory. Method: two streams,
    /// one read and one never read; publish more frames than a queue holds; the unread one is dropped
    /// (its reader ends after what it holds), the read one keeps every frame.
    /// </summary>
    [Fact]
    public async Task A_stream_that_stops_reading_is_dropped_once_its_queue_is_full_and_the_others_go_on()
    {
        var limits = new DashboardLimits { FramesBuffered = 3 };
        var subscribers = new FrameSubscribers(limits);
        using var slow = subscribers.TryAdd()!;
        using var fast = subscribers.TryAdd()!;
        var received = 0;
        for (var i = 0; i < 10; i++)
        {
            subscribers.Publish([(byte)i]);
            while (fast.Frames.TryRead(out _))
            {
                received++;
            }
        }

        Assert.True(slow.Dropped);
        Assert.False(fast.Dropped);
        Assert.Equal(10, received);
        Assert.Equal(1, subscribers.Count);
        var held = 0;
        await foreach (var _ in slow.Frames.ReadAllAsync())
        {
            held++;
        }

        Assert.Equal(limits.FramesBuffered, held);
    }

    /// <summary>
    /// Goal: at most MaxStreams dashboard streams per node. Method: a node allowing two; two streams
    /// receive frames, a third gets 503 dashboard-busy with Retry-After; once one closes, a new one is admitted.
    /// </summary>
    [Fact]
    public async Task Streams_beyond_the_limit_get_503_and_a_closed_stream_frees_its_place()
    {
        var (app, url) = await TestCluster.StartNodeAsync(
            new NodeSettings { Role = NodeRole.Leader, NodeId = "solo", WriteQuorum = 0 },
            services => services.AddSingleton(new DashboardLimits { MaxStreams = 2, FrameInterval = TimeSpan.FromMilliseconds(50) }),
            port: 0);
        await using var _ = app;
        using var http = new HttpClient { Timeout = TestCluster.Patience };
        var events = new Uri(url, "/ui/events");

        using var first = await OpenAsync(http, events);
        using var second = await OpenAsync(http, events);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("text/event-stream", first.Content.Headers.ContentType?.MediaType);
        var frame = await FirstFrameAsync(first);
        Assert.Equal("solo", frame.GetProperty("self").GetString());
        Assert.Equal(1, frame.GetProperty("nodes").GetArrayLength());
        await FirstFrameAsync(second);

        using (var third = await OpenAsync(http, events))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, third.StatusCode);
            Assert.NotNull(third.Headers.RetryAfter);
            var problem = JsonDocument.Parse(await third.Content.ReadAsStringAsync()).RootElement;
            Assert.EndsWith("/dashboard-busy", problem.GetProperty("type").GetString(), StringComparison.Ordinal);
        }

        first.Dispose();
        await TestCluster.EventuallyAsync(
            async () =>
            {
                using var again = await OpenAsync(http, events);
                return again.StatusCode == HttpStatusCode.OK;
            },
            "a stream to be admitted once one closed");
    }

    private static Task<HttpResponseMessage> OpenAsync(HttpClient http, Uri events) =>
        http.GetAsync(events, HttpCompletionOption.ResponseHeadersRead);

    private static async Task<JsonElement> FirstFrameAsync(HttpResponseMessage stream)
    {
        using var reader = new StreamReader(await stream.Content.ReadAsStreamAsync());
        while (await reader.ReadLineAsync() is { } line)
        {
            if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                return JsonDocument.Parse(line["data: ".Length..]).RootElement.Clone();
            }
        }

        throw new InvalidOperationException("the stream ended before its first frame");
    }
}
