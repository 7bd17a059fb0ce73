using System.Text.Json;

namespace LeaderKv.Cluster.Tests.Kv.Reads;

/// <summary>One Server-Sent Event as a watcher receives it.</summary>
public sealed record SseEvent(long? Id, string Type, JsonElement Data);

/// <summary>Reads a <c>text/event-stream</c> response event by event (comments skipped).</summary>
public sealed class SseStream(HttpResponseMessage response, Stream body) : IAsyncDisposable
{
    private readonly StreamReader _reader = new(body);

    public HttpResponseMessage Response { get; } = response;

    public static async Task<SseStream> OpenAsync(HttpClient http, Uri url, long? lastEventId = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (lastEventId is { } id)
        {
            request.Headers.Add("Last-Event-ID", id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        return new SseStream(response, await response.Content.ReadAsStreamAsync());
    }

    /// <summary>The next event; null when the stream ended.</summary>
    public async Task<SseEvent?> NextAsync(CancellationToken token)
    {
        long? id = null;
        var type = "message";
        string? data = null;
        while (await _reader.ReadLineAsync(token) is { } line)
        {
            if (line.Length == 0)
            {
                if (data is not null)
                {
                    return new SseEvent(id, type, JsonDocument.Parse(data).RootElement.Clone());
                }

                continue;
            }

            if (line.StartsWith(':'))
            {
                continue;
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            var field = colon < 0 ? line : line[..colon];
            var value = colon < 0 ? string.Empty : line[(colon + 1)..].TrimStart(' ');
            switch (field)
            {
                case "id":
                    id = long.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
                    break;
                case "event":
                    type = value;
                    break;
                case "data":
                    data = data is null ? value : data + "\n" + value;
                    break;
            }
        }

        return null;
    }

    public async ValueTask DisposeAsync()
    {
        _reader.Dispose();
        Response.Dispose();
        await Task.CompletedTask;
    }
}
