namespace LeaderKv.Cluster.Tests.Observability;

/// <summary>The example alert rules that docs/operations.md points to must load in Prometheus as they are.</summary>
public sealed class AlertRulesTests
{
    [Fact]
    public async Task The_example_alert_rules_pass_promtool()
    {
        await Promtool.CheckRulesAsync(Path.Combine(RepositoryRoot(), "deploy", "prometheus", "leaderkv-alerts.yml"));
    }

    /// <summary>Goal: every metric an alert uses is one a node exports. Method: scrape a leader and look up each leaderkv_ name the rules mention.</summary>
    [Fact]
    public async Task Every_metric_the_rules_use_is_exported()
    {
        var rules = await File.ReadAllTextAsync(Path.Combine(RepositoryRoot(), "deploy", "prometheus", "leaderkv-alerts.yml"));
        await using var cluster = await TestCluster.StartAsync(new ClusterSpec { Followers = 1, Quorum = 1 });
        (await cluster.WriteAsync("a", 1)).EnsureSuccessStatusCode();
        var scrape = await Scrape.FromAsync(cluster.Http, cluster.Leader);

        var used = System.Text.RegularExpressions.Regex.Matches(rules, @"\bleaderkv_[a-z_]+").Select(m => m.Value).Distinct();
        Assert.All(used, name => Assert.Contains(scrape.Series, s => s == name || s.StartsWith(name + "{", StringComparison.Ordinal)));
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "LeaderKv.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No LeaderKv.slnx above {AppContext.BaseDirectory}.");
    }
}
