using System.Net.Http.Json;
using System.Text.Json;

namespace LeaderKv.FaultTests;

/// <summary>
/// A leader and its followers as real processes, each with its own data directory under one temp
/// directory (the layout <c>up --data-dir</c> uses). Disposing kills every process by its PID and
/// deletes the directory.
/// </summary>
public sealed class ProcessCluster : IDisposable
{
    /// <summary>Upper bound on any single wait; generous because CI machines are shared.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private ProcessCluster(string root, NodeProcess leader, List<NodeProcess> followers)
    {
        Root = root;
        Leader = leader;
        Followers = followers;
    }

    public string Root { get; }

    public NodeProcess Leader { get; }

    public List<NodeProcess> Followers { get; }

    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>Creates the processes (not started). <paramref name="leaderEnvironment"/> and <paramref name="followerEnvironment"/> add to the defaults.</summary>
    public static ProcessCluster Create(
        int followers,
        int quorum,
        Dictionary<string, string>? leaderEnvironment = null,
        Dictionary<string, string>? followerEnvironment = null)
    {
        var root = Path.Combine(Path.GetTempPath(), "leaderkv-fault-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        var followerNodes = new List<NodeProcess>();
        for (var i = 1; i <= followers; i++)
        {
            var environment = new Dictionary<string, string>
            {
                ["ROLE"] = "follower",
                ["DATA_DIR"] = Path.Combine(root, $"follower-{i}"),
                ["Logging__LogLevel__Default"] = "Warning",
            };
            Merge(environment, followerEnvironment);
            followerNodes.Add(new NodeProcess($"follower-{i}", NodeProcess.FreePort(), environment));
        }

        var leaderEnv = new Dictionary<string, string>
        {
            ["ROLE"] = "leader",
            ["DATA_DIR"] = Path.Combine(root, "leader"),
            ["FOLLOWERS"] = string.Join(',', followerNodes.Select(f => f.Url.ToString().TrimEnd('/'))),
            ["WRITE_QUORUM"] = quorum.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["MIN_DELAY"] = "0",
            ["MAX_DELAY"] = "0",
            ["WRITE_TIMEOUT"] = "20000",
            ["Logging__LogLevel__Default"] = "Warning",
        };
        Merge(leaderEnv, leaderEnvironment);
        return new ProcessCluster(root, new NodeProcess("leader", NodeProcess.FreePort(), leaderEnv), followerNodes);
    }

    public IEnumerable<NodeProcess> Nodes => Followers.Prepend(Leader);

    public string DataDirectory(NodeProcess node) => Path.Combine(Root, node.Name);

    /// <summary>Starts <paramref name="node"/> and waits until it answers /health.</summary>
    public async Task StartAsync(NodeProcess node)
    {
        node.Start();
        await EventuallyAsync(
            async () =>
            {
                Assert.True(node.IsRunning, $"{node.Name} exited during start-up:\n{node.Output}");
                try
                {
                    using var response = await Http.GetAsync(new Uri(node.Url, "/health"));
                    return response.IsSuccessStatusCode;
                }
                catch (HttpRequestException)
                {
                    return false;
                }
            },
            $"{node.Name} to answer /health");
    }

    public async Task StartAllAsync()
    {
        foreach (var follower in Followers)
        {
            await StartAsync(follower);
        }

        await StartAsync(Leader);
    }

    /// <summary>One write; true only when the leader acknowledged it (200).</summary>
    public async Task<bool> WriteAsync(string key, int value)
    {
        try
        {
            using var response = await Http.PostAsJsonAsync(new Uri(Leader.Url, "/write"), new { key, value });
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    /// <summary>Writes keys <c>w{from}</c>…, <paramref name="parallel"/> at a time; returns the keys that were acknowledged.</summary>
    public async Task<List<int>> WriteRangeAsync(int from, int count, int parallel = 4)
    {
        var acknowledged = new List<int>();
        var next = from;
        var workers = Enumerable.Range(0, parallel).Select(async _ =>
        {
            while (true)
            {
                var i = Interlocked.Increment(ref next) - 1;
                if (i >= from + count)
                {
                    return;
                }

                if (await WriteAsync($"w{i}", i))
                {
                    lock (acknowledged)
                    {
                        acknowledged.Add(i);
                    }
                }
            }
        });
        await Task.WhenAll(workers);
        return acknowledged;
    }

    public async Task<JsonElement> StatusAsync(NodeProcess node) =>
        await Http.GetFromJsonAsync<JsonElement>(new Uri(node.Url, "/status"));

    public async Task<Dictionary<string, string>> DataAsync(NodeProcess node)
    {
        var data = await Http.GetFromJsonAsync<Dictionary<string, JsonElement>>(new Uri(node.Url, "/data"));
        return data!.ToDictionary(pair => pair.Key, pair => pair.Value.GetRawText());
    }

    /// <summary>Waits until every running follower has applied the leader's last index, then checks that all hold the same data.</summary>
    public async Task AssertConvergedAsync()
    {
        var lastIndex = (await StatusAsync(Leader)).GetProperty("lastIndex").GetInt64();
        foreach (var follower in Followers)
        {
            await EventuallyAsync(
                async () => (await StatusAsync(follower)).GetProperty("appliedThrough").GetInt64() >= lastIndex,
                $"{follower.Name} to apply through index {lastIndex}");
        }

        var expected = await DataAsync(Leader);
        foreach (var follower in Followers)
        {
            Assert.Equal(expected, await DataAsync(follower));
        }
    }

    /// <summary>Every acknowledged write <c>w{i}</c> holds its value on <paramref name="node"/>.</summary>
    public async Task AssertHoldsAsync(NodeProcess node, IEnumerable<int> acknowledged)
    {
        var data = await DataAsync(node);
        var missing = acknowledged.Where(i => !data.TryGetValue($"w{i}", out var value) || value != i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.True(missing.Count == 0, $"{node.Name} lost {missing.Count} acknowledged writes, e.g. w{missing.FirstOrDefault()}");
    }

    /// <summary>Polls <paramref name="condition"/> until it holds; fails after <see cref="Patience"/>.</summary>
    public static async Task EventuallyAsync(Func<Task<bool>> condition, string what)
    {
        using var deadline = new CancellationTokenSource(Patience);
        while (!await condition())
        {
            if (deadline.IsCancellationRequested)
            {
                Assert.Fail($"Timed out after {Patience.TotalSeconds} s waiting for {what}");
            }

            await Task.Delay(20);
        }
    }

    public void Dispose()
    {
        foreach (var node in Nodes)
        {
            node.Dispose();
        }

        Http.Dispose();
        if (Directory.Exists(Root))
        {
            Directory.Delete(Root, recursive: true);
        }
    }

    private static void Merge(Dictionary<string, string> target, Dictionary<string, string>? extra)
    {
        foreach (var (key, value) in extra ?? [])
        {
            target[key] = value;
        }
    }
}
