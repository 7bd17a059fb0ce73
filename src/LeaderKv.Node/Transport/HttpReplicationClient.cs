using System.Buffers;
using System.Net.Http.Headers;
using LeaderKv.Core;
using LeaderKv.Node.Contracts;

namespace LeaderKv.Node.Transport;

/// <summary>
/// Sends append requests to one follower over one pooled connection set that lives as long as the
/// node (the seed opened a new client per write). Failures are values, not exceptions: a follower
/// that is down is an expected outcome of replication.
/// </summary>
public sealed class HttpReplicationClient : IDisposable
{
    /// <summary>Bound on one append round trip, so a hung follower is declared down instead of blocking its pipeline.</summary>
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Connecting to a follower that is down should fail fast: on a LAN a connect takes well under a second.</summary>
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(1);

    private static readonly MediaTypeHeaderValue JsonContentType = new("application/json");

    /// <summary>Bound on one snapshot transfer: minutes, since it carries the whole table.</summary>
    public static readonly TimeSpan SnapshotTimeout = TimeSpan.FromMinutes(10);

    private static readonly MediaTypeHeaderValue SnapshotContentType = new("application/octet-stream");

    private readonly HttpClient _http;
    private readonly Func<HttpMessageHandler> _snapshotHandler;
    private HttpClient? _snapshotHttp;
    private readonly Uri _replicateUri;

    /// <param name="follower">The follower's base URL.</param>
    /// <param name="maxConnections">Connections for appends.</param>
    /// <param name="handler">The HTTP stack for appends (TLS, signing); a plain one when null.</param>
    /// <param name="snapshotHandler">Builds the same stack for snapshot transfers, which get their own client and timeout.</param>
    public HttpReplicationClient(Uri follower, int maxConnections, HttpMessageHandler? handler = null, Func<HttpMessageHandler>? snapshotHandler = null)
    {
        _snapshotHandler = snapshotHandler ?? (() => CreateHandler(1));
        Follower = follower;
        _replicateUri = new Uri(follower, "/replicate");
        _http = new HttpClient(handler ?? CreateHandler(maxConnections)) { Timeout = RequestTimeout };
    }

    public Uri Follower { get; }

    public static SocketsHttpHandler CreateHandler(int maxConnections) => new()
    {
        ConnectTimeout = ConnectTimeout,
        MaxConnectionsPerServer = maxConnections,
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(2),
        UseCookies = false,
        AllowAutoRedirect = false,
    };

    public async Task<AppendResult> AppendAsync(long term, IReadOnlyList<LogEntry> entries, CancellationToken token)
    {
        var body = new ArrayBufferWriter<byte>(256 + entries.Count * 64);
        AppendCodec.WriteRequest(body, term, entries);
        using var content = new ReadOnlyMemoryContent(body.WrittenMemory);
        content.Headers.ContentType = JsonContentType;
        try
        {
            using var response = await _http.PostAsync(_replicateUri, content, token).ConfigureAwait(false);
            var payload = await response.Content.ReadAsByteArrayAsync(token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                return AppendResult.Failed(response.StatusCode == System.Net.HttpStatusCode.Unauthorized
                    ? "HTTP 401: the follower refused this node's cluster signature (is CLUSTER_SECRET the same on every node?)"
                    : $"HTTP {(int)response.StatusCode}");
            }

            return AppendCodec.TryReadReply(payload, out var reply)
                ? AppendResult.Succeeded(reply)
                : AppendResult.Failed("unreadable reply");
        }
        catch (HttpRequestException exception)
        {
            return AppendResult.Failed(exception.HttpRequestError.ToString());
        }
        catch (TaskCanceledException) when (!token.IsCancellationRequested)
        {
            return AppendResult.Failed("timeout");
        }
    }

    /// <summary>
    /// Streams a snapshot (the format of <c>LeaderKv.Storage.Snapshots.SnapshotWriter</c>) to the
    /// follower's <c>/replicate/snapshot</c>; the reply is the follower's watermark after installing it.
    /// Uses its own client because a snapshot may take far longer than <see cref="RequestTimeout"/>.
    /// </summary>
    public async Task<AppendResult> SendSnapshotAsync(Func<Stream, CancellationToken, Task> writeBody, CancellationToken token)
    {
        _snapshotHttp ??= new HttpClient(_snapshotHandler()) { Timeout = SnapshotTimeout };
        using var content = new SnapshotContent(writeBody);
        content.Headers.ContentType = SnapshotContentType;
        try
        {
            using var response = await _snapshotHttp.PostAsync(new Uri(Follower, "/replicate/snapshot"), content, token).ConfigureAwait(false);
            var payload = await response.Content.ReadAsByteArrayAsync(token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                return AppendResult.Failed($"HTTP {(int)response.StatusCode}");
            }

            return AppendCodec.TryReadReply(payload, out var reply) ? AppendResult.Succeeded(reply) : AppendResult.Failed("unreadable reply");
        }
        catch (HttpRequestException exception)
        {
            return AppendResult.Failed(exception.HttpRequestError.ToString());
        }
        catch (TaskCanceledException) when (!token.IsCancellationRequested)
        {
            return AppendResult.Failed("timeout");
        }
    }

    public void Dispose()
    {
        _http.Dispose();
        _snapshotHttp?.Dispose();
    }
}

/// <summary>An append's outcome: the follower's reply, or why there is none.</summary>
public readonly record struct AppendResult(AppendReply Reply, string? Error)
{
    public bool IsSuccess => Error is null;

    public static AppendResult Succeeded(AppendReply reply) => new(reply, null);

    public static AppendResult Failed(string error) => new(default, error);
}
