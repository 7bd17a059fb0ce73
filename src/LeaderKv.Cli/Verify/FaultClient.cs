using System.Text;
using System.Text.Json;
using LeaderKv.Node.Security;

namespace LeaderKv.Cli.Verify;

/// <summary>Sets and heals partitions through each node's <c>/admin/faults</c>, signed with the cluster secret as the nodes expect.</summary>
internal sealed class FaultClient(HttpClient http, string? secret, TimeProvider time)
{
    private readonly ClusterSecret? _secret = secret is null ? null : new ClusterSecret(secret);

    /// <summary>Makes <paramref name="node"/> drop all traffic to and from <paramref name="drop"/>.</summary>
    public Task<bool> DropAsync(VerifyNode node, IEnumerable<string> drop, CancellationToken token) =>
        SendAsync(node, HttpMethod.Post, JsonSerializer.Serialize(new { drop = drop.ToArray() }), token);

    public Task<bool> HealAsync(VerifyNode node, CancellationToken token) => SendAsync(node, HttpMethod.Delete, null, token);

    private async Task<bool> SendAsync(VerifyNode node, HttpMethod method, string? body, CancellationToken token)
    {
        var uri = new Uri(node.Url, "admin/faults");
        using var request = new HttpRequestMessage(method, uri);
        var bytes = body is null ? [] : Encoding.UTF8.GetBytes(body);
        if (body is not null)
        {
            request.Content = new ByteArrayContent(bytes);
            request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        }

        if (_secret is not null)
        {
            request.Headers.TryAddWithoutValidation(ClusterSecret.HeaderName, _secret.Sign(time.GetUtcNow(), method.Method, uri.PathAndQuery, bytes));
        }

        try
        {
            using var response = await http.SendAsync(request, token);
            return response.IsSuccessStatusCode;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !token.IsCancellationRequested)
        {
            return false;
        }
    }
}
