using System.Text.Json.Nodes;
using LeaderKv.Cli.Client;

namespace LeaderKv.Cli.Bench.Probes;

/// <summary>
/// Reads the replication watermarks out of a node's <c>GET /status</c>. A node without that endpoint (the
/// seed's Python node) yields null rather than an error: the benchmark then reports what it cannot know as unknown.
/// </summary>
public sealed class StatusReader(HttpClient http)
{
    /// <summary>The leader's <c>lastIndex</c>, or null when it has no /status.</summary>
    public async Task<LeaderView?> ReadLeaderAsync(Uri leader, CancellationToken token)
    {
        if (await GetAsync(leader, token).ConfigureAwait(false) is not { } status || Long(status, "lastIndex") is not { } last)
        {
            return null;
        }

        var followers = status["followers"] is JsonArray list
            ? list.OfType<JsonObject>()
                // appliedThrough where the node reports it: ackedIndex is now the highest index acked in the
                // current term (gaps allowed below it); nodes before terms reported their applied index as ackedIndex.
                .Select(f => (Url: Text(f, "url"), Acked: Long(f, "appliedThrough") ?? Long(f, "ackedIndex")))
                .Where(f => f.Url is not null && NodeAddress.TryParse(f.Url, out _))
                .ToDictionary(f => NodeAddress.Parse(f.Url!), f => f.Acked ?? 0)
            : [];
        return new LeaderView(last, Text(status, "mode"), Long(status, "writeQuorum") is { } q ? (int)q : null, followers);
    }

    /// <summary>
    /// Waits until the leader's /status shows <paramref name="followers"/> followers that answered it in its
    /// current term. The seed layout's leader is healthy once it has won its start-up election, which may be
    /// before every follower answered; until W of them have, it refuses writes with 503 quorum-unreachable,
    /// which would count as failed writes at the start of a pass. True when they did within the timeout;
    /// false also for a node without that information (its writes are measured as they come).
    /// </summary>
    public async Task<bool> WaitForFollowersHeardAsync(Uri leader, int followers, TimeSpan timeout, TimeProvider time, CancellationToken token)
    {
        var started = time.GetTimestamp();
        while (true)
        {
            var status = await GetAsync(leader, token).ConfigureAwait(false);
            if (status is not null && Long(status, "commitIndex") is null)
            {
                // A node from before terms: it has no such wait to offer.
                return false;
            }

            if (status?["followers"] is JsonArray list
                && list.OfType<JsonObject>().Count(f => f["lastHeardMsAgo"] is JsonValue && Text(f, "state") != "down") >= followers)
            {
                return true;
            }

            if (time.GetElapsedTime(started) >= timeout)
            {
                return false;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(20), time, token).ConfigureAwait(false);
        }
    }

    /// <summary>A follower's <c>appliedThrough</c>; null when it cannot be asked.</summary>
    public async Task<long?> ReadAppliedThroughAsync(Uri follower, CancellationToken token) =>
        await GetAsync(follower, token).ConfigureAwait(false) is { } status ? Long(status, "appliedThrough") : null;

    private async Task<JsonObject?> GetAsync(Uri node, CancellationToken token)
    {
        try
        {
            using var response = await http.GetAsync(new Uri(node, "status"), token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                return null;
            }

            return JsonNode.Parse(await response.Content.ReadAsStringAsync(token).ConfigureAwait(false)) as JsonObject;
        }
        catch (Exception ex) when (ex is HttpRequestException or System.Text.Json.JsonException
            || ex is TaskCanceledException && !token.IsCancellationRequested)
        {
            return null;
        }
    }

    private static long? Long(JsonObject o, string name) =>
        o[name] is JsonValue v && v.TryGetValue<long>(out var n) ? n : null;

    private static string? Text(JsonObject o, string name) =>
        o[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
}

/// <summary>The leader's log end, replication mode and quorum, and each follower's acked index as the leader sees it.</summary>
public sealed record LeaderView(long LastIndex, string? Mode, int? WriteQuorum, IReadOnlyDictionary<Uri, long> FollowerAcked);
