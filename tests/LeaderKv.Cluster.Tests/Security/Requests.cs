using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using LeaderKv.Node.Security;

namespace LeaderKv.Cluster.Tests.Security;

/// <summary>Hand-built requests, for the cases a well-behaved client library would never send.</summary>
internal static class Requests
{
    public static HttpRequestMessage Post(Uri node, string path, string body, string? contentType = "application/json")
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        if (contentType is not null)
        {
            content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        return new HttpRequestMessage(HttpMethod.Post, new Uri(node, path)) { Content = content };
    }

    /// <summary>A well-formed append of one entry, as the leader would send it.</summary>
    public static string Append(long index, string key, string valueJson) =>
        $$"""{"term":1,"entries":[{"index":{{index}},"term":1,"key":{{JsonSerializer.Serialize(key)}},"value":{{valueJson}}}]}""";

    public static HttpRequestMessage SignedAppend(Uri follower, string body, ClusterSecret secret, DateTimeOffset at)
    {
        var request = Post(follower, "/replicate", body);
        request.Headers.TryAddWithoutValidation(ClusterSecret.HeaderName, secret.Sign(at, "POST", "/replicate", Encoding.UTF8.GetBytes(body)));
        return request;
    }

    public static async Task<JsonElement> ProblemAsync(HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    public static string TypeName(JsonElement problem) => problem.GetProperty("type").GetString()!.Split('/')[^1];
}
