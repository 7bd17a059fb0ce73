using System.Net;
using LeaderKv.Client.Tests.Support;
using static LeaderKv.Client.Tests.Support.FakeNodes;

namespace LeaderKv.Client.Tests;

/// <summary>Reads with the server's consistency options, the typed /status, the whole cluster's status, and promotion.</summary>
public sealed class ReadAndStatusTests
{
    private readonly RecordingTime _time = new();

    [Fact]
    public async Task A_read_with_a_minimum_index_asks_the_node_to_wait_for_it()
    {
        var nodes = new FakeNodes().Node(A, ("GET status", () => Status("leader")), ("GET kv/", () => Json(HttpStatusCode.NotFound, """{"detail":"Key 'a b' does not exist."}""")));
        using var client = Clients.Over(nodes, _time);

        var entry = await client.GetAsync("a b", new ReadOptions(MinIndex: 12, Wait: TimeSpan.FromSeconds(2)));

        Assert.Null(entry);
        Assert.Equal("GET http://node-a:8000/kv/a%20b?minIndex=12&waitMs=2000", nodes.Requests[^1]);
    }

    [Fact]
    public async Task A_read_from_a_chosen_node_skips_leader_discovery()
    {
        var nodes = new FakeNodes().Node(B, ("GET data", () => Json(HttpStatusCode.OK, """{"a":1,"b":{"c":true}}""")));
        using var client = Clients.Over(nodes, _time);

        var data = await client.GetDataAsync(new ReadOptions(Node: B));

        Assert.Equal(["GET http://node-b:8001/data"], nodes.Requests);
        Assert.True(data["b"].GetProperty("c").GetBoolean());
    }

    [Fact]
    public async Task A_node_not_caught_up_is_an_error_with_the_problem_type()
    {
        var nodes = new FakeNodes().Node(B, ("GET data", () => Json(HttpStatusCode.Conflict, """{"type":"https://leaderkv.dev/problems/not-caught-up","detail":"This node has applied through index 3, not yet 9."}""")));
        using var client = Clients.Over(nodes, _time);

        var error = await Assert.ThrowsAsync<LeaderKvRejectedException>(() => client.GetDataAsync(new ReadOptions(Node: B, MinIndex: 9)));

        Assert.EndsWith("/not-caught-up", error.ProblemType);
        Assert.Contains("not yet 9", error.Message);
    }

    [Fact]
    public async Task Status_is_typed_and_tolerates_an_unknown_role()
    {
        var nodes = new FakeNodes()
            .Node(A, ("GET status", () => Status("leader", term: 7, followers: [B])))
            .Node(B, ("GET status", () => Json(HttpStatusCode.OK, """{"role":"learner","nodeId":"node-b","term":7,"appliedThrough":3,"lastIndex":3,"keys":1,"extra":{"x":1}}""")));
        using var client = Clients.Over(nodes, _time);

        var leader = await client.StatusAsync();
        var other = await client.StatusAsync(B);

        Assert.Equal((NodeRole.Leader, 7L, 7L, "automatic"), (leader.Role, leader.Term, leader.CommitIndex!.Value, leader.Failover));
        Assert.Equal(("up", 6L, 2L), (leader.Followers![0].State, leader.Followers[0].AppliedThrough!.Value, leader.Followers[0].Lag!.Value));
        Assert.Equal(NodeRole.Unknown, other.Role);
        Assert.Null(other.CommitIndex);
    }

    /// <summary>
    /// Goal: the cluster's status covers every node, found from one, and a down node is a row, not an
    /// error. Method: the client knows only A, a follower naming B; B leads and lists A and C; C is down.
    /// </summary>
    [Fact]
    public async Task Cluster_status_learns_every_node_from_one_and_reports_down_nodes()
    {
        var nodes = new FakeNodes()
            .Node(A, ("GET status", () => Status("follower", leader: B, id: "node-a")))
            .Node(B, ("GET status", () => Status("leader", id: "node-b", followers: [A, C])))
            .Down(C);
        using var client = Clients.Over(nodes, _time);

        var reports = await client.ClusterStatusAsync();

        Assert.Equal([A, B, C], reports.Select(r => r.Node));
        Assert.Equal([true, true, false], reports.Select(r => r.IsUp));
        Assert.StartsWith("cannot reach http://node-c:8002", reports[2].Error);
    }

    [Fact]
    public async Task Promote_refuses_without_accepting_data_loss_and_sends_nothing()
    {
        var nodes = new FakeNodes();
        using var client = Clients.Over(nodes, _time);

        var error = await Assert.ThrowsAsync<ArgumentException>(() => client.PromoteAsync(B, acceptDataLoss: false));

        Assert.Contains("acceptDataLoss", error.Message);
        Assert.Empty(nodes.Requests);
    }

    [Fact]
    public async Task Promote_posts_to_the_node_and_makes_it_the_known_leader()
    {
        var nodes = new FakeNodes().Node(B, ("POST admin/promote", () => Json(HttpStatusCode.Accepted, """{"term":9}""")));
        using var client = Clients.Over(nodes, _time);

        var result = await client.PromoteAsync(B, acceptDataLoss: true);

        Assert.Equal((B, 9L), (result.Node, result.Term));
        Assert.Equal(["POST http://node-b:8001/admin/promote?acceptDataLoss=true"], nodes.Requests);
        Assert.Equal(B, client.Leader);
    }
}
