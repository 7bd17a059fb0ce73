using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LeaderKv.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace LeaderKv.Cluster.Tests;

/// <summary>A client that wrote index N can read its write from a follower by asking for minIndex=N.</summary>
public class ReadYourWritesTests
{
    [Fact]
    public async Task A_follower_read_with_min_index_waits_for_that_write_and_a_zero_wait_says_not_yet()
    {
        var clock = new FakeTimeProvider();
        await using var cluster = await TestCluster.StartAsync(new ClusterSpec
        {
            Followers = 1,
            Quorum = 0,
            LeaderClock = clock,
            LeaderServices = services =>
            {
                services.AddSingleton<TimeProvider>(clock);
                services.AddSingleton<IDelaySource>(new ConstantDelay(TimeSpan.FromMilliseconds(100)));
            },
        });
        using var written = await cluster.WriteAsync("k", "mine");
        var index = (await written.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("index").GetInt64();
        var follower = cluster.Followers[0];

        using var tooEarly = await cluster.Http.GetAsync(new Uri(follower, $"/kv/k?minIndex={index}&waitMs=0"));
        var patientRead = cluster.Http.GetFromJsonAsync<JsonElement>(new Uri(follower, $"/kv/k?minIndex={index}&waitMs=30000"));
        clock.Advance(TimeSpan.FromMilliseconds(100));
        var read = await patientRead;

        Assert.Equal(HttpStatusCode.Conflict, tooEarly.StatusCode);
        Assert.Equal("mine", read.GetProperty("value").GetString());
        Assert.Equal(index, read.GetProperty("index").GetInt64());
    }

    private sealed class ConstantDelay(TimeSpan delay) : IDelaySource
    {
        public TimeSpan Next(int follower, long index) => delay;
    }
}
