using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using LeaderKv.Node.Configuration;
using LeaderKv.Node.Security;
using Microsoft.Extensions.Logging;

namespace LeaderKv.Cluster.Tests.Security;

/// <summary>
/// Seeded random and malformed traffic at running nodes: no answer may be a 5xx, the nodes stay
/// healthy, and the valid writes mixed into the noise are stored exactly and reach the followers.
/// A failure names its seed; set LEADERKV_FUZZ_SEED to replay that run's requests.
/// </summary>
public class FuzzTests
{
    private const int RequestCount = 3000;
    private const int ValidEvery = 10;
    private const int GarbageConnections = 60;

    /// <summary>Zero-width space, right-to-left override, byte-order mark, NUL, a control, and JSON's own metacharacters.</summary>
    private const string Awkward = "\u200B\u202E\uFEFF\u0000\u001F\"\\/";

    private static readonly string[] Paths = ["/write", "/replicate", "/data", "/kv/k", "/status", "/health", "/", "/kv/", "/replicate/x", "/write/"];
    private static readonly string[] Methods = ["GET", "POST", "POST", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"];
    private static readonly string?[] ContentTypes =
        ["application/json", "application/json", "application/json; charset=utf-8", "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/problem+json", "application/json; charset=latin1", "*/*", null];

    [Fact]
    public async Task Thousands_of_malformed_requests_get_no_5xx_and_the_valid_writes_among_them_survive_and_replicate()
    {
        var seed = Seed();
        var random = new Random(seed);
        var logs = new CapturedLogs();
        await using var cluster = await TestCluster.StartAsync(new ClusterSpec
        {
            Followers = 2,
            Quorum = 1,
            Services = logs.AddTo,
            Security = new SecuritySettings { ClusterSecret = new ClusterSecret("fuzz-cluster-secret-0123456789") },
        });
        var nodes = cluster.Followers.Prepend(cluster.Leader).ToArray();
        var plan = Enumerable.Range(0, RequestCount)
            .Select(i => i % ValidEvery == 0 ? ValidWrite(random, i, cluster.Leader) : Noise(random, nodes))
            .ToList();
        var garbage = Enumerable.Range(0, GarbageConnections).Select(_ => (Node: nodes[random.Next(nodes.Length)], Bytes: RandomBytes(random, random.Next(1, 2048)))).ToList();

        var failures = new ConcurrentQueue<string>();
        await Parallel.ForEachAsync(plan, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (request, token) =>
        {
            if (await SendAsync(cluster.Http, request, token) is { } failure)
            {
                failures.Enqueue(failure);
            }
        });
        await Parallel.ForEachAsync(garbage, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (connection, token) =>
        {
            if (await SendGarbageAsync(connection.Node, connection.Bytes, token) is { } failure)
            {
                failures.Enqueue(failure);
            }
        });

        Assert.True(failures.IsEmpty, $"seed {seed}: {failures.Count} bad answers, e.g.:\n{string.Join("\n", failures.Take(10))}\n{Errors(logs)}");
        foreach (var node in nodes)
        {
            using var health = await cluster.Http.GetAsync(new Uri(node, "/health"));
            Assert.True(health.StatusCode == HttpStatusCode.OK, $"seed {seed}: {node} is unhealthy after the fuzz");
        }

        var leaderData = await cluster.DataAsync(cluster.Leader);
        foreach (var valid in plan.Where(r => r.ExpectedValue is not null))
        {
            Assert.True(leaderData.TryGetValue(valid.Key!, out var stored), $"seed {seed}: valid write of '{valid.Key}' is missing on the leader");
            Assert.True(valid.ExpectedValue == stored.GetRawText(), $"seed {seed}: '{valid.Key}' holds {stored.GetRawText()}, written {valid.ExpectedValue}");
        }

        await cluster.WaitForConvergenceAsync();
        var expected = Render(leaderData);
        foreach (var follower in cluster.Followers)
        {
            Assert.True(expected == Render(await cluster.DataAsync(follower)), $"seed {seed}: {follower} differs from the leader after the fuzz");
        }
    }

    [Fact]
    public async Task Malformed_appends_at_a_follower_get_no_5xx_and_leave_it_healthy()
    {
        // Parser robustness behind authentication: a follower without a secret, reached over
        // loopback, takes unsigned appends, so every mutation reaches the append decoder.
        var seed = Seed();
        var random = new Random(seed);
        var logs = new CapturedLogs();
        var (follower, url) = await TestCluster.StartNodeAsync(new NodeSettings { Role = NodeRole.Follower, NodeId = "follower" }, logs.AddTo, port: 0);
        await using var _ = follower;
        using var http = new HttpClient { Timeout = TestCluster.Patience };
        var plan = Enumerable.Range(0, RequestCount / 3).Select(_ => MutatedAppend(random, url)).ToList();

        var failures = new ConcurrentQueue<string>();
        await Parallel.ForEachAsync(plan, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (request, token) =>
        {
            if (await SendAsync(http, request, token) is { } failure)
            {
                failures.Enqueue(failure);
            }
        });

        Assert.True(failures.IsEmpty, $"seed {seed}: {failures.Count} bad answers, e.g.:\n{string.Join("\n", failures.Take(10))}\n{Errors(logs)}");
        using var health = await http.GetAsync(new Uri(url, "/health"));
        using var status = await http.GetAsync(new Uri(url, "/status"));
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal(HttpStatusCode.OK, status.StatusCode);
    }

    /// <summary>The nodes' own account of a failure: the first errors they logged.</summary>
    private static string Errors(CapturedLogs logs) =>
        string.Join("\n", logs.Lines.Where(line => line.Level >= LogLevel.Error).Take(3).Select(line => line.Message));

    private static int Seed() =>
        int.TryParse(Environment.GetEnvironmentVariable("LEADERKV_FUZZ_SEED"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var seed)
            ? seed
            : Random.Shared.Next();

    /// <summary>Sends one planned request; a description of what went wrong, or null when the answer was acceptable.</summary>
    private static async Task<string?> SendAsync(HttpClient http, FuzzRequest planned, CancellationToken token)
    {
        using var request = new HttpRequestMessage(new HttpMethod(planned.Method), planned.Target);
        if (planned.Body is not null)
        {
            request.Content = new ByteArrayContent(planned.Body);
            if (planned.ContentType is not null)
            {
                request.Content.Headers.TryAddWithoutValidation("Content-Type", planned.ContentType);
            }
        }

        try
        {
            using var response = await http.SendAsync(request, token);
            var status = (int)response.StatusCode;
            if (planned.ExpectedValue is not null && status != 200)
            {
                return $"valid write {planned.Key} answered {status}: {await response.Content.ReadAsStringAsync(token)}";
            }

            return status >= 500 ? $"{planned.Method} {planned.Target} ({planned.ContentType}, {planned.Body?.Length} bytes) answered {status}: {await response.Content.ReadAsStringAsync(token)}" : null;
        }
        catch (HttpRequestException) when (planned.MayBeCutOff)
        {
            // A node may close the connection on a body far over its limit once it has answered 413.
            return null;
        }
        catch (HttpRequestException exception)
        {
            return $"{planned.Method} {planned.Target} ({planned.ContentType}, {planned.Body?.Length} bytes) failed: {exception.Message} {exception.InnerException?.Message}";
        }
    }

    /// <summary>Bytes that are not HTTP at all, straight onto a socket: Kestrel must refuse them with a 4xx or a close, never a 5xx.</summary>
    private static async Task<string?> SendGarbageAsync(Uri node, byte[] bytes, CancellationToken token)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, node.Port, token);
        var stream = client.GetStream();
        try
        {
            await stream.WriteAsync(bytes, token);
            client.Client.Shutdown(SocketShutdown.Send);
            var buffer = new byte[64];
            var read = await stream.ReadAtLeastAsync(buffer, 12, throwOnEndOfStream: false, token);
            var head = Encoding.ASCII.GetString(buffer, 0, read);
            return head.StartsWith("HTTP/1.1 5", StringComparison.Ordinal) ? $"raw bytes to {node} answered {head}" : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static FuzzRequest ValidWrite(Random random, int i, Uri leader)
    {
        var key = $"valid-{i}-{RandomUnicode(random, random.Next(0, 12), allowSurrogateEscapes: false)}";
        var value = RandomJsonValue(random, depth: 0);
        var body = $"{{\"key\":{Quote(key)},\"value\":{value}}}";
        return new FuzzRequest("POST", new Uri(leader, "/write"), Encoding.UTF8.GetBytes(body), "application/json", key, value);
    }

    private static FuzzRequest Noise(Random random, Uri[] nodes)
    {
        var node = nodes[random.Next(nodes.Length)];
        var method = Methods[random.Next(Methods.Length)];
        var contentType = ContentTypes[random.Next(ContentTypes.Length)];
        switch (random.Next(10))
        {
            case 0:
                return new FuzzRequest(method, new Uri(node, RandomPath(random)), RandomBytes(random, random.Next(0, 512)), contentType);
            case 1:
                return new FuzzRequest(method, new Uri(node, Paths[random.Next(Paths.Length)]), RandomBytes(random, random.Next(0, 4096)), contentType);
            case 2:
                // Far over every limit: answered 413 from the declared length.
                return new FuzzRequest("POST", new Uri(node, random.Next(2) == 0 ? "/write" : "/replicate"), new byte[random.Next(2, 20) * 1024 * 1024], "application/json", MayBeCutOff: true);
            default:
                var path = random.Next(4) == 0 ? Paths[random.Next(Paths.Length)] : "/write";
                return new FuzzRequest(random.Next(5) == 0 ? method : "POST", new Uri(node, path), Mutate(random, Encoding.UTF8.GetBytes(MalformedWrite(random))), contentType);
        }
    }

    private static FuzzRequest MutatedAppend(Random random, Uri follower)
    {
        var entries = Enumerable.Range(0, random.Next(0, 5)).Select(_ =>
        {
            var index = random.Next(6) switch
            {
                0 => "0",
                1 => "-1",
                2 => "9223372036854775807",
                3 => "1e400",
                4 => "\"7\"",
                _ => random.Next(1, 50).ToString(CultureInfo.InvariantCulture),
            };
            var key = random.Next(4) == 0 ? random.Next(100).ToString(CultureInfo.InvariantCulture) : Quote(RandomUnicode(random, random.Next(0, 20), allowSurrogateEscapes: true));
            return $"{{\"index\":{index},\"term\":{RandomNumber(random)},\"key\":{key},\"value\":{RandomJsonValue(random, 0)}}}";
        });
        var body = $"{{\"term\":{RandomNumber(random)},\"entries\":[{string.Join(",", entries)}]}}";
        var bytes = random.Next(3) == 0 ? Mutate(random, Encoding.UTF8.GetBytes(body)) : Encoding.UTF8.GetBytes(body);
        return new FuzzRequest("POST", new Uri(follower, "/replicate"), bytes, "application/json");
    }

    private static string MalformedWrite(Random random) => random.Next(9) switch
    {
        0 => $"{{\"key\":{Quote(RandomUnicode(random, random.Next(0, 40), allowSurrogateEscapes: true))},\"value\":{RandomJsonValue(random, 0)}}}",
        1 => $"{{\"key\":\"deep\",\"value\":{new string('[', random.Next(50, 3000))}{new string(']', random.Next(0, 3000))}}}",
        2 => $"{{\"key\":\"num\",\"value\":{RandomNumber(random)}}}",
        3 => $"{{\"key\":{RandomJsonValue(random, 0)},\"value\":1}}",
        4 => $"{{\"key\":\"{new string('k', random.Next(900, 1200))}\",\"value\":1}}",
        5 => "{\"key\":\"dup\",\"key\":\"dup2\",\"value\":1,\"value\":2}",
        6 => $"{{\"key\":\"s\",\"value\":\"{new string('v', random.Next(1000, 200_000))}\"}}",
        7 => RandomJsonValue(random, 0),
        _ => $"{{\"value\":{RandomJsonValue(random, 0)}}}",
    };

    /// <summary>Truncates, flips bytes, or splices in invalid UTF-8 — or leaves the text as it is.</summary>
    private static byte[] Mutate(Random random, byte[] bytes)
    {
        var list = bytes.ToList();
        switch (random.Next(5))
        {
            case 0 when list.Count > 0:
                var cut = random.Next(list.Count);
                list.RemoveRange(cut, list.Count - cut);
                break;
            case 1 when list.Count > 0:
                for (var n = random.Next(1, 4); n > 0; n--)
                {
                    list[random.Next(list.Count)] = (byte)random.Next(256);
                }

                break;
            case 2:
                byte[][] invalid = [[0xFF], [0xC3, 0x28], [0xE2, 0x82], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xC0, 0xAF], [0x00]];
                list.InsertRange(random.Next(list.Count + 1), invalid[random.Next(invalid.Length)]);
                break;
        }

        return [.. list];
    }

    private static string RandomJsonValue(Random random, int depth) => random.Next(depth > 3 ? 5 : 7) switch
    {
        0 => "null",
        1 => random.Next(2) == 0 ? "true" : "false",
        2 => RandomNumber(random),
        3 or 4 => Quote(RandomUnicode(random, random.Next(0, 30), allowSurrogateEscapes: false)),
        5 => $"[{string.Join(",", Enumerable.Range(0, random.Next(0, 4)).Select(_ => RandomJsonValue(random, depth + 1)))}]",
        _ => $"{{{string.Join(",", Enumerable.Range(0, random.Next(0, 4)).Select(i => $"{Quote($"f{i}")}:{RandomJsonValue(random, depth + 1)}"))}}}",
    };

    private static string RandomNumber(Random random) => random.Next(6) switch
    {
        0 => random.Next().ToString(CultureInfo.InvariantCulture),
        1 => "-0.0000000000000000000001",
        2 => "1e308",
        3 => "123456789012345678901234567890123456789012345678901234567890",
        4 => "9223372036854775808",
        _ => (random.NextDouble() * 1e6).ToString("R", CultureInfo.InvariantCulture),
    };

    /// <summary>Text from many scripts, emoji, controls, zero-width and RTL marks; optionally unpaired surrogate escapes, which no .NET string can hold.</summary>
    private static string RandomUnicode(Random random, int length, bool allowSurrogateEscapes)
    {
        var builder = new StringBuilder();
        for (var i = 0; i < length; i++)
        {
            switch (random.Next(8))
            {
                case 0:
                    builder.Append(char.ConvertFromUtf32(random.Next(0x1F300, 0x1FAFF)));
                    break;
                case 1:
                    builder.Append((char)random.Next(0x0400, 0x9FFF));
                    break;
                case 2:
                    builder.Append(Awkward[random.Next(Awkward.Length)]);
                    break;
                case 3 when allowSurrogateEscapes:
                    builder.Append("\uFFFEsurrogate\uFFFE");
                    break;
                default:
                    builder.Append((char)random.Next(0x20, 0x7F));
                    break;
            }
        }

        return builder.ToString();
    }

    /// <summary>A JSON string literal; the marker for an unpaired surrogate becomes its escape, <c>\ud800</c>.</summary>
    private static string Quote(string text) =>
        System.Text.Json.JsonSerializer.Serialize(text).Replace("\\uFFFEsurrogate\\uFFFE", "\\ud800", StringComparison.Ordinal);

    private static string RandomPath(Random random) => random.Next(6) switch
    {
        0 => "/kv/" + Uri.EscapeDataString(RandomUnicode(random, random.Next(1, 50), allowSurrogateEscapes: false)),
        1 => "/kv/%FF%FE%C0%AF",
        2 => "/" + new string('a', random.Next(100, 9000)),
        3 => "/../../etc/passwd",
        4 => "/kv/" + Uri.EscapeDataString(new string('k', random.Next(1000, 3000))),
        _ => "/" + string.Concat(Enumerable.Range(0, random.Next(1, 6)).Select(_ => Uri.EscapeDataString(RandomUnicode(random, random.Next(1, 10), false)) + "/")),
    };

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    private static string Render(Dictionary<string, System.Text.Json.JsonElement> data) =>
        string.Join(",", data.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value.GetRawText()}"));

    /// <summary>
    /// One planned request. For a valid write, <c>ExpectedValue</c> is the value's JSON text, which
    /// the leader must serve back exactly; <c>MayBeCutOff</c> marks a body so far over every limit
    /// that the node may close the connection instead of reading it.
    /// </summary>
    private sealed record FuzzRequest(string Method, Uri Target, byte[]? Body, string? ContentType, string? Key = null, string? ExpectedValue = null, bool MayBeCutOff = false);
}
