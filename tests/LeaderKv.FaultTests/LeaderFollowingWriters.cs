using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace LeaderKv.FaultTests;

/// <summary>What a client was told about one write it sent.</summary>
public enum ClientOutcome
{
    /// <summary>200 with <c>"outcome":"committed"</c>: the cluster promised to keep it.</summary>
    Committed,

    /// <summary>A 500, a timeout or a broken connection: the write may or may not survive.</summary>
    Unknown,
}

/// <summary>One write a client sent, with the node that answered (for a commit, the leader of <see cref="Term"/>).</summary>
public sealed record ClientWrite(string Key, int Value, ClientOutcome Outcome, string Node, long Term, long Index, string Why);

/// <summary>
/// Clients that stream writes of distinct keys to whichever node leads, as a careful application
/// does: a 400 not-leader is followed to the leader it names and a 503 is retried with backoff
/// (nothing was written either way); a 500, a timeout or a broken connection leaves the outcome
/// unknown, so the write is recorded as such, never counted as committed, and not retried (its
/// key stays the record of that one attempt). Any other answer is a test failure.
/// </summary>
public sealed class LeaderFollowingWriters : IDisposable
{
    private static readonly TimeSpan BackoffMin = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan BackoffMax = TimeSpan.FromMilliseconds(400);

    /// <summary>Well above the node's own write timeout, so a leader that is alive answers first (500 unknown).</summary>
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(15);

    private readonly List<NodeProcess> _nodes;
    private readonly HttpClient _http = new() { Timeout = RequestTimeout };
    private readonly CancellationTokenSource _stop = new();
    private readonly List<ClientWrite> _writes = [];
    private readonly List<string> _unexpected = [];
    private Task? _clients;

    public LeaderFollowingWriters(IEnumerable<NodeProcess> nodes) => _nodes = nodes.ToList();

    /// <summary>Starts <paramref name="clients"/> clients, each on its own key space <c>c{client}-{n}</c>.</summary>
    public void Start(int clients)
    {
        Assert.Null(_clients);
        _clients = Task.WhenAll(Enumerable.Range(0, clients).Select(client => Task.Run(() => RunClientAsync(client))));
    }

    /// <summary>Writes committed so far in a term above <paramref name="term"/>.</summary>
    public int CommittedAfter(long term)
    {
        lock (_writes)
        {
            return _writes.Count(w => w.Outcome == ClientOutcome.Committed && w.Term > term);
        }
    }

    /// <summary>Lets every write in flight get its answer, then stops the clients and returns every write sent.</summary>
    public async Task<IReadOnlyList<ClientWrite>> StopAsync()
    {
        await _stop.CancelAsync();
        await _clients!;
        lock (_writes)
        {
            Assert.True(_unexpected.Count == 0, $"{_unexpected.Count} unexpected answers, e.g. {_unexpected.FirstOrDefault()}");
            return _writes.ToList();
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        if (_clients is { IsCompleted: false })
        {
            // A test that failed before StopAsync: let the requests in flight end before their client goes.
            _clients.ContinueWith(_ => { }, TaskScheduler.Default).Wait(RequestTimeout);
        }

        _http.Dispose();
        _stop.Dispose();
    }

    private async Task RunClientAsync(int client)
    {
        var target = _nodes[client % _nodes.Count];
        var backoff = BackoffMin;
        for (var n = 0; !_stop.IsCancellationRequested; n++)
        {
            var key = $"c{client}-{n}";
            var value = (client * 1_000_000) + n;
            var sent = false;
            while (!sent && !_stop.IsCancellationRequested)
            {
                var (answer, leaderUrl) = await SendAsync(target, key, value);
                switch (answer)
                {
                    case { Outcome: ClientOutcome.Committed }:
                        Record(answer);
                        backoff = BackoffMin;
                        sent = true;
                        break;
                    case { Outcome: ClientOutcome.Unknown }:
                        // The node may be gone: ask the next one, which names the leader or says there is none yet.
                        Record(answer);
                        target = Next(target);
                        await PauseAsync(backoff);
                        backoff = Grow(backoff);
                        sent = true;
                        break;
                    case null when leaderUrl is not null:
                        target = _nodes.FirstOrDefault(node => node.Url == leaderUrl) ?? Next(target);
                        break;
                    default:
                        await PauseAsync(backoff);
                        backoff = Grow(backoff);
                        break;
                }
            }
        }
    }

    /// <summary>One attempt: the write's record when it was sent (committed or unknown), else null and, for a not-leader answer, the leader's URL.</summary>
    private async Task<(ClientWrite? Answer, Uri? LeaderUrl)> SendAsync(NodeProcess target, string key, int value)
    {
        ClientWrite Sent(ClientOutcome outcome, long term, long index, string why) => new(key, value, outcome, target.Name, term, index, why);

        HttpStatusCode status;
        JsonElement body;
        try
        {
            // No stop token here: a write that has been sent runs to its answer, so its outcome is known to the test.
            using var response = await _http.PostAsJsonAsync(new Uri(target.Url, "/write"), new { key, value });
            status = response.StatusCode;
            body = await response.Content.ReadFromJsonAsync<JsonElement>();
        }
        catch (HttpRequestException exception)
        {
            return (Sent(ClientOutcome.Unknown, 0, 0, exception.Message), null);
        }
        catch (IOException exception)
        {
            return (Sent(ClientOutcome.Unknown, 0, 0, exception.Message), null);
        }
        catch (TaskCanceledException)
        {
            return (Sent(ClientOutcome.Unknown, 0, 0, $"no answer within {RequestTimeout.TotalSeconds} s"), null);
        }

        var outcome = body.TryGetProperty("outcome", out var o) ? o.GetString() : null;
        var type = body.TryGetProperty("type", out var t) ? t.GetString() : null;
        switch (status)
        {
            case HttpStatusCode.OK when outcome == "committed":
                return (Sent(ClientOutcome.Committed, body.GetProperty("term").GetInt64(), body.GetProperty("index").GetInt64(), "committed"), null);
            case HttpStatusCode.InternalServerError when outcome == "unknown":
                return (Sent(ClientOutcome.Unknown, body.GetProperty("term").GetInt64(), body.GetProperty("index").GetInt64(), body.GetProperty("detail").GetString()!), null);
            case HttpStatusCode.BadRequest when type?.EndsWith("/not-leader", StringComparison.Ordinal) == true:
                var leader = body.TryGetProperty("leader", out var l) ? l.GetString() : null;
                return (null, leader is null ? null : new Uri(leader));
            case HttpStatusCode.ServiceUnavailable when outcome == "rejected":
                return (null, null);
            default:
                lock (_writes)
                {
                    _unexpected.Add($"{target.Name} answered {(int)status} to {key}: {body}");
                }

                // Not known to be unwritten: record it as unknown too, so it is checked for all-or-nothing.
                return (Sent(ClientOutcome.Unknown, 0, 0, $"unexpected {(int)status}"), null);
        }
    }

    private void Record(ClientWrite write)
    {
        lock (_writes)
        {
            _writes.Add(write);
        }
    }

    private NodeProcess Next(NodeProcess node) => _nodes[(_nodes.IndexOf(node) + 1) % _nodes.Count];

    private static TimeSpan Grow(TimeSpan backoff) => TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, BackoffMax.Ticks));

    private async Task PauseAsync(TimeSpan delay)
    {
        try
        {
            await Task.Delay(delay, _stop.Token);
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // Stopping: the loop sees the token and ends.
        }
    }
}
