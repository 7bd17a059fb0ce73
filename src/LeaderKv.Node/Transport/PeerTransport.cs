using System.Net.Http.Headers;
using LeaderKv.Core.Consensus;
using LeaderKv.Node.Protocol;
using LeaderKv.Storage.Snapshots;

namespace LeaderKv.Node.Transport;

/// <summary>
/// Carries requests to one peer over one pooled connection set that lives as long as the node
/// (the seed opened a new client per write) and returns the peer's response message. Failures are
/// values, not exceptions: a peer that is down is an expected outcome of replication.
/// </summary>
public sealed class PeerTransport : IDisposable
{
    /// <summary>Bound on one round trip, so a hung peer is declared unreachable instead of blocking its pipeline.</summary>
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Connecting to a peer that is down should fail fast: on a LAN a connect takes well under a second.</summary>
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(1);

    /// <summary>Bound on one snapshot transfer: minutes, since it carries the whole table.</summary>
    public static readonly TimeSpan SnapshotTimeout = TimeSpan.FromMinutes(10);

    private static readonly MediaTypeHeaderValue JsonContentType = new("application/json");
    private static readonly MediaTypeHeaderValue SnapshotContentType = new("application/octet-stream");

    private readonly HttpClient _http;
    private readonly Func<HttpMessageHandler> _snapshotHandler;
    private readonly string? _cluster;
    private HttpClient? _snapshotHttp;

    /// <param name="peerId">The peer's id, as the core names it.</param>
    /// <param name="url">Its base URL.</param>
    /// <param name="cluster">This cluster's fingerprint, sent with every message (null in the seed's layout).</param>
    /// <param name="handler">The HTTP stack (TLS, signing).</param>
    /// <param name="snapshotHandler">Builds the same stack for snapshot transfers, which get their own client and timeout.</param>
    public PeerTransport(string peerId, Uri url, string? cluster, HttpMessageHandler handler, Func<HttpMessageHandler> snapshotHandler)
    {
        PeerId = peerId;
        Url = url;
        _cluster = cluster;
        _snapshotHandler = snapshotHandler;
        _http = new HttpClient(handler) { Timeout = RequestTimeout };
    }

    public string PeerId { get; }

    public Uri Url { get; }

    public static SocketsHttpHandler CreateHandler(int maxConnections) => new()
    {
        ConnectTimeout = ConnectTimeout,
        MaxConnectionsPerServer = maxConnections,
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(2),
        UseCookies = false,
        AllowAutoRedirect = false,
    };

    /// <summary>The route of each request type, all under the signed <c>/replicate</c> group.</summary>
    public static string PathOf(Message request) => request switch
    {
        AppendRequest => "/replicate",
        PreVoteRequest => "/replicate/prevote",
        VoteRequest => "/replicate/vote",
        FetchRequest => "/replicate/fetch",
        _ => throw new ArgumentException($"{request.GetType().Name} is not a request", nameof(request)),
    };

    public async Task<PeerResult> SendAsync(Message request, CancellationToken token)
    {
        using var content = new ByteArrayContent(MessageCodec.Write(request, _cluster));
        content.Headers.ContentType = JsonContentType;
        return await ExchangeAsync(_http, new Uri(Url, PathOf(request)), content, request.From, token).ConfigureAwait(false);
    }

    /// <summary>
    /// Streams a snapshot in the format of <see cref="SnapshotWriter"/> to <c>/replicate/snapshot</c>; the
    /// sender, term and incarnation ride in the (signed) query string. Answered by an append response.
    /// </summary>
    public async Task<PeerResult> SendSnapshotAsync(SnapshotRequest request, CancellationToken token)
    {
        _snapshotHttp ??= new HttpClient(_snapshotHandler()) { Timeout = SnapshotTimeout };
        using var content = new SnapshotContent((stream, ct) => SnapshotWriter.WriteAsync(stream, request.Term, request.Snapshot, ct));
        content.Headers.ContentType = SnapshotContentType;
        var query = $"/replicate/snapshot?from={Uri.EscapeDataString(request.From)}&to={Uri.EscapeDataString(request.To)}&term={request.Term}&incarnation={request.LeaderIncarnation}"
            + (_cluster is null ? string.Empty : $"&cluster={_cluster}");
        return await ExchangeAsync(_snapshotHttp, new Uri(Url, query), content, request.From, token).ConfigureAwait(false);
    }

    private async Task<PeerResult> ExchangeAsync(HttpClient http, Uri uri, HttpContent content, string self, CancellationToken token)
    {
        try
        {
            using var response = await http.PostAsync(uri, content, token).ConfigureAwait(false);
            var payload = await response.Content.ReadAsByteArrayAsync(token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                return PeerResult.Failed(response.StatusCode switch
                {
                    System.Net.HttpStatusCode.Unauthorized => "HTTP 401: the peer refused this node's cluster signature (is CLUSTER_SECRET the same on every node?)",
                    System.Net.HttpStatusCode.Conflict => "HTTP 409: the peer belongs to another cluster (PEERS or WRITE_QUORUM differ)",
                    _ => $"HTTP {(int)response.StatusCode}",
                });
            }

            var parsed = MessageCodec.Read(payload, self);
            // Whoever answered, it answered for the peer this transport talks to: the seed's followers
            // do not know the names their leader gives them.
            return parsed.Message is { } message ? PeerResult.Succeeded(message with { From = PeerId }) : PeerResult.Failed($"unreadable response: {parsed.Error}");
        }
        catch (HttpRequestException exception)
        {
            return PeerResult.Failed(exception.HttpRequestError.ToString());
        }
        catch (TaskCanceledException) when (!token.IsCancellationRequested)
        {
            return PeerResult.Failed("timeout");
        }
    }

    public void Dispose()
    {
        _http.Dispose();
        _snapshotHttp?.Dispose();
    }
}

/// <summary>An exchange's outcome: the peer's response, or why there is none.</summary>
public readonly record struct PeerResult(Message? Response, string? Error)
{
    public bool IsSuccess => Error is null;

    public static PeerResult Succeeded(Message response) => new(response, null);

    public static PeerResult Failed(string error) => new(null, error);
}
