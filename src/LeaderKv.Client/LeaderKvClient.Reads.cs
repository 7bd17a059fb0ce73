using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace LeaderKv.Client;

/// <summary>The read side: listing keys, consistency levels, and watching changes across leader changes.</summary>
public sealed partial class LeaderKvClient
{
    /// <summary>One page of keys starting with <paramref name="prefix"/> after <paramref name="after"/> (from the leader, or <see cref="ReadOptions.Node"/>).</summary>
    public async Task<KeyListing> ListAsync(string prefix, string? after = null, int? limit = null, ReadOptions? read = null, CancellationToken token = default)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        var query = "kv?prefix=" + Uri.EscapeDataString(prefix);
        if (after is not null)
        {
            query += "&after=" + Uri.EscapeDataString(after);
        }

        if (limit is { } pageSize)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1, nameof(limit));
            query += "&limit=" + pageSize.ToString(CultureInfo.InvariantCulture);
        }

        var answer = await ReadAsync(query, read, token).ConfigureAwait(false);
        return ParseListing(answer);
    }

    /// <summary>Every key starting with <paramref name="prefix"/>, page after page, in key order.</summary>
    public async IAsyncEnumerable<KeyValueEntry> ListAllAsync(string prefix, ReadOptions? read = null, [EnumeratorCancellation] CancellationToken token = default)
    {
        string? after = null;
        do
        {
            var page = await ListAsync(prefix, after, null, read, token).ConfigureAwait(false);
            foreach (var item in page.Items)
            {
                yield return item;
            }

            after = page.Next;
        }
        while (after is not null);
    }

    /// <summary>
    /// Committed changes to keys starting with <paramref name="prefix"/> after index <paramref name="since"/>
    /// (null: from now), in index order, for as long as the caller reads. Any node serves a watch; when
    /// the connection breaks (a node stops, a leader change) it reconnects to the next node it knows with
    /// the last index it saw (<c>Last-Event-ID</c>), so no change is missed or repeated.
    /// </summary>
    /// <exception cref="LeaderKvRejectedException">410 watch-compacted: the history is gone; list again and watch from the listing's index.</exception>
    public async IAsyncEnumerable<WatchEvent> WatchAsync(string prefix, long? since = null, [EnumeratorCancellation] CancellationToken token = default)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        var last = since;
        var failures = 0;
        var next = 0;
        while (true)
        {
            var nodes = Candidates();
            var node = nodes[next++ % nodes.Count];
            var stream = await OpenWatchAsync(node, prefix, last, token).ConfigureAwait(false);
            if (stream is null)
            {
                failures++;
                await Task.Delay(Backoff(failures - 1), _options.Time, token).ConfigureAwait(false);
                continue;
            }

            using (stream.Value.Response)
            using (var reader = new StreamReader(stream.Value.Body))
            {
                while (true)
                {
                    WatchEvent? change;
                    try
                    {
                        change = await ReadEventAsync(reader, node, token).ConfigureAwait(false);
                    }
                    catch (Exception error) when (error is IOException or HttpRequestException)
                    {
                        break;
                    }

                    if (change is null)
                    {
                        break;
                    }

                    failures = 0;
                    last = change.Index;
                    yield return change;
                }
            }

            failures++;
            await Task.Delay(Backoff(failures - 1), _options.Time, token).ConfigureAwait(false);
        }
    }

    private static void AddConsistency(List<string> query, ReadOptions? read)
    {
        if (read?.Consistency is { } level)
        {
            query.Add("consistency=" + (level == ReadConsistency.Linearizable ? "linearizable" : "local"));
        }
    }

    /// <summary>Opens the stream; null when the node cannot serve it now (unreachable, 503), so the next one is tried.</summary>
    private async Task<(HttpResponseMessage Response, Stream Body)?> OpenWatchAsync(Uri node, string prefix, long? after, CancellationToken token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(node, "watch?prefix=" + Uri.EscapeDataString(prefix)));
        if (after is { } index)
        {
            request.Headers.Add("Last-Event-ID", index.ToString(CultureInfo.InvariantCulture));
        }

        if (_options.ApiKey is { } apiKey)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        }

        HttpResponseMessage response;
        try
        {
            response = await _http().SendAsync(request, HttpCompletionOption.ResponseHeadersRead, token).ConfigureAwait(false);
        }
        catch (HttpRequestException)
        {
            return null;
        }
        catch (OperationCanceledException) when (!token.IsCancellationRequested)
        {
            return null;
        }

        if (response.IsSuccessStatusCode)
        {
            return (response, await response.Content.ReadAsStreamAsync(token).ConfigureAwait(false));
        }

        using (response)
        {
            if ((int)response.StatusCode >= 500)
            {
                return null;
            }

            var bytes = await response.Content.ReadAsByteArrayAsync(token).ConfigureAwait(false);
            var answer = new NodeAnswer(node, response.StatusCode, ParseOrNull(bytes), null);
            throw Refusal(answer, "GET /watch");
        }
    }

    /// <summary>The next change on the stream; null when it ended. An <c>event: compacted</c> is thrown as a 410.</summary>
    private static async Task<WatchEvent?> ReadEventAsync(StreamReader reader, Uri node, CancellationToken token)
    {
        string? type = null;
        string? data = null;
        while (await reader.ReadLineAsync(token).ConfigureAwait(false) is { } line)
        {
            if (line.Length == 0)
            {
                if (data is null)
                {
                    continue;
                }

                using var document = JsonDocument.Parse(data);
                var body = document.RootElement;
                if (type == "compacted")
                {
                    throw new LeaderKvRejectedException(
                        $"{NodeUrl.Format(node)} no longer keeps the changes this watch needs; list again and watch from the listing's index.",
                        node, HttpStatusCode.Gone, body.TryGetProperty("type", out var problem) ? problem.GetString() : null);
                }

                var kind = type == "delete" ? WatchEventKind.Delete : WatchEventKind.Put;
                JsonElement? value = body.TryGetProperty("value", out var v) ? v.Clone() : null;
                return new WatchEvent(kind, body.GetProperty("key").GetString()!, value, body.GetProperty("index").GetInt64(), node);
            }

            if (line.StartsWith("event:", StringComparison.Ordinal))
            {
                type = line["event:".Length..].Trim();
            }
            else if (line.StartsWith("data:", StringComparison.Ordinal))
            {
                data = line["data:".Length..].TrimStart();
            }
        }

        return null;
    }

    private static KeyListing ParseListing(NodeAnswer answer)
    {
        if (answer.Body is not { ValueKind: JsonValueKind.Object } body || !body.TryGetProperty("items", out var items) || items.ValueKind != JsonValueKind.Array)
        {
            throw new LeaderKvException($"{NodeUrl.Format(answer.Node)} answered GET /kv with a body that is not a listing.", answer.Node, answer.Status);
        }

        var entries = new List<KeyValueEntry>(items.GetArrayLength());
        foreach (var item in items.EnumerateArray())
        {
            entries.Add(new KeyValueEntry(item.GetProperty("key").GetString()!, item.GetProperty("value").Clone(), item.GetProperty("index").GetInt64()));
        }

        var next = body.TryGetProperty("next", out var cursor) && cursor.ValueKind == JsonValueKind.String ? cursor.GetString() : null;
        return new KeyListing(entries, answer.Long("index") ?? 0, next);
    }
}
