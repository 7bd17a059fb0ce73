using System.Globalization;
using LeaderKv.Core;

namespace LeaderKv.Node.Configuration;

/// <summary>The node's configuration, parsed and validated: typed values only, no strings left to interpret.</summary>
public sealed partial record NodeSettings
{
    /// <summary>Added to MAX_DELAY for the default write timeout: the seed's HTTP client gave up after 5 s.</summary>
    private static readonly TimeSpan DefaultTimeoutSlack = TimeSpan.FromSeconds(5);

    public NodeRole Role { get; init; } = NodeRole.Follower;

    public IReadOnlyList<Uri> Followers { get; init; } = [];

    public int WriteQuorum { get; init; } = 1;

    public TimeSpan DelayMin { get; init; } = TimeSpan.Zero;

    public TimeSpan DelayMax { get; init; } = TimeSpan.FromMilliseconds(1000);

    public ReplicationMode Mode { get; init; } = ReplicationMode.Ordered;

    public TimeSpan WriteTimeout { get; init; } = TimeSpan.FromMilliseconds(1000) + DefaultTimeoutSlack;

    public int? DelaySeed { get; init; }

    public string NodeId { get; init; } = Environment.MachineName;

    public Uri? LeaderUrl { get; init; }

    public int? Port { get; init; }

    public SecuritySettings Security { get; init; } = new();

    /// <summary>Parses the environment; returns the settings or every problem found, each naming its variable.</summary>
    public static ParseResult Parse(NodeOptions options)
    {
        var errors = new List<string>();
        var role = ParseRole(options.Role, errors);
        var followers = ParseFollowers(options.Followers, errors);
        var quorum = ParseInt("WRITE_QUORUM", options.WriteQuorum, 1, errors);
        var minDelay = ParseInt("MIN_DELAY", options.MinDelay, 0, errors);
        var maxDelay = ParseInt("MAX_DELAY", options.MaxDelay, 1000, errors);
        var mode = ParseMode(options.ReplicationMode, errors);
        var timeout = ParseInt("WRITE_TIMEOUT", options.WriteTimeout, -1, errors);
        int? seed = string.IsNullOrWhiteSpace(options.DelaySeed) ? null : ParseInt("DELAY_SEED", options.DelaySeed, 0, errors);
        int? port = string.IsNullOrWhiteSpace(options.Port) ? null : ParseInt("PORT", options.Port, 0, errors);
        var leaderUrl = ParseUrl("LEADER_URL", options.LeaderUrl, errors);
        var peers = ParsePeers(options.Peers, errors);
        var electionTimeout = ParseInt("ELECTION_TIMEOUT", options.ElectionTimeout, 1000, errors);
        var heartbeat = ParseInt("HEARTBEAT_INTERVAL", options.HeartbeatInterval, 100, errors);
        var unsafeInMemory = ParseBool("UNSAFE_ALLOW_IN_MEMORY_FAILOVER", options.UnsafeAllowInMemoryFailover, errors);
        var durability = ParseDurability(options, mode, errors);
        var maxDataBytes = ParseMaxDataBytes(options.MaxDataBytes, errors);
        var security = SecuritySettings.Parse(options, errors);
        var logging = ParseLogging(options, errors);
        var watch = ParseWatch(options, errors);
        var dashboard = ParseDashboard(options, errors);
        var faultInjection = ParseBool("FAULT_INJECTION", options.FaultInjection, errors);
        var staleReads = ParseBool("UNSAFE_TEST_STALE_READS", options.UnsafeTestStaleReads, errors);
        CheckLogLimits(durability, security, errors);
        CheckCluster(options, peers, quorum, mode, durability.IsDurable, unsafeInMemory, errors);

        if (heartbeat < 1)
        {
            errors.Add($"HEARTBEAT_INTERVAL must be ≥ 1 ms, got {heartbeat}.");
        }

        if (electionTimeout < 2 * heartbeat)
        {
            errors.Add($"ELECTION_TIMEOUT ({electionTimeout} ms) must be at least twice HEARTBEAT_INTERVAL ({heartbeat} ms).");
        }

        if (minDelay < 0)
        {
            errors.Add($"MIN_DELAY must be ≥ 0 ms, got {minDelay}.");
        }

        if (maxDelay < minDelay)
        {
            errors.Add($"MIN_DELAY ({minDelay} ms) must not exceed MAX_DELAY ({maxDelay} ms).");
        }

        if (role == NodeRole.Leader && peers.Count == 0 && !QuorumMath.IsValid(quorum, followers.Count))
        {
            errors.Add(followers.Count > QuorumMath.MaxFollowers
                ? $"FOLLOWERS lists {followers.Count} followers; at most {QuorumMath.MaxFollowers} are supported."
                : $"WRITE_QUORUM must be between 0 and the number of FOLLOWERS ({followers.Count}), got {quorum}.");
        }

        if (port is < 0 or > 65535)
        {
            errors.Add($"PORT must be between 0 and 65535, got {port}.");
        }

        if (errors.Count > 0)
        {
            return new ParseResult(null, errors);
        }

        var settings = new NodeSettings
        {
            Role = role,
            Followers = peers.Count > 0 ? [.. peers.Where(p => !string.Equals(p.Id, options.NodeId?.Trim(), StringComparison.Ordinal)).Select(p => p.Url)] : followers,
            Peers = peers,
            ElectionTimeout = TimeSpan.FromMilliseconds(Math.Max(electionTimeout, 2)),
            HeartbeatInterval = TimeSpan.FromMilliseconds(Math.Max(heartbeat, 1)),
            UnsafeInMemoryFailover = unsafeInMemory,
            WriteQuorum = quorum,
            DelayMin = TimeSpan.FromMilliseconds(minDelay),
            DelayMax = TimeSpan.FromMilliseconds(maxDelay),
            Mode = mode,
            WriteTimeout = timeout >= 0 ? TimeSpan.FromMilliseconds(timeout) : TimeSpan.FromMilliseconds(maxDelay) + DefaultTimeoutSlack,
            DelaySeed = seed,
            NodeId = string.IsNullOrWhiteSpace(options.NodeId) ? Environment.MachineName : options.NodeId.Trim(),
            LeaderUrl = leaderUrl,
            Port = port,
            Durability = durability,
            MaxDataBytes = maxDataBytes,
            Security = security,
            Logging = logging,
            Watch = watch,
            Dashboard = dashboard,
            FaultInjection = faultInjection,
            UnsafeTestStaleReads = staleReads,
        };
        return new ParseResult(settings, errors);
    }

    private static NodeRole ParseRole(string? text, List<string> errors)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case null or "" or "follower":
                return NodeRole.Follower;
            case "leader":
                return NodeRole.Leader;
            default:
                errors.Add($"ROLE must be 'leader' or 'follower', got '{text}'.");
                return NodeRole.Follower;
        }
    }

    private static ReplicationMode ParseMode(string? text, List<string> errors)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case null or "" or "ordered":
                return ReplicationMode.Ordered;
            case "unordered":
                return ReplicationMode.Unordered;
            default:
                errors.Add($"REPLICATION_MODE must be 'ordered' or 'unordered', got '{text}'.");
                return ReplicationMode.Ordered;
        }
    }

    private static List<Uri> ParseFollowers(string? text, List<string> errors)
    {
        var followers = new List<Uri>();
        if (string.IsNullOrWhiteSpace(text))
        {
            return followers;
        }

        // The seed splits on commas and skips empty items; so do we.
        foreach (var item in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (TryParseHttpUrl(item, out var url))
            {
                followers.Add(url);
            }
            else
            {
                errors.Add($"FOLLOWERS contains '{item}', which is not an http(s) URL like http://follower-1:80.");
            }
        }

        return followers;
    }

    private static Uri? ParseUrl(string name, string? text, List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        if (TryParseHttpUrl(text.Trim(), out var url))
        {
            return url;
        }

        errors.Add($"{name} must be an http(s) URL, got '{text}'.");
        return null;
    }

    private static bool TryParseHttpUrl(string text, out Uri url) =>
        Uri.TryCreate(text.TrimEnd('/'), UriKind.Absolute, out url!) && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps);

    private static int ParseInt(string name, string? text, int fallback, List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return fallback;
        }

        if (int.TryParse(text.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        errors.Add($"{name} must be an integer, got '{text}'.");
        return fallback;
    }
}

public sealed record ParseResult(NodeSettings? Settings, IReadOnlyList<string> Errors);
