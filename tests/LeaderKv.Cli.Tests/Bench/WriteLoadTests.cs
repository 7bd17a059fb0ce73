using LeaderKv.Cli.Bench.Load;
using LeaderKv.Cli.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace LeaderKv.Cli.Tests.Bench;

/// <summary>
/// The load goes through LeaderKvClient but still measures single requests: one POST /write per
/// write, whatever the answer (the client's redirects and retries are off), with what the answer said.
/// </summary>
public sealed class WriteLoadTests
{
    [Fact]
    public async Task Every_write_is_one_request_and_its_answer_is_recorded_redirects_and_retries_are_not_followed()
    {
        var posted = 0;
        await using var node = await FakeNode.StartAsync(_ => "{}", routes: app => app.MapPost("/write", async (HttpContext context) =>
        {
            var n = Interlocked.Increment(ref posted);
            var body = await new StreamReader(context.Request.Body).ReadToEndAsync();
            return (n % 3) switch
            {
                // Committed, as LeaderKV answers.
                1 => Results.Text($$"""{"status":"success","quorum_met":true,"index":{{n}},"term":1,"outcome":"committed","acks":2,"required":2,"quorum_delay_ms":12.5,"echo":{{body}}}""", "application/json"),
                // Not the leader, naming another: a client that followed it would send a second request.
                2 => Results.Text("""{"detail":"Only leader accepts writes","leader":"http://127.0.0.1:1/","outcome":"rejected"}""", "application/problem+json", statusCode: 400),
                // Quorum not met: outcome unknown, with its index.
                _ => Results.Text($$"""{"detail":"quorum not met","index":{{n}},"term":1,"outcome":"unknown"}""", "application/problem+json", statusCode: 500),
            };
        }));
        using var http = BenchHttp.Create(concurrency: 1, TimeSpan.FromSeconds(1));

        var result = await new WriteLoad(http, node.Url, new WriteBodies(keys: 2, valueBytes: null), writes: 6, concurrency: 1).RunAsync(CancellationToken.None);

        Assert.Equal(6, posted);
        var samples = result.Samples.OrderBy(s => s.Sequence).ToList();
        Assert.Equal([true, false, false, true, false, false], samples.Select(s => s.Succeeded));
        Assert.Equal(1, samples[0].Index);
        Assert.Equal(2, samples[0].Acks);
        Assert.Equal(12.5, samples[0].QuorumDelayMs);
        Assert.Equal("key-1", samples[1].Key);
        Assert.NotNull(samples[1].Error);
        Assert.Equal(500, samples[2].StatusCode);
        Assert.Equal(3, samples[2].Index);
        Assert.All(samples, s => Assert.True(s.LatencyMs > 0));
    }

    [Fact]
    public async Task A_node_that_answers_as_the_seed_does_leaves_index_acks_and_quorum_delay_unknown()
    {
        await using var node = await FakeNode.StartAsync(_ => "{}", routes: app => app.MapPost("/write", () =>
            Results.Text("""{"status":"success","quorum_met":true}""", "application/json")));
        using var http = BenchHttp.Create(concurrency: 1, TimeSpan.FromSeconds(1));

        var result = await new WriteLoad(http, node.Url, new WriteBodies(keys: 1, valueBytes: null), writes: 1, concurrency: 1).RunAsync(CancellationToken.None);

        var sample = Assert.Single(result.Samples);
        Assert.True(sample.Succeeded);
        Assert.Null(sample.Index);
        Assert.Null(sample.QuorumDelayMs);
        Assert.Null(sample.OverheadMs);
    }
}
