using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using LeaderKv.Node.Observability.OpenApi;
using LeaderKv.Node.Security;
using LeaderKv.Node.Watch;
using Microsoft.AspNetCore.Http.Features;

namespace LeaderKv.Node.Endpoints;

/// <summary>
/// <c>GET /watch?prefix=&amp;since=</c>: committed changes as Server-Sent Events, on any node, in index
/// order (<c>id:</c> is the index, so a client that reconnects, to this node or another, with
/// <c>Last-Event-ID</c> resumes after the last change it saw, missing and repeating none).
/// </summary>
internal static class WatchEndpoints
{
    /// <summary>A comment line this often keeps proxies and idle timeouts from closing a quiet stream.</summary>
    private static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(15);

    /// <summary>Changes written per flush at most, so one watcher far behind does not hold the hub's lock for long.</summary>
    private const int BatchSize = 256;

    public static void MapWatchEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/watch", Watch).RequireApiKey(ApiAccess.Read)
            .WithName("Watch")
            .WithTags("Client")
            .WithSummary("Committed changes to keys with a prefix, as Server-Sent Events")
            .WithDescription("A text/event-stream of every change this node applies to keys starting with prefix, in index order: 'id: <index>', 'event: put' (or 'delete'), 'data: {\"type\",\"key\",\"value\",\"index\"}'. since=N (or the Last-Event-ID header, which wins) starts after index N; without either, with the next change. Works on any node and goes on across leader changes. History older than the node keeps (WATCH_HISTORY) answers 410 watch-compacted with oldestIndex: list again and watch from the listing's index; if it is lost while streaming, an 'event: compacted' ends the stream. A watcher more than WATCH_BUFFER changes behind is disconnected; more than WATCH_MAX_WATCHERS get 503.")
            .Produces<WatchEventSchema>(contentType: "text/event-stream")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status410Gone)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
    }

    private static IResult Watch(HttpRequest request, WatchHub hub, Configuration.NodeSettings settings, TimeProvider time, string? prefix, long? since)
    {
        prefix ??= string.Empty;
        if (Encoding.UTF8.GetByteCount(prefix) > settings.Security.MaxKeyBytes)
        {
            return Problems.Invalid("prefix", $"'prefix' is longer than the longest key this node accepts ({settings.Security.MaxKeyBytes} bytes, MAX_KEY_BYTES).");
        }

        var lastEventId = request.Headers["Last-Event-ID"].ToString();
        if (lastEventId.Length > 0)
        {
            if (!long.TryParse(lastEventId, NumberStyles.None, CultureInfo.InvariantCulture, out var resumed))
            {
                return Problems.Invalid("Last-Event-ID", $"Last-Event-ID must be the index of the last change seen, got '{lastEventId}'.");
            }

            since = resumed;
        }

        if (since < 0)
        {
            return Problems.Invalid("since", "since must be ≥ 0.");
        }

        var open = hub.Open(prefix, since);
        return open.Status switch
        {
            WatchOpenStatus.Compacted => Problems.WatchCompacted(since ?? 0, open.Horizon),
            WatchOpenStatus.TooManyWatchers => Problems.TooManyWatchers(settings.Watch.MaxWatchers),
            _ => new WatchStream(hub, open.Watcher!, time),
        };
    }

    /// <summary>The open stream: takes batches from the hub and writes them until the client leaves or the hub drops it.</summary>
    private sealed class WatchStream(WatchHub hub, Watcher watcher, TimeProvider time) : IResult
    {
        public async Task ExecuteAsync(HttpContext context)
        {
            try
            {
                context.Response.ContentType = "text/event-stream";
                context.Response.Headers.CacheControl = "no-cache";
                context.Response.Headers["X-Accel-Buffering"] = "no";
                context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
                using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, watcher.Disconnected);
                var token = stop.Token;
                await WriteAsync(context, $": watching '{watcher.Prefix}' after index {watcher.Cursor}\nretry: 1000\n\n", token);
                var quietSince = time.GetTimestamp();
                while (!token.IsCancellationRequested)
                {
                    var batch = hub.Take(watcher, BatchSize);
                    if (batch.Compacted)
                    {
                        await WriteAsync(context, CompactedEvent(watcher.Cursor, batch.Horizon), token);
                        return;
                    }

                    if (batch.Changes.Count > 0)
                    {
                        await WriteChangesAsync(context, batch.Changes, token);
                        quietSince = time.GetTimestamp();
                        continue;
                    }

                    if (!await watcher.WaitAsync(KeepAlive, token) && time.GetElapsedTime(quietSince) >= KeepAlive)
                    {
                        await WriteAsync(context, ": keep-alive\n\n", token);
                        quietSince = time.GetTimestamp();
                    }
                }
            }
            catch (OperationCanceledException) when (watcher.Disconnected.IsCancellationRequested)
            {
                // Too slow: its writes could not keep up. Drop the connection; the client reconnects with Last-Event-ID.
                context.Abort();
            }
            catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
            {
                // The client left.
            }
            finally
            {
                hub.Close(watcher);
            }
        }

        private static async Task WriteChangesAsync(HttpContext context, IReadOnlyList<WatchChange> changes, CancellationToken token)
        {
            var buffer = new ArrayBufferWriter<byte>();
            foreach (var change in changes)
            {
                var type = change.Kind == WatchChangeKind.Put ? "put" : "delete";
                Encoding.UTF8.GetBytes($"id: {change.Index.ToString(CultureInfo.InvariantCulture)}\nevent: {type}\ndata: ", buffer);
                using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true }))
                {
                    json.WriteStartObject();
                    json.WriteString("type", type);
                    json.WriteString("key", change.Key);
                    if (change.Kind == WatchChangeKind.Put)
                    {
                        json.WritePropertyName("value");
                        WriteOneLine(json, change.Value);
                    }

                    json.WriteNumber("index", change.Index);
                    json.WriteEndObject();
                }

                Encoding.UTF8.GetBytes("\n\n", buffer);
            }

            await context.Response.Body.WriteAsync(buffer.WrittenMemory, token);
            await context.Response.Body.FlushAsync(token);
        }

        /// <summary>
        /// Values are stored as they were written; a line break (only ever whitespace in JSON: strings
        /// escape theirs) would end the SSE data line, so such a value is written again compactly.
        /// </summary>
        private static void WriteOneLine(Utf8JsonWriter json, ReadOnlyMemory<byte> value)
        {
            if (value.Span.IndexOfAny((byte)'\n', (byte)'\r') < 0)
            {
                json.WriteRawValue(value.Span, skipInputValidation: true);
                return;
            }

            using var document = JsonDocument.Parse(value);
            document.RootElement.WriteTo(json);
        }

        private static string CompactedEvent(long cursor, long horizon) =>
            $"event: compacted\ndata: {{\"type\":\"https://leaderkv.dev/problems/watch-compacted\",\"detail\":\"Changes after index {cursor} are no longer kept here; list again and watch from the listing's index.\",\"since\":{cursor},\"oldestIndex\":{horizon + 1}}}\n\n";

        private static async Task WriteAsync(HttpContext context, string text, CancellationToken token)
        {
            await context.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(text), token);
            await context.Response.Body.FlushAsync(token);
        }
    }
}
