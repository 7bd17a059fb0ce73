using LeaderKv.Cli.Cluster;

namespace LeaderKv.Cli.Tests.Support;

/// <summary>A five-follower cluster of real node processes, shared by the tests of one class.</summary>
public sealed class RunningCluster : IAsyncLifetime
{
    private LocalCluster? _cluster;

    public LocalCluster Cluster => _cluster ?? throw new InvalidOperationException("The cluster has not started.");

    public string LeaderUrl => Cluster.LeaderUrl.AbsoluteUri.TrimEnd('/');

    public async Task InitializeAsync()
    {
        // A few milliseconds of lag still reorders concurrent writes, as the seed's test intends.
        var options = new LocalClusterOptions
        {
            Followers = 5,
            WriteQuorum = 1,
            MinDelayMs = 0,
            MaxDelayMs = 20,
            BasePort = FreePorts.FindConsecutive(6),
        };
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        _cluster = await LocalCluster.StartAsync(options, deadline.Token);
    }

    public async Task DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }
}
