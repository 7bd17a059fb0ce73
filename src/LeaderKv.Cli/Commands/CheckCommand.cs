using System.CommandLine;
using LeaderKv.Cli.Client;
using LeaderKv.Cli.Consistency;

namespace LeaderKv.Cli.Commands;

/// <summary>
/// <c>leaderkv check</c>: the seed's tests.py consistency check. Compares each follower's full
/// <c>/data</c> with the leader's and prints one line per follower in tests.py's wording.
/// </summary>
internal static class CheckCommand
{
    public static Command Create(Func<NodeClient> clients, TimeProvider time)
    {
        var leader = CommonOptions.Leader();
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
            leader, followers, wait,
        };
        command.SetAction(async (parse, token) =>
        {
            var client = clients();
            var leaderUrl = parse.GetRequiredValue(leader);
            var followerUrls = parse.GetValue(followers) is { Length: > 0 } given
                ? given
                : await client.GetFollowersAsync(leaderUrl, token);
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
}
