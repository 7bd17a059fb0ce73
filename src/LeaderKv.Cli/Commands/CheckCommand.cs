using System.CommandLine;
using LeaderKv.Cli.Client;
using LeaderKv.Cli.Consistency;
using LeaderKv.Client;

namespace LeaderKv.Cli.Commands;

/// <summary>
/// <c>leaderkv check</c>: the seed's tests.py consistency check. Compares each follower's full
/// <c>/data</c> with the leader's and prints one line per follower in tests.py's wording. The leader is
/// found from the nodes given; with <c>--leader</c> and <c>--followers</c> both given it is taken as said,
/// which keeps the check usable against the seed's own nodes (they have no <c>/status</c>).
/// The per-node <c>/data</c> reads stay on <see cref="NodeClient"/>: they compare copies, not ask the leader.
/// </summary>
internal static class CheckCommand
{
    public static Command Create(Func<NodeClient> nodeClients, Func<IReadOnlyList<Uri>, LeaderKvClient> clients, TimeProvider time)
    {
        var leader = CommonOptions.Leader();
        var nodes = CommonOptions.Nodes();
        var followers = new Option<Uri[]>("--followers")
        {
            Description = "Follower base URLs, comma-separated; by default the ones the leader's /status lists.",
            HelpName = "URLS",
            CustomParser = result => result.Tokens
                .SelectMany(t => t.Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                .Select(text => CommonOptions.ParseUrl(text, result))
                .ToArray(),
        };
        var wait = new Option<double>("--wait")
        {
            Description = "Keep checking for up to this many seconds until every follower matches (replication lags by up to MAX_DELAY).",
            HelpName = "SECONDS",
        };
        wait.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<double>() is < 0 or double.NaN)
            {
                result.AddError("--wait must be zero or more seconds.");
            }
        });

        var command = new Command("check", "Compare every follower's data with the leader's; exit 1 on any mismatch.")
        {
            leader, nodes, followers, wait,
        };
        command.SetAction(async (parse, token) =>
        {
            var client = nodeClients();
            var givenFollowers = parse.GetValue(followers) is { Length: > 0 } listed ? listed : null;
            Uri leaderUrl;
            IReadOnlyList<Uri> followerUrls;
            if (givenFollowers is not null && parse.GetValue(leader) is { } named)
            {
                (leaderUrl, followerUrls) = (named, givenFollowers);
            }
            else
            {
                using var cluster = clients(CommonOptions.Given(parse, leader, nodes));
                leaderUrl = await cluster.FindLeaderAsync(token);
                followerUrls = givenFollowers ?? await FollowersOfAsync(cluster, leaderUrl, token);
            }

            var output = parse.InvocationConfiguration.Output;
            if (followerUrls.Count == 0)
            {
                await output.WriteLineAsync("The leader has no followers: nothing to compare.");
                return ExitCodes.Success;
            }

            var checker = new ConsistencyChecker(client, time);
            var report = await checker.CheckUntilConsistentAsync(
                leaderUrl, followerUrls, TimeSpan.FromSeconds(parse.GetValue(wait)), token);

            await output.WriteLineAsync($"Leader key count: {report.LeaderKeyCount}");
            foreach (var follower in report.Followers)
            {
                await output.WriteLineAsync(follower.Describe());
            }

            await output.WriteLineAsync(report.AllConsistent
                ? $"All {report.Followers.Count} followers match the leader."
                : $"{report.Mismatches} of {report.Followers.Count} followers differ from the leader.");
            return report.AllConsistent ? ExitCodes.Success : ExitCodes.Failure;
        });
        return command;
    }

    /// <summary>The follower URLs the leader's <c>/status</c> lists, in its order (the seed numbers followers by it).</summary>
    private static async Task<IReadOnlyList<Uri>> FollowersOfAsync(LeaderKvClient cluster, Uri leader, CancellationToken token)
    {
        var status = await cluster.StatusAsync(leader, token);
        if (status.Followers is not { } followers)
        {
            throw new NodeRequestException(leader, $"{NodeAddress.Format(leader)} leads but lists no followers in /status; pass them with --followers");
        }

        return followers
            .Select(f => f.Url)
            .Where(url => NodeAddress.TryParse(url ?? "", out _))
            .Select(url => NodeAddress.Parse(url!))
            .ToList();
    }
}
