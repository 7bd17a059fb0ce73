using System.Text.Json;

namespace LeaderKv.Cli.Verify;

/// <summary>
/// Samples every node's <c>/status</c> a few times a second during the run: whether some node
/// leads (and answers), for the unavailable time, and who, for the nemesis to aim at.
/// </summary>
internal sealed class LeaderMonitor(IReadOnlyList<VerifyNode> nodes, HttpClient http, RunHistory history, TimeProvider time)
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

    private readonly List<(long AtUs, string? Leader)> _samples = [];
    private volatile string? _current;

    public string? CurrentLeader => _current;

    public IReadOnlyList<(long AtUs, string? Leader)> Samples
    {
        get
        {
            lock (_samples)
            {
                return [.. _samples];
            }
        }
    }

    /// <summary>Time during which no answering node reported itself leader, summed over the samples.</summary>
    public TimeSpan UnavailableTime
    {
        get
        {
            var samples = Samples;
            long unavailable = 0;
            for (var i = 1; i < samples.Count; i++)
            {
                if (samples[i - 1].Leader is null)
                {
                    unavailable += samples[i].AtUs - samples[i - 1].AtUs;
                }
            }

            return TimeSpan.FromMicroseconds(unavailable);
        }
    }

    public async Task RunAsync(CancellationToken token)
    {
        using var timer = new PeriodicTimer(Interval, time);
        try
        {
            do
            {
                var leader = await FindLeaderAsync(token);
                _current = leader;
                lock (_samples)
                {
                    _samples.Add((history.NowUs, leader));
                }
            }
            while (await WaitAsync(timer, token));
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // The run is over: a status request still in flight when it ended is no sample.
        }
    }

    /// <summary>The id of a node that says it leads and is not recovering, or null.</summary>
    public async Task<string?> FindLeaderAsync(CancellationToken token)
    {
        var answers = await Task.WhenAll(nodes.Select(n => StatusAsync(n, token)));
        return answers.Where(a => a is { Role: "leader", Recovering: false }).OrderByDescending(a => a!.Value.Term).Select(a => a!.Value.Id).FirstOrDefault();
    }

    public async Task<(string Id, string Role, long Term, bool Recovering, long Applied)?> StatusAsync(VerifyNode node, CancellationToken token)
    {
        if (node.IsPaused || node.IsKilled)
        {
            return null;
        }

        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(token);
            timeout.CancelAfter(TimeSpan.FromSeconds(1));
            await using var stream = await http.GetStreamAsync(new Uri(node.Url, "status"), timeout.Token);
            using var document = await JsonDocument.ParseAsync(stream, cancellationToken: timeout.Token);
            var root = document.RootElement;
            return (
                root.TryGetProperty("nodeId", out var id) ? id.GetString() ?? node.Id : node.Id,
                root.TryGetProperty("role", out var role) ? role.GetString() ?? "" : "",
                root.TryGetProperty("term", out var term) && term.TryGetInt64(out var t) ? t : 0,
                root.TryGetProperty("recovering", out var recovering) && recovering.ValueKind == JsonValueKind.True,
                root.TryGetProperty("appliedThrough", out var applied) && applied.TryGetInt64(out var a) ? a : 0);
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or JsonException && !token.IsCancellationRequested)
        {
            return null;
        }
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken token)
    {
        try
        {
            return await timer.WaitForNextTickAsync(token);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
