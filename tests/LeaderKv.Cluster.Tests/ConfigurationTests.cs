using LeaderKv.Core;
using LeaderKv.Node.Configuration;

namespace LeaderKv.Cluster.Tests;

/// <summary>The seed's environment variables, the seed's defaults, and one clear message per mistake.</summary>
public class ConfigurationTests
{
    [Fact]
    public void Defaults_are_the_seeds()
    {
        var settings = NodeSettings.Parse(new NodeOptions()).Settings!;

        Assert.Equal(NodeRole.Follower, settings.Role);
        Assert.Empty(settings.Followers);
        Assert.Equal(1, settings.WriteQuorum);
        Assert.Equal(TimeSpan.Zero, settings.DelayMin);
        Assert.Equal(TimeSpan.FromMilliseconds(1000), settings.DelayMax);
        Assert.Equal(ReplicationMode.Ordered, settings.Mode);
    }

    [Fact]
    public void The_seeds_compose_configuration_parses()
    {
        var settings = NodeSettings.Parse(new NodeOptions
        {
            Role = "leader",
            Followers = "http://follower-1:80,http://follower-2:80,http://follower-3:80,http://follower-4:80,http://follower-5:80",
            WriteQuorum = "3",
            MinDelay = "0",
            MaxDelay = "1000",
        }).Settings!;

        Assert.Equal(NodeRole.Leader, settings.Role);
        Assert.Equal(5, settings.Followers.Count);
        Assert.Equal(new Uri("http://follower-3:80"), settings.Followers[2]);
        Assert.Equal(3, settings.WriteQuorum);
    }

    [Theory]
    [InlineData("leader", "http://a:1,http://b:1", "3", "0", "10", null, "WRITE_QUORUM")]
    [InlineData("leader", "http://a:1", "-1", "0", "10", null, "WRITE_QUORUM")]
    [InlineData("leader", "http://a:1", "one", "0", "10", null, "WRITE_QUORUM")]
    [InlineData("follower", null, "1", "20", "10", null, "MIN_DELAY")]
    [InlineData("leader", "http://a:1,not a url", "1", "0", "10", null, "FOLLOWERS")]
    [InlineData("primary", null, "1", "0", "10", null, "ROLE")]
    [InlineData("follower", null, "1", "0", "10", "sideways", "REPLICATION_MODE")]
    public void Invalid_configuration_is_reported_naming_the_variable(string role, string? followers, string quorum, string min, string max, string? mode, string variable)
    {
        var result = NodeSettings.Parse(new NodeOptions { Role = role, Followers = followers, WriteQuorum = quorum, MinDelay = min, MaxDelay = max, ReplicationMode = mode });

        Assert.Null(result.Settings);
        Assert.Contains(result.Errors, error => error.StartsWith(variable, StringComparison.Ordinal) || error.Contains($"({variable}", StringComparison.Ordinal));
    }
}
