using LeaderKv.Client.Tests.Support;
using static LeaderKv.Client.Tests.Support.FakeNodes;

namespace LeaderKv.Client.Tests;

/// <summary>Elections (503 no-leader) are waited out on the client's TimeProvider, boundedly.</summary>
public sealed class RetryTests
{
    private readonly RecordingTime _time = new();

    /// <summary>
    /// Goal: the client honours Retry-After and really waits for it. Method: the only node answers 503
    /// with Retry-After 2 s once; the client must start a 2 s timer, send nothing more until the fake
    /// clock has moved, then write.
    /// </summary>
    [Fact]
    public async Task A_503_is_retried_after_its_Retry_After_on_the_clients_clock()
    {
        var answers = new Queue<Func<HttpResponseMessage>>([() => NoLeader(TimeSpan.FromSeconds(2)), () => Committed(3)]);
        var nodes = new FakeNodes().Node(A, _ => answers.Dequeue()());
        using var client = Clients.Over(nodes, _time);

        var put = client.PutJsonAsync("k", "1");
        var wait = await _time.NextWaitAsync();

        Assert.Equal(TimeSpan.FromSeconds(2), wait);
        Assert.Single(nodes.Requests);
        Assert.False(put.IsCompleted);
        _time.Clock.Advance(wait);
        Assert.Equal(3, (await put).Index);
        Assert.Equal(2, nodes.Requests.Count);
    }

    /// <summary>Goal: without Retry-After the waits double from BackoffInitial, and every node is asked each round.</summary>
    [Fact]
    public async Task Without_Retry_After_the_backoff_doubles_each_round()
    {
        var calls = 0;
        var nodes = new FakeNodes()
            .Node(A, _ => ++calls <= 3 ? NoLeader(null) : Committed(8))
            .Node(B, _ => NoLeader(null));
        using var client = Clients.Over(nodes, _time, given: [A, B]);

        var result = await _time.RunAsync(client.PutJsonAsync("k", "1"));

        Assert.Equal(8, result.Index);
        Assert.Equal([TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(200)], _time.Waits);
        Assert.Equal(3, nodes.Count("POST", B, "write"));
    }

    /// <summary>Goal: an election that never ends gives a clear error after MaxAttempts requests, and a retry is known to be safe.</summary>
    [Fact]
    public async Task An_endless_election_ends_in_an_error_after_the_attempt_budget()
    {
        var nodes = new FakeNodes().Node(A, _ => NoLeader(TimeSpan.FromSeconds(1)));
        using var client = Clients.Over(nodes, _time, maxAttempts: 4);

        var error = await Assert.ThrowsAsync<LeaderKvUnavailableException>(() => _time.RunAsync(client.PutJsonAsync("k", "1")));

        Assert.IsAssignableFrom<LeaderKvRejectedException>(error);
        Assert.Equal(4, nodes.Requests.Count);
        Assert.Equal(3, _time.Waits.Count);
        Assert.Contains("after 4 requests", error.Message);
        Assert.Contains("An election is under way.", error.Message);
    }

    /// <summary>Goal: a Retry-After far in the future is cut to RetryAfterMax, so a call's length stays bounded.</summary>
    [Fact]
    public async Task A_long_Retry_After_is_capped()
    {
        var answers = new Queue<Func<HttpResponseMessage>>([() => NoLeader(TimeSpan.FromHours(1)), () => Committed(1)]);
        var nodes = new FakeNodes().Node(A, _ => answers.Dequeue()());
        using var client = Clients.Over(nodes, _time);

        await _time.RunAsync(client.PutJsonAsync("k", "1"));

        Assert.Equal([new LeaderKvClientOptions().RetryAfterMax], _time.Waits);
    }

    /// <summary>Goal: during an election a candidate's status makes discovery wait and ask again.</summary>
    [Fact]
    public async Task Discovery_waits_while_a_node_is_a_candidate()
    {
        var elected = false;
        var nodes = new FakeNodes().Node(A, _ => elected ? Status("leader") : Status("candidate", failover: "automatic"));
        using var client = Clients.Over(nodes, _time);

        var find = client.FindLeaderAsync();
        var wait = await _time.NextWaitAsync();
        elected = true;
        _time.Clock.Advance(wait);

        Assert.Equal(A, await find);
    }

    [Fact]
    public async Task Cancelling_a_wait_cancels_the_call()
    {
        var nodes = new FakeNodes().Node(A, _ => NoLeader(TimeSpan.FromSeconds(1)));
        using var client = Clients.Over(nodes, _time);
        using var cancel = new CancellationTokenSource();

        var put = client.PutJsonAsync("k", "1", cancel.Token);
        await _time.NextWaitAsync();
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => put);
    }
}
