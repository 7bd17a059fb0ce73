using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LeaderKv.Node.Configuration;
using LeaderKv.Node.Security;

namespace LeaderKv.Cluster.Tests.Security;

/// <summary>
/// Followers serve HTTPS with a certificate configured the standard Kestrel way, the leader
/// reaches them by https:// URLs and trusts them through CLUSTER_CA_FILE, and a leader that does
/// not trust a follower's certificate does not talk to it.
/// </summary>
public class TlsTests
{
    [Fact]
    public async Task Followers_serving_https_receive_replication_from_a_leader_that_trusts_the_cluster_ca()
    {
        using var certificates = new TestCertificates();
        var security = new SecuritySettings
        {
            ClusterSecret = new ClusterSecret("correct-horse-battery-staple"),
            ClusterCa = NodeSettings.Parse(new NodeOptions { ClusterCaFile = certificates.CaPemPath }).Settings!.Security.ClusterCa,
        };
        await using var cluster = await TestCluster.StartAsync(new ClusterSpec { Followers = 2, Quorum = 2, Security = security, FollowerTls = certificates.ServerTls });
        using var https = TrustingClient(certificates);

        for (var i = 0; i < 5; i++)
        {
            using var response = await cluster.WriteAsync($"k{i}", i);
            response.EnsureSuccessStatusCode();
        }

        foreach (var follower in cluster.Followers)
        {
            Assert.Equal(Uri.UriSchemeHttps, follower.Scheme);
            await TestCluster.EventuallyAsync(
                async () => (await https.GetFromJsonAsync<Dictionary<string, JsonElement>>(new Uri(follower, "/data")))!.Count == 5,
                $"{follower} to hold all five keys");
        }
    }

    [Fact]
    public async Task A_leader_that_does_not_trust_the_followers_certificate_does_not_replicate_to_it()
    {
        using var certificates = new TestCertificates();
        await using var cluster = await TestCluster.StartAsync(new ClusterSpec { Followers = 1, Quorum = 1, FollowerTls = certificates.ServerTls, WaitForLeader = false });
        using var https = TrustingClient(certificates);

        using var response = await cluster.WriteAsync("k", 1);

        // It cannot reach its follower, so it cannot even recover to lead: the write is refused, not left unknown.
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Empty((await https.GetFromJsonAsync<Dictionary<string, JsonElement>>(new Uri(cluster.Followers[0], "/data")))!);
    }

    [Fact]
    public async Task A_certificate_the_cluster_ca_issued_for_another_host_is_refused()
    {
        using var certificates = new TestCertificates(serverName: "follower-9.cluster.internal");
        var security = new SecuritySettings { ClusterCa = certificates.LoadCa() };
        await using var cluster = await TestCluster.StartAsync(new ClusterSpec { Followers = 1, Quorum = 1, Security = security, FollowerTls = certificates.ServerTls, WaitForLeader = false });

        using var response = await cluster.WriteAsync("k", 1);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
    }

    private static HttpClient TrustingClient(TestCertificates certificates)
    {
        var ca = certificates.LoadCa();
        var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, certificate, chain, errors) => ClusterTransport.IsTrusted(certificate, chain, errors, ca),
        };
        return new HttpClient(handler) { Timeout = TestCluster.Patience };
    }
}
