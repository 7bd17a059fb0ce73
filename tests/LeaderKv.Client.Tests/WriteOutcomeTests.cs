using System.Net;
using System.Text.Json;
using LeaderKv.Client.Tests.Support;
using static LeaderKv.Client.Tests.Support.FakeNodes;

namespace LeaderKv.Client.Tests;

/// <summary>Every answer to a write maps to exactly one outcome, so the caller knows whether a retry is safe.</summary>
public sealed class WriteOutcomeTests
{
    private readonly RecordingTime _time = new();

    [Fact]
    public async Task Quorum_not_met_is_outcome_unknown_with_the_index_and_term()
    {
        var nodes = new FakeNodes().Node(A, ("POST write", () => Json(
            HttpStatusCode.InternalServerError,
            """{"type":"https://leaderkv.dev/problems/quorum-not-met","status":500,"detail":"Write quorum not met: 0 of 2 follower acks arrived in time.","outcome":"unknown","index":12,"term":3,"acks":0,"required":2}""")));
        using var client = Clients.Over(nodes, _time);

        var error = await Assert.ThrowsAsync<LeaderKvOutcomeUnknownException>(() => client.PutJsonAsync("k", "1"));

        Assert.Equal((12L, 3L), (error.Index, error.Term));
        Assert.Equal(HttpStatusCode.InternalServerError, error.StatusCode);
        Assert.EndsWith("/quorum-not-met", error.ProblemType);
        Assert.Contains("read the key", error.Message);
        Assert.IsNotAssignableFrom<LeaderKvRejectedException>(error);
        Assert.Single(nodes.Requests);
    }

    [Theory]
    [InlineData(HttpStatusCode.BadRequest, "validation")]
    [InlineData(HttpStatusCode.RequestEntityTooLarge, "value-too-large")]
    [InlineData(HttpStatusCode.Unauthorized, "api-key-required")]
    public async Task A_4xx_other_than_not_leader_is_a_rejection_and_is_not_retried(HttpStatusCode status, string type)
    {
        var nodes = new FakeNodes().Node(A, ("POST write", () => Json(status, $$"""{"type":"https://leaderkv.dev/problems/{{type}}","detail":"no"}""")));
        using var client = Clients.Over(nodes, _time);

        var error = await Assert.ThrowsAsync<LeaderKvRejectedException>(() => client.PutJsonAsync("k", "1"));

        Assert.Equal(status, error.StatusCode);
        Assert.IsNotType<LeaderKvUnavailableException>(error);
        Assert.Single(nodes.Requests);
    }

    /// <summary>Goal: with unknown-outcome retries off, a write that was sent but got no answer is not sent elsewhere: it may have been written.</summary>
    [Fact]
    public async Task A_connection_that_breaks_after_sending_is_outcome_unknown_without_an_index()
    {
        var nodes = new FakeNodes()
            .Node(A, _ => throw new HttpRequestException(HttpRequestError.ResponseEnded, "The response ended prematurely."))
            .Node(B, ("POST write", () => Committed(1)));
        using var client = Clients.Over(nodes, _time, given: [A, B]);

        var error = await Assert.ThrowsAsync<LeaderKvOutcomeUnknownException>(() => client.PutJsonAsync("k", "1"));

        Assert.Null(error.Index);
        Assert.Equal(A, error.Node);
        Assert.Equal(0, nodes.Count("POST", B, "write"));
    }

    [Fact]
    public async Task A_connection_refused_everywhere_is_unavailable_and_names_each_node()
    {
        var nodes = new FakeNodes().Down(A).Down(B);
        using var client = Clients.Over(nodes, _time, given: [A, B]);

        var error = await Assert.ThrowsAsync<LeaderKvUnavailableException>(() => client.PutJsonAsync("k", "1"));

        Assert.Contains("http://node-a:8000: cannot reach http://node-a:8000", error.Message);
        Assert.Contains("http://node-b:8001: cannot reach", error.Message);
        Assert.Empty(_time.Waits);
    }

    /// <summary>Goal: the seed's own answer (no outcome, no term) still reads as committed.</summary>
    [Fact]
    public async Task A_seed_style_success_without_outcome_or_term_is_committed()
    {
        var nodes = new FakeNodes().Node(A, ("POST write", () => Json(HttpStatusCode.OK, """{"status":"success","quorum_met":true,"index":1,"acks":1,"required":1,"quorum_delay_ms":4}""")));
        using var client = Clients.Over(nodes, _time);

        var result = await client.PutAsync("k", JsonDocument.Parse("""{"n":[1,2]}""").RootElement);

        Assert.Equal((1L, 0L), (result.Index, result.Term));
        Assert.Equal("""{"key":"k","value":{"n":[1,2]}}""", nodes.LastBody);
    }

    [Fact]
    public async Task Invalid_raw_json_is_refused_before_anything_is_sent()
    {
        var nodes = new FakeNodes();
        using var client = Clients.Over(nodes, _time);

        await Assert.ThrowsAnyAsync<JsonException>(() => client.PutJsonAsync("k", "{not json"));

        Assert.Empty(nodes.Requests);
    }

    [Fact]
    public async Task The_api_key_is_sent_as_a_bearer_token()
    {
        var nodes = new FakeNodes().Node(A, ("POST write", () => Committed(1)));
        using var client = new LeaderKvClient([A], new HttpClient(nodes), new LeaderKvClientOptions { ApiKey = "secret-key", Time = _time });

        await client.PutJsonAsync("k", "1");

        Assert.Equal("Bearer secret-key", nodes.LastRequest!.Headers.Authorization!.ToString());
    }
}
