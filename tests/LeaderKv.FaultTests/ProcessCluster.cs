using System.Net.Http.Json;
using System.Text.Json;
using LeaderKv.TestSupport;

namespace LeaderKv.FaultTests;

/// <summary>
/// A leader and its followers as real processes, each with its own data directory under one temp
/// directory (the layout <c>up --data-dir</c> uses), or in memory; or a failover cluster where every
/// node has the same <c>PEERS</c>. Disposing kills every process by its PID and deletes the directory.
/// </summary>
public sealed class ProcessCluster : IDisposable
{
    /// <summary>Upper bound on any single wait; generous because CI machines are shared.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly TempDirectory _directory;

    private ProcessCluster(TempDirectory directory, NodeProcess leader, List<NodeProcess> followers, bool hasPeers = false)
    {
        _directory = directory;
        Root = directory.Path;
        Leader = leader;
        Followers = followers;
        HasPeers = hasPeers;
    }

    public string Root { get; }

    /// <summary>The node started with <c>ROLE=leader</c>; with <c>PEERS</c> it leads only the first term (see <see cref="WaitForLeaderAsync"/>).</summary>
    public NodeProcess Leader { get; }

    public bool HasPeers { get; }

    public List<NodeProcess> Followers { get; }

    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>
    /// Creates the processes of the seed's layout (not started). <paramref name="leaderEnvironment"/> and
    /// <paramref name="followerEnvironment"/> add to the defaults; <paramref name="durable"/> false leaves
    /// out <c>DATA_DIR</c>, so every node keeps its state in memory only, as the seed does.
    /// </summary>
    public static ProcessCluster Create(
        int followers,
        int quorum,
        Dictionary<string, string>? leaderEnvironment = null,
        Dictionary<string, string>? followerEnvironment = null,
        bool durable = true)
    {
        var directory = new TempDirectory();
        var root = directory.Path;
        var followerNodes = new List<NodeProcess>();
        for (var i = 1; i <= followers; i++)
        {
            var environment = new Dictionary<string, string>
            {
                ["ROLE"] = "follower",
                ["Logging__LogLevel__Default"] = "Warning",
            };
            if (durable)
            {
                environment["DATA_DIR"] = Path.Combine(root, $"follower-{i}");
            }

            Merge(environment, followerEnvironment);
            followerNodes.Add(new NodeProcess($"follower-{i}", NodeProcess.FreePort(), environment));
        }

        var leaderEnv = new Dictionary<string, string>
        {
            ["ROLE"] = "leader",
            ["FOLLOWERS"] = string.Join(',', followerNodes.Select(f => f.Url.ToString().TrimEnd('/'))),
            ["WRITE_QUORUM"] = quorum.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["MIN_DELAY"] = "0",
            ["MAX_DELAY"] = "0",
            ["WRITE_TIMEOUT"] = "20000",
            ["Logging__LogLevel__Default"] = "Warning",
        };
        if (durable)
        {
            leaderEnv["DATA_DIR"] = Path.Combine(root, "leader");
        }

        Merge(leaderEnv, leaderEnvironment);
        return new ProcessCluster(directory, new NodeProcess("leader", NodeProcess.FreePort(), leaderEnv), followerNodes);
    }

    /// <summary>
    /// Creates the processes of a failover cluster (not started): <paramref name="nodes"/> nodes
    /// <c>node-0</c>… with the same <c>PEERS</c>, a <c>DATA_DIR</c> each and <c>FSYNC=always</c>;
    /// <c>node-0</c> has <c>ROLE=leader</c>, so it leads the first term. Elections are kept short
    /// (500 ms timeout, 50 ms heartbeat) so a failover fits in a test. <paramref name="environment"/>
    /// adds to the defaults on every node.
    /// </summary>
    public static ProcessCluster CreatePeers(int nodes, int quorum, Dictionary<string, string>? environment = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(nodes, 2);
        var directory = new TempDirectory();
        var root = directory.Path;
        // One block of ports, so no two nodes are handed the same one.
        var basePort = NodeProcess.FreePorts(nodes);
        var names = Enumerable.Range(0, nodes).Select(i => $"node-{i}").ToList();
        var peers = string.Join(',', names.Select((name, i) => $"{name}=http://127.0.0.1:{basePort + i}"));
        var processes = names.Select((name, i) =>
        {
            var env = new Dictionary<string, string>
            {
                ["PEERS"] = peers,
                ["ROLE"] = i == 0 ? "leader" : "follower",
                ["DATA_DIR"] = Path.Combine(root, name),
                ["FSYNC"] = "always",
                ["WRITE_QUORUM"] = quorum.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["ELECTION_TIMEOUT"] = "500",
                ["HEARTBEAT_INTERVAL"] = "50",
                ["MIN_DELAY"] = "0",
                ["MAX_DELAY"] = "0",
                ["Logging__LogLevel__Default"] = "Warning",
            };
            Merge(env, environment);
            return new NodeProcess(name, basePort + i, env);
        }).ToList();
        return new ProcessCluster(directory, processes[0], processes.Skip(1).ToList(), hasPeers: true);
    }

    public IEnumerable<NodeProcess> Nodes => Followers.Prepend(Leader);

    public string DataDirectory(NodeProcess node) => Path.Combine(Root, node.Name);

    /// <summary>Starts <paramref name="node"/> and waits until it answers /health.</summary>
    public async Task StartAsync(NodeProcess node)
    {
        node.Start();
        await WaitForHealthAsync(node);
    }

    public async Task StartAllAsync()
    {
        if (HasPeers)
        {
            // Every node of a failover cluster is healthy whatever its role, and none needs another
            // to be up first, so they start side by side (about a second each, one after another).
            foreach (var node in Nodes)
            {
                node.Start();
            }

            foreach (var node in Nodes)
            {
                await WaitForHealthAsync(node);
            }

            return;
        }

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

    /// <summary>One write to <paramref name="node"/> (the started leader by default): the status code and the answer's body.</summary>
    public async Task<(int Status, JsonElement Body)> WriteAnswerAsync(string key, int value, NodeProcess? node = null)
    {
        using var response = await Http.PostAsJsonAsync(new Uri((node ?? Leader).Url, "/write"), new { key, value });
        return ((int)response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
    }

    /// <summary>
    /// Waits until a running node other than <paramref name="except"/> says it leads and has finished
    /// its recovery, and returns it with the /status that said so.
    /// </summary>
    public async Task<(NodeProcess Node, JsonElement Status)> WaitForLeaderAsync(NodeProcess? except = null)
    {
        (NodeProcess Node, JsonElement Status)? leader = null;
        await EventuallyAsync(
            async () =>
            {
                foreach (var node in Nodes.Where(n => n.IsRunning && n != except))
                {
                    var status = await TryStatusAsync(node);
                    if (status is { } s && s.GetProperty("role").GetString() == "leader" && !s.GetProperty("recovering").GetBoolean())
                    {
                        leader = (node, s);
                        return true;
                    }
                }

                return false;
            },
            except is null ? "a leader" : $"a leader other than {except.Name}");
        return leader!.Value;
    }

    /// <summary>
    /// Once writes have stopped: waits until the running nodes agree on one leader that has committed
    /// and applied its whole log, and every other running node follows it and has applied through
    /// that commit index; then checks that all hold the same data. Leadership may move while it waits
    /// (a loaded machine can delay heartbeats past an election timeout, and check-quorum then steps
    /// the leader down by design), so it follows whichever node leads rather than a given one.
    /// </summary>
    public async Task<Convergence> AssertConvergedOnLeaderAsync()
    {
        Convergence? converged = null;
        var seen = new Dictionary<string, string>();
        await EventuallyAsync(
            async () =>
            {
                var statuses = new Dictionary<NodeProcess, JsonElement>();
                foreach (var node in Nodes.Where(n => n.IsRunning))
                {
                    var status = await TryStatusAsync(node);
                    seen[node.Name] = status?.ToString() ?? "no answer";
                    if (status is null)
                    {
                        return false;
                    }

                    statuses[node] = status.Value;
                }

                var leaders = statuses.Where(s => s.Value.GetProperty("role").GetString() == "leader").Select(s => s.Key).ToList();
                if (leaders.Count != 1)
                {
                    return false;
                }

                var leader = statuses[leaders[0]];
                var commitIndex = leader.GetProperty("commitIndex").GetInt64();
                var settled = commitIndex == leader.GetProperty("lastIndex").GetInt64()
                    && commitIndex == leader.GetProperty("appliedThrough").GetInt64()
                    && statuses.Where(s => s.Key != leaders[0]).All(s =>
                        s.Value.GetProperty("role").GetString() == "follower"
                        && s.Value.TryGetProperty("leaderId", out var leaderId) // left out while a node knows no leader
                        && leaderId.GetString() == leaders[0].Name
                        && s.Value.GetProperty("appliedThrough").GetInt64() == commitIndex);
                converged = settled ? new Convergence(leaders[0], commitIndex, statuses) : null;
                return settled;
            },
            "one leader with its whole log committed and every running node following it at its commit index",
            () => string.Join("\n", seen.Select(s => $"{s.Key}: {s.Value}")) + "\n" + string.Join("\n", Nodes.Select(n => $"{n.Name}'s output:\n{n.Output}")));

        // Every node has applied the same committed prefix, so the data must be equal whoever leads now.
        var expected = await DataAsync(converged!.Leader);
        foreach (var node in converged.Statuses.Keys.Where(n => n != converged.Leader))
        {
            Assert.Equal(expected, await DataAsync(node));
        }

        return converged;
    }

    public async Task<JsonElement> StatusAsync(NodeProcess node) =>
        await Http.GetFromJsonAsync<JsonElement>(new Uri(node.Url, "/status"));

    /// <summary>The node's /status, or null while it does not answer (starting, or just killed).</summary>
    public async Task<JsonElement?> TryStatusAsync(NodeProcess node)
    {
        try
        {
            return await StatusAsync(node);
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

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
    /// <remarks><paramref name="explain"/>, when given, adds what was last seen to the failure message.</remarks>
    public static Task EventuallyAsync(Func<Task<bool>> condition, string what, Func<string>? explain = null) =>
        Eventually.WaitUntilAsync(condition, Patience, what, explain, TimeSpan.FromMilliseconds(20));

    public void Dispose()
    {
        foreach (var node in Nodes)
        {
            node.Dispose();
        }

        Http.Dispose();
        _directory.Dispose();
    }

    private async Task WaitForHealthAsync(NodeProcess node)
    {
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

    private static void Merge(Dictionary<string, string> target, Dictionary<string, string>? extra)
    {
        foreach (var (key, value) in extra ?? [])
        {
            target[key] = value;
        }
    }
}

/// <summary>What <see cref="ProcessCluster.AssertConvergedOnLeaderAsync"/> saw when every node agreed: the leader, its commit index and each node's /status.</summary>
public sealed record Convergence(NodeProcess Leader, long CommitIndex, IReadOnlyDictionary<NodeProcess, JsonElement> Statuses);
