using System.Net;
using System.Text;
using System.Text.Json;
using LeaderKv.Linearizability;

namespace LeaderKv.Cli.Verify;

/// <summary>
/// <see cref="IKvOperations"/> over plain HTTP, classifying each answer by what it tells about the
/// effect: 200 ok; 4xx and 503 failed (nothing written); 500 unknown; no answer unknown for a write
/// (it may have reached the leader) and failed for a read (it observed nothing).
/// </summary>
internal sealed class HttpKvOperations(HttpClient http, ReadMode reads) : IKvOperations
{
    /// <summary>How long a fenced read may wait for the node to apply the fence before 409.</summary>
    public const int FenceWaitMs = 1000;

    public async Task<OpAnswer> WriteAsync(Uri node, string key, string value, CancellationToken token)
    {
        var body = $"{{\"key\":{JsonSerializer.Serialize(key)},\"value\":{value}}}";
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        return await SendAsync(new HttpRequestMessage(HttpMethod.Post, new Uri(node, "write")) { Content = content }, isWrite: true, token);
    }

    public async Task<OpAnswer> ReadAsync(Uri node, string key, long minIndex, CancellationToken token)
    {
        var query = reads == ReadMode.Linearizable ? "?consistency=linearizable" : $"?minIndex={minIndex}&waitMs={FenceWaitMs}";
        return await SendAsync(new HttpRequestMessage(HttpMethod.Get, new Uri(node, $"kv/{Uri.EscapeDataString(key)}{query}")), isWrite: false, token);
    }

    public async Task<OpAnswer> CompareAndSetAsync(Uri node, string key, long expectedIndex, string value, CancellationToken token)
    {
        var request = new HttpRequestMessage(HttpMethod.Put, new Uri(node, $"kv/{Uri.EscapeDataString(key)}"))
        {
            Content = new StringContent(value, Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation("If-Match", $"\"{expectedIndex}\"");
        return await SendAsync(request, isWrite: true, token);
    }

    private async Task<OpAnswer> SendAsync(HttpRequestMessage request, bool isWrite, CancellationToken token)
    {
        using (request)
        {
            try
            {
                using var response = await http.SendAsync(request, token);
                var text = await response.Content.ReadAsStringAsync(token);
                return Classify(response.StatusCode, text, isWrite, request.Method == HttpMethod.Put);
            }
            catch (HttpRequestException ex) when (ex.HttpRequestError == HttpRequestError.ConnectionError)
            {
                // No connection was made (a killed node refuses it), so the request never left: nothing written.
                return new OpAnswer(Outcome.Failed, Detail: "could not connect");
            }
            catch (HttpRequestException ex)
            {
                return new OpAnswer(isWrite ? Outcome.Unknown : Outcome.Failed, Detail: $"no answer: {ex.HttpRequestError}");
            }
            catch (TaskCanceledException) when (!token.IsCancellationRequested)
            {
                return new OpAnswer(isWrite ? Outcome.Unknown : Outcome.Failed, Detail: "timeout");
            }
        }
    }

    internal static OpAnswer Classify(HttpStatusCode status, string body, bool isWrite, bool isCompareAndSet)
    {
        JsonElement? root = null;
        try
        {
            using var document = JsonDocument.Parse(body.Length == 0 ? "{}" : body);
            root = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            // A body that is not JSON carries nothing we need; the status decides.
        }

        long? index = root is { ValueKind: JsonValueKind.Object } r && r.TryGetProperty("index", out var i) && i.TryGetInt64(out var n) ? n : null;
        var code = (int)status;
        switch (code)
        {
            case 200 when isWrite:
                return new OpAnswer(Outcome.Ok, Index: index, Swapped: true);
            case 200:
                return new OpAnswer(Outcome.Ok, Value: root?.TryGetProperty("value", out var value) == true ? value.GetRawText() : null, Index: index);
            case 404 when !isWrite:
                return new OpAnswer(Outcome.Ok, Value: null, Index: 0);
            case 412 when isCompareAndSet:
                return new OpAnswer(Outcome.Ok, Index: index, Swapped: false);
            case 500:
                return new OpAnswer(isWrite ? Outcome.Unknown : Outcome.Failed, Index: index, Detail: "500 outcome unknown");
            default:
                Uri? leader = root is { ValueKind: JsonValueKind.Object } p && p.TryGetProperty("leader", out var l) && l.ValueKind == JsonValueKind.String
                    && Uri.TryCreate(l.GetString(), UriKind.Absolute, out var url) ? url : null;
                return new OpAnswer(Outcome.Failed, Leader: leader, Detail: $"{code}");
        }
    }
}
