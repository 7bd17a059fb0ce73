using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using LeaderKv.Node.Configuration;
using LeaderKv.Node.Security;

namespace LeaderKv.Cluster.Tests.Security;

/// <summary>With API_KEYS set, the client API needs a bearer key; read-only keys read, only rw keys write. /health stays open.</summary>
public class ApiKeyTests
{
    private const string Writer = "writer-key-7f3a9c";
    private const string Reader = "reader-key-51bd02";

    private static readonly SecuritySettings WithKeys = new() { ApiKeys = ApiKeyRing.Parse($"{Writer}:rw,{Reader}:r", out _) };

    [Fact]
    public async Task A_write_without_a_key_is_401_names_the_bearer_scheme_and_changes_nothing()
    {
        await using var cluster = await TestCluster.StartAsync(new ClusterSpec { Followers = 1, Security = WithKeys });

        using var response = await cluster.WriteAsync("k", 1);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Equal("api-key-required", Requests.TypeName(await Requests.ProblemAsync(response)));
        Authorize(cluster, Reader);
        Assert.Empty(await cluster.DataAsync(cluster.Leader));
    }

    [Fact]
    public async Task A_write_with_an_unknown_key_is_401()
    {
        await using var cluster = await TestCluster.StartAsync(new ClusterSpec { Followers = 1, Security = WithKeys });
        Authorize(cluster, "guessed-key");

        using var response = await cluster.WriteAsync("k", 1);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("api-key-invalid", Requests.TypeName(await Requests.ProblemAsync(response)));
    }

    [Fact]
    public async Task A_read_only_key_reads_but_writing_with_it_is_403()
    {
        await using var cluster = await TestCluster.StartAsync(new ClusterSpec { Followers = 1, Security = WithKeys });
        Authorize(cluster, Writer);
        (await cluster.WriteAsync("k", "v")).EnsureSuccessStatusCode();
        Authorize(cluster, Reader);

        using var write = await cluster.WriteAsync("k", "overwritten");
        var data = await cluster.DataAsync(cluster.Leader);
        var single = await cluster.Http.GetFromJsonAsync<System.Text.Json.JsonElement>(new Uri(cluster.Leader, "/kv/k"));

        Assert.Equal(HttpStatusCode.Forbidden, write.StatusCode);
        Assert.Equal("read-only-key", Requests.TypeName(await Requests.ProblemAsync(write)));
        Assert.Equal("v", data["k"].GetString());
        Assert.Equal("v", single.GetProperty("value").GetString());
    }

    [Fact]
    public async Task A_read_write_key_writes_and_the_write_replicates()
    {
        await using var cluster = await TestCluster.StartAsync(new ClusterSpec { Followers = 2, Quorum = 2, Security = WithKeys });
        Authorize(cluster, Writer);

        using var response = await cluster.WriteAsync("k", 42);

        response.EnsureSuccessStatusCode();
        await cluster.WaitForConvergenceAsync();
        Assert.Equal(42, (await cluster.DataAsync(cluster.Followers[1]))["k"].GetInt32());
    }

    [Fact]
    public async Task Reads_need_a_key_and_health_stays_open_for_orchestrators()
    {
        await using var cluster = await TestCluster.StartAsync(new ClusterSpec { Followers = 1, Security = WithKeys });

        using var data = await cluster.Http.GetAsync(new Uri(cluster.Followers[0], "/data"));
        using var single = await cluster.Http.GetAsync(new Uri(cluster.Leader, "/kv/k"));
        using var status = await cluster.Http.GetAsync(new Uri(cluster.Leader, "/status"));
        using var health = await cluster.Http.GetAsync(new Uri(cluster.Followers[0], "/health"));

        Assert.Equal(HttpStatusCode.Unauthorized, data.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, single.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, status.StatusCode);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    private static void Authorize(TestCluster cluster, string key) =>
        cluster.Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
}
