using System.Diagnostics;
using System.Net;
using System.Text;
using LeaderKv.Cli.Cluster;
using LeaderKv.Cli.Tests.Support;
using LeaderKv.Cli.Verify;
using LeaderKv.Node.Security;

namespace LeaderKv.Cli.Tests.Verify;

/// <summary>The node's /admin/faults: off by default, signed like replication, validated, and refused beyond loopback.</summary>
[Trait("Category", "Process")]
[Collection(ProcessTestCollection.Name)]
public sealed class FaultEndpointTests
{
    [Fact]
    public async Task The_fault_endpoint_needs_the_cluster_signature_validates_its_body_and_heals()
    {
        await using var cluster = await VerifyCluster.StartAsync(new VerifySettings { Nodes = 3, Quorum = 1 }, null, CancellationToken.None);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var node = cluster.Nodes[1];
        var uri = new Uri(node.Url, "admin/faults");

        using var unsigned = await http.PostAsync(uri, new StringContent("{\"drop\":[\"node-0\"]}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Unauthorized, unsigned.StatusCode);

        using var unknownPeer = await SendAsync(http, cluster, HttpMethod.Post, uri, "{\"drop\":[\"node-9\"]}");
        Assert.Equal(HttpStatusCode.BadRequest, unknownPeer.StatusCode);
        Assert.Contains("drop", await unknownPeer.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var set = await SendAsync(http, cluster, HttpMethod.Post, uri, "{\"drop\":[\"node-0\"],\"delay\":{\"node-2\":50}}");
        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        using var shown = await SendAsync(http, cluster, HttpMethod.Get, uri, null);
        Assert.Equal("{\"drop\":[\"node-0\"],\"delay\":{\"node-2\":50}}", await shown.Content.ReadAsStringAsync());

        using var healed = await SendAsync(http, cluster, HttpMethod.Delete, uri, null);
        Assert.Equal("{\"drop\":[],\"delay\":{}}", await healed.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_node_without_fault_injection_has_no_fault_endpoint()
    {
        await using var cluster = await LocalCluster.StartAsync(new LocalClusterOptions { Layout = ClusterLayout.Peers, Followers = 1, BasePort = FreePortsForTests(), MaxDelayMs = 0 }, CancellationToken.None);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };

        using var answer = await http.GetAsync(new Uri(cluster.LeaderUrl, "admin/faults"));

        Assert.Equal(HttpStatusCode.NotFound, answer.StatusCode);
    }

    [Theory]
    [InlineData("FAULT_INJECTION")]
    [InlineData("UNSAFE_TEST_STALE_READS")]
    public async Task A_test_switch_is_refused_on_a_node_that_listens_beyond_loopback(string variable)
    {
        var start = new ProcessStartInfo(DotnetHost.Resolve()) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add(LocalCluster.DefaultNodeAssemblyPath);
        start.Environment["ASPNETCORE_URLS"] = "http://0.0.0.0:0";
        start.Environment["CLUSTER_SECRET"] = "a-secret-of-at-least-16-characters";
        start.Environment[variable] = "true";

        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }

        var errors = await stderr;
        await stdout;
        Assert.Equal(2, process.ExitCode);
        // The line the node prints itself (the host's own failure log, with its stack, comes before it as for every refusal).
        Assert.Contains($"leaderkv-node: refusing to start: {variable} is set", errors, StringComparison.Ordinal);
        Assert.Contains("127.0.0.1", errors, StringComparison.Ordinal);
    }

    private static int FreePortsForTests() => FreePorts.FindConsecutive(2);

    private static async Task<HttpResponseMessage> SendAsync(HttpClient http, VerifyCluster cluster, HttpMethod method, Uri uri, string? body)
    {
        using var request = new HttpRequestMessage(method, uri);
        var bytes = body is null ? [] : Encoding.UTF8.GetBytes(body);
        if (body is not null)
        {
            request.Content = new ByteArrayContent(bytes);
            request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        }

        request.Headers.TryAddWithoutValidation(ClusterSecret.HeaderName, new ClusterSecret(cluster.ClusterSecret!).Sign(DateTimeOffset.UtcNow, method.Method, uri.PathAndQuery, bytes));
        return await http.SendAsync(request);
    }
}
