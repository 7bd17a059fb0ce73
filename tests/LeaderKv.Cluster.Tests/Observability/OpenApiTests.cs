using System.Net.Http.Json;
using System.Text.Json;
using LeaderKv.Node.Configuration;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace LeaderKv.Cluster.Tests.Observability;

/// <summary>
/// <c>/openapi/v1.json</c> must describe every route a node maps: read the node's own endpoint
/// table (<see cref="EndpointDataSource"/>) and look each route and method up in the document.
/// Leaders and followers map different handlers (and followers the signed <c>/replicate</c>
/// group), so both are checked. Only the description's own two routes are left out of it.
/// </summary>
public sealed class OpenApiTests
{
    private static readonly HashSet<string> DescriptionRoutes = ["/openapi/{documentName}.json", "/docs"];

    [Theory]
    [InlineData(NodeRole.Leader)]
    [InlineData(NodeRole.Follower)]
    public async Task Every_mapped_route_is_in_the_openapi_document(NodeRole role)
    {
        var settings = new NodeSettings { Role = role, NodeId = role.ToString(), WriteQuorum = 0 };
        var (app, url) = await TestCluster.StartNodeAsync(settings, services: null, port: 0);
        await using var node = app;
        using var http = new HttpClient { Timeout = TestCluster.Patience };

        var document = await http.GetFromJsonAsync<JsonElement>(new Uri(url, "/openapi/v1.json"));

        var paths = document.GetProperty("paths");
        var routes = app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Select(e => (Route: "/" + e.RoutePattern.RawText!.Trim('/'), Methods: e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? []))
            .Where(r => !DescriptionRoutes.Contains(r.Route))
            .ToList();
        Assert.Contains(routes, r => r.Route == "/write");
        Assert.Contains(routes, r => r.Route == "/metrics");
        Assert.All(routes, route =>
        {
            Assert.True(paths.TryGetProperty(route.Route, out var item), $"{route.Route} is mapped but not in the document");
            Assert.All(route.Methods, method =>
                Assert.True(item.TryGetProperty(method.ToLowerInvariant(), out _), $"{method} {route.Route} is mapped but not in the document"));
        });
    }

    /// <summary>Goal: a client author can read the write contract off the document. Method: the leader's /write operation.</summary>
    [Fact]
    public async Task The_write_operation_has_its_request_schema_and_problem_answers()
    {
        var (app, url) = await TestCluster.StartNodeAsync(new NodeSettings { Role = NodeRole.Leader, WriteQuorum = 0 }, services: null, port: 0);
        await using var node = app;
        using var http = new HttpClient { Timeout = TestCluster.Patience };

        var document = await http.GetFromJsonAsync<JsonElement>(new Uri(url, "/openapi/v1.json"));

        var write = document.GetProperty("paths").GetProperty("/write").GetProperty("post");
        var body = write.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("schema");
        var request = body.TryGetProperty("$ref", out var reference)
            ? document.GetProperty("components").GetProperty("schemas").GetProperty(reference.GetString()!.Split('/')[^1])
            : body;
        Assert.True(request.GetProperty("properties").TryGetProperty("key", out _));
        Assert.True(request.GetProperty("properties").TryGetProperty("value", out _));
        var responses = write.GetProperty("responses");
        Assert.True(responses.GetProperty("200").GetProperty("content").TryGetProperty("application/json", out _));
        Assert.True(responses.GetProperty("500").GetProperty("content").TryGetProperty("application/problem+json", out _));
        Assert.Contains("quorum-not-met", document.GetProperty("info").GetProperty("description").GetString(), StringComparison.Ordinal);
    }

    /// <summary>Goal: the reference page works offline. Method: fetch /docs and check it loads nothing from another host.</summary>
    [Fact]
    public async Task The_reference_page_is_self_contained()
    {
        var (app, url) = await TestCluster.StartNodeAsync(new NodeSettings { Role = NodeRole.Follower }, services: null, port: 0);
        await using var node = app;
        using var http = new HttpClient { Timeout = TestCluster.Patience };

        using var response = await http.GetAsync(new Uri(url, "/docs"));
        var html = await response.Content.ReadAsStringAsync();

        response.EnsureSuccessStatusCode();
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("/openapi/v1.json", html, StringComparison.Ordinal);
        Assert.DoesNotContain("src=\"http", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("href=\"http", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("@import", html, StringComparison.OrdinalIgnoreCase);
    }
}
