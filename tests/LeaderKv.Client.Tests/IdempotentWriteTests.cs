using System.Net;
using LeaderKv.Client.Tests.Support;
using static LeaderKv.Client.Tests.Support.FakeNodes;

namespace LeaderKv.Client.Tests;

/// <summary>
/// Every write carries one Idempotency-Key for all its attempts, so the client may send a write whose outcome
/// was unknown again: the leader answers with the first attempt's outcome instead of writing twice.
/// Conditional writes map 412 to <see cref="LeaderKvConditionFailedException"/>.
/// </summary>
public sealed class IdempotentWriteTests
{
    private readonly RecordingTime _time = new();

    [Fact]
    public async Task An_unknown_outcome_is_retried_with_the_same_idempotency_key_and_the_replayed_answer_is_returned()
    {
        // Goal: a client can retry an unknown write safely. Method: the first answer is 500 unknown, the second a replay; both carry one key.
        var keys = new List<string>();
        var answers = new Queue<Func<HttpResponseMessage>>([
            () => Json(HttpStatusCode.InternalServerError, """{"type":"https://leaderkv.dev/problems/quorum-not-met","detail":"not met","outcome":"unknown","index":12,"term":3}"""),
            () => Replayed(Committed(12)),
        ]);
        var nodes = new FakeNodes().Node(A, request =>
        {
            keys.Add(request.Headers.GetValues("Idempotency-Key").Single());
            return answers.Dequeue()();
        });
        using var client = Clients.Over(nodes, _time, unknownRetries: 3);

        var result = await _time.RunAsync(client.PutJsonAsync("k", "1"));

        Assert.Equal(12, result.Index);
        Assert.True(result.Replayed);
        Assert.Equal(2, keys.Count);
        Assert.Single(keys.Distinct());
        Assert.Equal(32, keys[0].Length);
    }

    [Fact]
    public async Task A_write_that_stays_unknown_after_every_retry_is_reported_unknown()
    {
        var nodes = new FakeNodes().Node(A, ("POST write", () => Json(HttpStatusCode.InternalServerError, """{"detail":"not met","outcome":"unknown","index":4,"term":2}""")));
        using var client = Clients.Over(nodes, _time, unknownRetries: 2);

        var error = await Assert.ThrowsAsync<LeaderKvOutcomeUnknownException>(() => _time.RunAsync(client.PutJsonAsync("k", "1")));

        Assert.Equal(4, error.Index);
        Assert.Equal(3, nodes.Count("POST", A, "write"));
    }

    [Fact]
    public async Task A_caller_given_idempotency_key_is_sent_as_is()
    {
        var nodes = new FakeNodes().Node(A, ("POST write", () => Committed(1)));
        using var client = Clients.Over(nodes, _time);

        await client.PutJsonAsync("k", "1", new WriteOptions(IdempotencyKey: "order-17"));

        Assert.Equal("order-17", nodes.LastRequest!.Headers.GetValues("Idempotency-Key").Single());
    }

    [Fact]
    public async Task A_compare_and_set_put_goes_to_put_kv_with_if_match_and_a_412_is_condition_failed()
    {
        var nodes = new FakeNodes().Node(A, ("PUT kv/k", () => Json(
            HttpStatusCode.PreconditionFailed,
            """{"type":"https://leaderkv.dev/problems/precondition-failed","detail":"key 'k' is at index 9","currentIndex":9,"index":14,"term":3,"outcome":"committed"}""")));
        using var client = Clients.Over(nodes, _time);

        var error = await Assert.ThrowsAsync<LeaderKvConditionFailedException>(() => client.PutJsonAsync("k", "2", new WriteOptions(IfIndex: 7)));

        Assert.Equal(9, error.CurrentIndex);
        Assert.Equal(14, error.Index);
        Assert.Equal("\"7\"", nodes.LastRequest!.Headers.IfMatch.Single().ToString());
        Assert.Equal("2", nodes.LastBody);
        Assert.IsNotAssignableFrom<LeaderKvRejectedException>(error);
    }

    [Fact]
    public async Task A_create_only_put_with_a_ttl_sends_if_none_match_and_the_ttl_in_seconds()
    {
        var nodes = new FakeNodes().Node(A, ("PUT kv/k", () => Committed(3)));
        using var client = Clients.Over(nodes, _time);

        var result = await client.PutJsonAsync("k", "\"v\"", new WriteOptions(CreateOnly: true, TimeToLive: TimeSpan.FromMilliseconds(1500)));

        Assert.Equal(3, result.Index);
        Assert.Equal("*", nodes.LastRequest!.Headers.IfNoneMatch.Single().ToString());
        Assert.Equal("PUT http://node-a:8000/kv/k?ttl=2", nodes.Requests[^1]);
    }

    [Fact]
    public async Task A_delete_goes_to_delete_kv_and_says_whether_the_key_existed()
    {
        var nodes = new FakeNodes().Node(A, ("DELETE kv/a%20b", () => Json(
            HttpStatusCode.OK,
            """{"status":"success","quorum_met":true,"index":8,"term":2,"outcome":"committed","acks":1,"required":1,"quorum_delay_ms":0,"existed":true}""")));
        using var client = Clients.Over(nodes, _time);

        var result = await client.DeleteAsync("a b", new WriteOptions(IfIndex: 5));

        Assert.Equal(8, result.Index);
        Assert.True(result.Existed);
        Assert.Equal("\"5\"", nodes.LastRequest!.Headers.IfMatch.Single().ToString());
        Assert.NotNull(nodes.LastRequest.Headers.GetValues("Idempotency-Key").Single());
    }

    private static HttpResponseMessage Replayed(HttpResponseMessage response)
    {
        response.Headers.Add("Idempotent-Replayed", "true");
        return response;
    }
}
