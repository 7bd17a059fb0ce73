using LeaderKv.Client.Tests.Support;
using static LeaderKv.Client.Tests.Support.FakeNodes;

namespace LeaderKv.Client.Tests;

/// <summary>Finding the leader from whichever node the client was given, and following it when it moves.</summary>
public sealed class LeaderDiscoveryTests
{
    private readonly RecordingTime _time = new();

    /// <summary>Goal: a client given only a follower reads from the leader. Method: A's /status names B; B says it leads.</summary>
    [Fact]
    public async Task The_leader_is_found_from_a_followers_status()
    {
        var nodes = new FakeNodes()
            .Node(A, ("GET status", () => Status("follower", leader: B)))
            .Node(B, ("GET status", () => Status("leader", followers: [A])), ("GET kv/k", () => Json(System.Net.HttpStatusCode.OK, """{"key":"k","value":{"n":1},"index":4}""")));
        using var client = Clients.Over(nodes, _time);

        var entry = await client.GetAsync("k");

        Assert.Equal(B, client.Leader);
        Assert.Equal(4, entry!.Index);
        Assert.Equal(1, entry.Value.GetProperty("n").GetInt32());
        Assert.Equal(["GET http://node-a:8000/status", "GET http://node-b:8001/status", "GET http://node-b:8001/kv/k"], nodes.Requests);
        Assert.Empty(_time.Waits);
    }

    /// <summary>Goal: a write sent to a follower lands on the leader it names, and the next write goes there directly.</summary>
    [Fact]
    public async Task A_write_to_a_follower_follows_its_not_leader_answer_and_remembers_the_leader()
    {
        var nodes = new FakeNodes()
            .Node(A, ("POST write", () => NotLeader(B)))
            .Node(B, ("POST write", () => Committed(index: 9, term: 4, acks: 2)));
        using var client = Clients.Over(nodes, _time);

        var first = await client.PutJsonAsync("k", """{"n":1}""");
        var second = await client.PutJsonAsync("k", "2");

        Assert.Equal((9L, 4L, 2, B), (first.Index, first.Term, first.Acks, first.Leader));
        Assert.Equal(TimeSpan.FromMilliseconds(12.5), first.QuorumDelay);
        Assert.Equal(B, second.Leader);
        Assert.Equal(1, nodes.Count("POST", A, "write"));
        Assert.Equal(2, nodes.Count("POST", B, "write"));
        Assert.Equal("""{"key":"k","value":2}""", nodes.LastBody);
    }

    /// <summary>
    /// Goal: when the leader dies, writes move to the new one. Method: B led and is now down; C has been
    /// elected and A points to it; the next write must reach C without waiting (a refused connection is
    /// proof the write was never sent, so trying elsewhere is safe).
    /// </summary>
    [Fact]
    public async Task A_dead_leader_is_replaced_by_the_one_the_other_nodes_name()
    {
        var bLeads = true;
        var nodes = new FakeNodes()
            .Node(A, ("POST write", () => NotLeader(bLeads ? B : C)))
            .Node(B, request => bLeads ? Committed(1) : throw Refused())
            .Node(C, ("POST write", () => Committed(2, term: 5)));
        using var client = Clients.Over(nodes, _time, given: [A, B, C]);
        await client.PutJsonAsync("k", "1");

        bLeads = false;
        var result = await client.PutJsonAsync("k", "2");

        Assert.Equal((C, 5L), (result.Leader, result.Term));
        Assert.Equal(C, client.Leader);
        Assert.Empty(_time.Waits);
    }

    /// <summary>Goal: the seed's layout has no elections, so a follower that knows no leader ends the search at once.</summary>
    [Fact]
    public async Task Without_elections_a_follower_that_knows_no_leader_fails_fast_with_what_it_said()
    {
        var nodes = new FakeNodes().Node(A, ("GET status", () => Status("follower", leader: null, failover: "none")));
        using var client = Clients.Over(nodes, _time);

        var error = await Assert.ThrowsAsync<LeaderKvUnavailableException>(() => client.FindLeaderAsync());

        Assert.Contains("http://node-a:8000: a follower that knows no leader", error.Message);
        Assert.Single(nodes.Requests);
        Assert.Empty(_time.Waits);
    }

    /// <summary>Goal: two nodes that name each other (stale views mid-failover) cannot send the client round in circles.</summary>
    [Fact]
    public async Task Nodes_that_name_each_other_end_in_an_error_not_a_loop()
    {
        var nodes = new FakeNodes()
            .Node(A, ("POST write", () => NotLeader(B)))
            .Node(B, ("POST write", () => NotLeader(A)));
        using var client = Clients.Over(nodes, _time);

        var error = await Assert.ThrowsAsync<LeaderKvUnavailableException>(() => client.PutJsonAsync("k", "1"));

        Assert.Equal(2, nodes.Requests.Count);
        Assert.Contains("not the leader; the leader is http://node-a:8000", error.Message);
    }

    [Fact]
    public async Task A_client_needs_at_least_one_node_and_only_http_urls()
    {
        Assert.Throws<ArgumentException>(() => new LeaderKvClient(Array.Empty<Uri>(), new HttpClient()));
        Assert.Throws<ArgumentException>(() => new LeaderKvClient([new Uri("ftp://node/")], new HttpClient()));
        using var client = new LeaderKvClient([new Uri("http://node:1"), new Uri("http://node:1/")], new HttpClient());
        Assert.Equal([new Uri("http://node:1/")], client.Nodes);
        await Task.CompletedTask;
    }
}
