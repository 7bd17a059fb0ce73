using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace LeaderKv.Client;

/// <summary>
/// A client for a LeaderKV cluster, given one or more of its nodes. It finds the leader (from
/// <c>/status</c> and from a follower's not-leader answer), follows it when leadership changes, and waits
/// out elections (503 with <c>Retry-After</c>) with bounded, doubling backoff. Writes are typed by outcome:
/// a <see cref="WriteResult"/> is committed; <see cref="LeaderKvRejectedException"/> means nothing was
/// written (retry safe); <see cref="LeaderKvOutcomeUnknownException"/> means read before retrying.
/// Thread-safe; one instance per cluster is meant to be shared.
/// </summary>
public sealed partial class LeaderKvClient : IDisposable
{
    /// <summary>The client name asked of an <see cref="IHttpClientFactory"/> when none is given.</summary>
    public const string DefaultHttpClientName = "LeaderKv";

    /// <summary>For the HttpClient this class creates itself: a write waits for its quorum, up to WRITE_TIMEOUT (MAX_DELAY + 5 s by default).</summary>
    private static readonly TimeSpan OwnedClientTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Nodes <see cref="ClusterStatusAsync"/> asks at most: far above any cluster QuorumMath allows.</summary>
    private const int MaxClusterNodes = 64;

    private static readonly MediaTypeHeaderValue JsonContentType = new("application/json");

    private readonly Func<HttpClient> _http;
    private readonly HttpClient? _owned;
    private readonly LeaderKvClientOptions _options;
    private readonly List<Uri> _nodes;
    private readonly object _knownLock = new();
    private readonly List<Uri> _known;
    private Uri? _leader;

    /// <summary>A client that uses <paramref name="http"/> (not disposed by this class).</summary>
    public LeaderKvClient(IEnumerable<Uri> nodes, HttpClient http, LeaderKvClientOptions? options = null)
        : this(nodes, options, () => http, owned: null)
    {
        ArgumentNullException.ThrowIfNull(http);
    }

    /// <summary>A client that asks <paramref name="factory"/> for a client per call, as IHttpClientFactory intends.</summary>
    public LeaderKvClient(IEnumerable<Uri> nodes, IHttpClientFactory factory, LeaderKvClientOptions? options = null, string httpClientName = DefaultHttpClientName)
        : this(nodes, options, () => factory.CreateClient(httpClientName), owned: null)
    {
        ArgumentNullException.ThrowIfNull(factory);
    }

    /// <summary>A client with an HttpClient of its own, disposed with it.</summary>
    public LeaderKvClient(IEnumerable<Uri> nodes, LeaderKvClientOptions? options = null)
        : this(nodes, options, null, new HttpClient { Timeout = OwnedClientTimeout })
    {
    }

    public LeaderKvClient(params Uri[] nodes)
        : this(nodes, options: null)
    {
    }

    private LeaderKvClient(IEnumerable<Uri> nodes, LeaderKvClientOptions? options, Func<HttpClient>? http, HttpClient? owned)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        _options = options ?? new LeaderKvClientOptions();
        _options.Validate();
        _nodes = nodes.Select(NodeUrl.Normalize).Distinct().ToList();
        if (_nodes.Count == 0)
        {
            owned?.Dispose();
            throw new ArgumentException("Give at least one node URL.", nameof(nodes));
        }

        _known = [.. _nodes];
        _owned = owned;
        _http = http ?? (() => owned!);
    }

    /// <summary>The nodes this client was given, normalised (trailing slash).</summary>
    public IReadOnlyList<Uri> Nodes => _nodes;

    /// <summary>The leader as last seen; null before the first call and after it stopped answering as leader.</summary>
    public Uri? Leader => Volatile.Read(ref _leader);

    /// <summary>Finds the leader: the cached one if it still says so, else the node that does, following the nodes' hints.</summary>
    public async Task<Uri> FindLeaderAsync(CancellationToken token = default)
    {
        var search = new LeaderSearch(Candidates(), _options);
        return await SearchAsync(search, "find the leader", AskForLeaderAsync, token).ConfigureAwait(false);
    }

    /// <summary>One key from the leader (or <see cref="ReadOptions.Node"/>); null when the key does not exist.</summary>
    public async Task<KeyValueEntry?> GetAsync(string key, ReadOptions? read = null, CancellationToken token = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        var answer = await ReadAsync("kv/" + Uri.EscapeDataString(key), read, token).ConfigureAwait(false);
        if (answer.Status == HttpStatusCode.NotFound)
        {
            return null;
        }

        return Deserialize(answer, ClientJsonContext.Default.KeyValueEntry, $"GET /kv/{key}");
    }

    /// <summary>Read-your-writes from the leader: waits until it has applied <paramref name="minIndex"/>.</summary>
    public Task<KeyValueEntry?> GetAsync(string key, long minIndex, CancellationToken token = default) =>
        GetAsync(key, new ReadOptions(MinIndex: minIndex), token);

    /// <summary>The whole store of the leader (or <see cref="ReadOptions.Node"/>): key to value.</summary>
    public async Task<IReadOnlyDictionary<string, JsonElement>> GetDataAsync(ReadOptions? read = null, CancellationToken token = default)
    {
        var answer = await ReadAsync("data", read, token).ConfigureAwait(false);
        return Deserialize(answer, ClientJsonContext.Default.DictionaryStringJsonElement, "GET /data");
    }

    /// <summary>One node's <c>/status</c>; the leader's when <paramref name="node"/> is null.</summary>
    public async Task<NodeStatus> StatusAsync(Uri? node = null, CancellationToken token = default)
    {
        var target = node is null ? await LeaderAsync(token).ConfigureAwait(false) : NodeUrl.Normalize(node);
        var answer = await SendOnceAsync(HttpMethod.Get, target, "status", null, token).ConfigureAwait(false);
        return Deserialize(answer, ClientJsonContext.Default.NodeStatus, "GET /status");
    }

    /// <summary>
    /// The status of every node this client knows: the nodes it was given, the leader, and every node
    /// a status names (the leader's followers, a follower's leader). A node that cannot be read is
    /// reported with its error, never thrown. Nodes come in the order they were learned.
    /// </summary>
    public async Task<IReadOnlyList<NodeStatusReport>> ClusterStatusAsync(CancellationToken token = default)
    {
        var reports = new List<NodeStatusReport>();
        var seen = new HashSet<Uri>();
        var wave = Candidates().Where(seen.Add).ToList();
        while (wave.Count > 0 && reports.Count < MaxClusterNodes)
        {
            var answers = await Task.WhenAll(wave.Select(node => StatusReportAsync(node, token))).ConfigureAwait(false);
            reports.AddRange(answers);
            var named = answers
                .Where(r => r.Status is not null)
                .SelectMany(r => NamedNodes(r.Status!))
                .ToList();
            Learn(named);
            wave = named.Where(seen.Add).Take(MaxClusterNodes - reports.Count).ToList();
        }

        // The same node reached under two names (say localhost and 127.0.0.1) is shown once, as first learned.
        var ids = new HashSet<string>(StringComparer.Ordinal);
        return reports.Where(r => r.Status?.NodeId is not { } id || ids.Add(id)).ToList();
    }

    /// <summary>
    /// Forces <paramref name="node"/> to become leader (<c>POST /admin/promote?acceptDataLoss=true</c>): for
    /// manual failover (WRITE_QUORUM=0, or too few nodes left to elect). Writes committed only on nodes
    /// that are down may be lost, hence the flag, which must be true.
    /// </summary>
    public async Task<PromoteResult> PromoteAsync(Uri node, bool acceptDataLoss, CancellationToken token = default)
    {
        var target = NodeUrl.Normalize(node);
        if (!acceptDataLoss)
        {
            throw new ArgumentException(
                "Promoting a node can lose committed writes that only unreachable nodes hold; pass acceptDataLoss: true to do it anyway.",
                nameof(acceptDataLoss));
        }

        var answer = await SendOnceAsync(HttpMethod.Post, target, "admin/promote?acceptDataLoss=true", null, token).ConfigureAwait(false);
        if (!answer.IsSuccess)
        {
            throw Refusal(answer, "promote");
        }

        Volatile.Write(ref _leader, target);
        return new PromoteResult(target, answer.Long("term") ?? 0);
    }

    public void Dispose() => _owned?.Dispose();

    private async Task<Step<Uri>> AskForLeaderAsync(Uri node, CancellationToken token)
    {
        NodeAnswer answer;
        try
        {
            answer = await SendAsync(HttpMethod.Get, node, "status", null, token).ConfigureAwait(false);
        }
        catch (NodeUnreachableException ex)
        {
            Forget(node);
            return new Step<Uri>.Skip(ex.Message);
        }

        if (answer.Status == HttpStatusCode.ServiceUnavailable)
        {
            return new Step<Uri>.Wait(answer.RetryAfter, answer.Detail);
        }

        if (answer.Status is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            throw Refusal(answer, "GET /status");
        }

        if (!answer.IsSuccess || answer.Body is null)
        {
            return new Step<Uri>.Skip($"GET /status answered {(int)answer.Status}");
        }

        var status = Deserialize(answer, ClientJsonContext.Default.NodeStatus, "GET /status");
        if (status.IsLeader)
        {
            Volatile.Write(ref _leader, node);
            Learn(NamedNodes(status));
            return new Step<Uri>.Done(node);
        }

        var role = status.Role.ToString().ToLowerInvariant();
        if (answer.LeaderHint is { } hint && hint != node)
        {
            return new Step<Uri>.Redirect(hint, $"a {role}; the leader is {NodeUrl.Format(hint)}");
        }

        // A candidate, or a follower of a cluster that elects its leaders, will know one soon; a follower
        // of the seed's fixed layout without a leader never will.
        return status.Role == NodeRole.Candidate || status.HasAutomaticFailover
            ? new Step<Uri>.Wait(null, $"a {role} in term {status.Term}, no leader yet")
            : new Step<Uri>.Skip($"a {role} that knows no leader");
    }

    private async Task<T> SearchAsync<T>(LeaderSearch search, string what, Func<Uri, CancellationToken, Task<Step<T>>> ask, CancellationToken token)
    {
        while (true)
        {
            if (search.Next() is not { } node)
            {
                if (search.EndRound() is not { } wait)
                {
                    break;
                }

                await Task.Delay(wait, _options.Time, token).ConfigureAwait(false);
                continue;
            }

            var step = await ask(node, token).ConfigureAwait(false);
            if (step is Step<T>.Done done)
            {
                return done.Value;
            }

            search.Record(node, step);
            if (!search.CanRetry)
            {
                break;
            }
        }

        throw new LeaderKvUnavailableException(
            $"Could not {what}: no leader answered after {search.Attempts} request{(search.Attempts == 1 ? "" : "s")} ({search.Summary()}).");
    }

    /// <summary>A read from <see cref="ReadOptions.Node"/>, or from the leader (found again once if it stopped answering).</summary>
    private async Task<NodeAnswer> ReadAsync(string path, ReadOptions? read, CancellationToken token)
    {
        var query = new List<string>();
        if (read?.MinIndex is { } minIndex)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(minIndex, nameof(read));
            query.Add("minIndex=" + minIndex.ToString(CultureInfo.InvariantCulture));
        }

        if (read?.Wait is { } wait)
        {
            query.Add("waitMs=" + ((long)wait.TotalMilliseconds).ToString(CultureInfo.InvariantCulture));
        }

        AddConsistency(query, read);
        var target = query.Count == 0 ? path : (path.Contains('?', StringComparison.Ordinal) ? path + "&" : path + "?") + string.Join('&', query);
        NodeAnswer answer;
        if (read?.Node is { } node)
        {
            answer = await SendOnceAsync(HttpMethod.Get, NodeUrl.Normalize(node), target, null, token).ConfigureAwait(false);
        }
        else
        {
            var leader = await LeaderAsync(token).ConfigureAwait(false);
            try
            {
                answer = await SendAsync(HttpMethod.Get, leader, target, null, token).ConfigureAwait(false);
                if (answer.IsNotLeader)
                {
                    // The leader moved (a linearizable read says so): follow it once.
                    Forget(leader);
                    answer = await SendOnceAsync(HttpMethod.Get, answer.LeaderHint ?? await LeaderAsync(token).ConfigureAwait(false), target, null, token)
                        .ConfigureAwait(false);
                }
            }
            catch (NodeUnreachableException)
            {
                Forget(leader);
                answer = await SendOnceAsync(HttpMethod.Get, await LeaderAsync(token).ConfigureAwait(false), target, null, token)
                    .ConfigureAwait(false);
            }
        }

        return answer.IsSuccess || answer.Status == HttpStatusCode.NotFound ? answer : throw Refusal(answer, "GET /" + path);
    }

    private async Task<Uri> LeaderAsync(CancellationToken token) => Leader ?? await FindLeaderAsync(token).ConfigureAwait(false);

    private async Task<NodeStatusReport> StatusReportAsync(Uri node, CancellationToken token)
    {
        try
        {
            var answer = await SendAsync(HttpMethod.Get, node, "status", null, token).ConfigureAwait(false);
            return answer.IsSuccess && answer.Body is not null
                ? new NodeStatusReport(node, Deserialize(answer, ClientJsonContext.Default.NodeStatus, "GET /status"), null)
                : new NodeStatusReport(node, null, $"GET /status answered {(int)answer.Status}: {answer.Detail}");
        }
        catch (NodeUnreachableException ex)
        {
            return new NodeStatusReport(node, null, ex.Message);
        }
        catch (LeaderKvException ex)
        {
            return new NodeStatusReport(node, null, ex.Message);
        }
    }

    /// <summary>One request, unreachable reported as <see cref="LeaderKvUnavailableException"/>.</summary>
    private async Task<NodeAnswer> SendOnceAsync(HttpMethod method, Uri node, string path, byte[]? body, CancellationToken token)
    {
        try
        {
            return await SendAsync(method, node, path, body, token).ConfigureAwait(false);
        }
        catch (NodeUnreachableException ex)
        {
            throw new LeaderKvUnavailableException(ex.Message, node, inner: ex.InnerException);
        }
    }

    private async Task<NodeAnswer> SendAsync(
        HttpMethod method, Uri node, string path, byte[]? body, CancellationToken token, IReadOnlyList<KeyValuePair<string, string>>? headers = null)
    {
        using var request = new HttpRequestMessage(method, new Uri(node, path));
        if (body is not null)
        {
            request.Content = new ByteArrayContent(body) { Headers = { ContentType = JsonContentType } };
        }

        foreach (var (name, value) in headers ?? [])
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        if (_options.ApiKey is { } apiKey)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        }

        try
        {
            using var response = await _http().SendAsync(request, token).ConfigureAwait(false);
            var bytes = await response.Content.ReadAsByteArrayAsync(token).ConfigureAwait(false);
            return new NodeAnswer(node, response.StatusCode, ParseOrNull(bytes), RetryAfter(response))
            {
                Replayed = response.Headers.TryGetValues(IdempotentReplayedHeader, out var replayed) && replayed.Contains("true", StringComparer.OrdinalIgnoreCase),
            };
        }
        catch (HttpRequestException ex)
        {
            // Only a failure to connect proves the node never saw the request.
            var notSent = ex.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError
                or HttpRequestError.SecureConnectionError;
            throw new NodeUnreachableException(node, !notSent, $"cannot reach {NodeUrl.Format(node)}: {ex.Message}", ex);
        }
        catch (OperationCanceledException ex) when (!token.IsCancellationRequested)
        {
            throw new NodeUnreachableException(node, maybeDelivered: true, $"no answer from {NodeUrl.Format(node)} before the request timed out", ex);
        }
    }

    private TimeSpan? RetryAfter(HttpResponseMessage response) => response.Headers.RetryAfter switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date - _options.Time.GetUtcNow() is var left && left > TimeSpan.Zero ? left : TimeSpan.Zero,
        _ => null,
    };

    private static JsonElement? ParseOrNull(byte[] bytes)
    {
        if (bytes.Length == 0)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(bytes);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static T Deserialize<T>(NodeAnswer answer, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type, string what)
    {
        try
        {
            if (answer.Body is { } body && body.Deserialize(type) is { } value)
            {
                return value;
            }
        }
        catch (JsonException)
        {
            // Reported below, with the node and the request.
        }

        throw new LeaderKvException(
            $"{NodeUrl.Format(answer.Node)} answered {what} with {(int)answer.Status} and a body that is not what a LeaderKV node sends.",
            answer.Node, answer.Status);
    }

    private static LeaderKvException Refusal(NodeAnswer answer, string what) =>
        (int)answer.Status is >= 400 and < 500
            ? new LeaderKvRejectedException($"{NodeUrl.Format(answer.Node)} refused {what} with {(int)answer.Status}: {answer.Detail}", answer.Node, answer.Status, answer.ProblemType)
            : new LeaderKvException($"{NodeUrl.Format(answer.Node)} answered {what} with {(int)answer.Status}: {answer.Detail}", answer.Node, answer.Status, answer.ProblemType);

    /// <summary>The nodes a status names: its leader, and on a leader every follower.</summary>
    private static IEnumerable<Uri> NamedNodes(NodeStatus status)
    {
        if (NodeUrl.TryParse(status.Leader) is { } leader)
        {
            yield return leader;
        }

        foreach (var follower in status.Followers ?? [])
        {
            if (NodeUrl.TryParse(follower.Url) is { } url)
            {
                yield return url;
            }
        }
    }

    /// <summary>The cached leader first, then the nodes given, then the nodes learned from statuses.</summary>
    private List<Uri> Candidates()
    {
        lock (_knownLock)
        {
            return Leader is { } leader ? [leader, .. _known] : [.. _known];
        }
    }

    private void Learn(IEnumerable<Uri> nodes)
    {
        lock (_knownLock)
        {
            foreach (var node in nodes)
            {
                if (!_known.Contains(node) && _known.Count < MaxClusterNodes)
                {
                    _known.Add(node);
                }
            }
        }
    }

    private void Forget(Uri node) => Interlocked.CompareExchange(ref _leader, null, node);
}
