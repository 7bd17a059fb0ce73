using System.Net;
using System.Net.Http.Headers;
using System.Text;
using LeaderKv.Node.Configuration;

namespace LeaderKv.Cluster.Tests.Security;

/// <summary>Every bad request gets a problem+json with the status that names its mistake, and changes nothing.</summary>
public class InputValidationTests : IAsyncLifetime
{
    private TestCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await TestCluster.StartAsync(new ClusterSpec { Followers = 1, Quorum = 1 });

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Theory]
    [InlineData("{\"key\": ", "malformed-json", null)]
    [InlineData("not json at all", "malformed-json", null)]
    [InlineData("[1, 2]", "validation", "body")]
    [InlineData("{\"value\": 1}", "validation", "key")]
    [InlineData("{\"key\": 5, \"value\": 1}", "validation", "key")]
    [InlineData("{\"key\": null, \"value\": 1}", "validation", "key")]
    [InlineData("{\"key\": \"\", \"value\": 1}", "validation", "key")]
    [InlineData("{\"key\": \"k\"}", "validation", "value")]
    [InlineData("{\"key\": \"\\ud800\", \"value\": 1}", "validation", "key")]
    public async Task A_malformed_write_is_400_naming_the_field(string body, string type, string? field)
    {
        using var response = await _cluster.Http.SendAsync(Requests.Post(_cluster.Leader, "/write", body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await Requests.ProblemAsync(response);
        Assert.Equal(type, Requests.TypeName(problem));
        if (field is not null)
        {
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"the problem should name '{field}': {problem}");
        }

        Assert.Empty(await _cluster.DataAsync(_cluster.Leader));
    }

    [Fact]
    public async Task A_value_that_is_not_valid_utf8_is_400_so_data_stays_readable_for_every_client()
    {
        var body = new List<byte>(Encoding.UTF8.GetBytes("{\"key\": \"k\", \"value\": \"abc"));
        body.AddRange([0xF4, 0x90, 0x80, 0x80]);
        body.AddRange(Encoding.UTF8.GetBytes("\"}"));
        var content = new ByteArrayContent([.. body]);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");

        using var response = await _cluster.Http.PostAsync(new Uri(_cluster.Leader, "/write"), content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await Requests.ProblemAsync(response)).GetProperty("errors").TryGetProperty("value", out _));
        Assert.Empty(await _cluster.DataAsync(_cluster.Leader));
    }

    [Fact]
    public async Task Json_nested_deeper_than_the_limit_is_400_not_a_stack_overflow()
    {
        var body = "{\"key\": \"k\", \"value\": " + new string('[', 10_000) + new string(']', 10_000) + "}";

        using var response = await _cluster.Http.SendAsync(Requests.Post(_cluster.Leader, "/write", body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("malformed-json", Requests.TypeName(await Requests.ProblemAsync(response)));
    }

    [Fact]
    public async Task A_key_longer_than_MAX_KEY_BYTES_in_utf8_is_400_and_one_at_the_limit_is_accepted()
    {
        // 342 euro signs are 342 characters but 1026 UTF-8 bytes: the limit counts bytes.
        using var atLimit = await _cluster.WriteAsync(new string('k', SecuritySettings.DefaultMaxKeyBytes), 1);
        using var overLimit = await _cluster.WriteAsync(new string('€', 342), 1);

        Assert.Equal(HttpStatusCode.OK, atLimit.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, overLimit.StatusCode);
        var problem = await Requests.ProblemAsync(overLimit);
        Assert.Contains("MAX_KEY_BYTES", problem.GetProperty("errors").GetProperty("key")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_value_larger_than_MAX_VALUE_BYTES_is_413_and_not_stored()
    {
        using var response = await _cluster.WriteAsync("big", new string('x', SecuritySettings.DefaultMaxValueBytes));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("value-too-large", Requests.TypeName(await Requests.ProblemAsync(response)));
        Assert.Empty(await _cluster.DataAsync(_cluster.Leader));
    }

    [Fact]
    public async Task A_body_declared_larger_than_the_write_limit_is_413_before_it_is_read()
    {
        var body = "{\"key\": \"k\", \"value\": \"" + new string('x', 2 * SecuritySettings.DefaultMaxValueBytes) + "\"}";

        using var response = await _cluster.Http.SendAsync(Requests.Post(_cluster.Leader, "/write", body));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("body-too-large", Requests.TypeName(await Requests.ProblemAsync(response)));
    }

    [Fact]
    public async Task A_chunked_body_that_outgrows_the_write_limit_is_413_problem_not_a_server_error()
    {
        // No Content-Length: Kestrel notices the excess while the handler reads, mid-body.
        await using var cluster = await TestCluster.StartAsync(new ClusterSpec
        {
            Followers = 0,
            Quorum = 0,
            Security = new SecuritySettings { MaxKeyBytes = 64, MaxValueBytes = 1024 },
        });
        var body = Encoding.UTF8.GetBytes("{\"key\": \"k\", \"value\": \"" + new string('x', 80 * 1024) + "\"}");
        var content = new StreamContent(new UnknownLengthStream(body));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");

        using var response = await cluster.Http.PostAsync(new Uri(cluster.Leader, "/write"), content);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("body-too-large", Requests.TypeName(await Requests.ProblemAsync(response)));
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData(null)]
    public async Task A_write_whose_body_is_not_declared_json_is_415(string? contentType)
    {
        using var response = await _cluster.Http.SendAsync(Requests.Post(_cluster.Leader, "/write", "{\"key\": \"k\", \"value\": 1}", contentType));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("unsupported-media-type", Requests.TypeName(await Requests.ProblemAsync(response)));
        Assert.Empty(await _cluster.DataAsync(_cluster.Leader));
    }

    [Fact]
    public async Task A_json_write_with_a_charset_is_accepted_as_the_seeds_clients_send_it()
    {
        using var response = await _cluster.Http.SendAsync(Requests.Post(_cluster.Leader, "/write", "{\"key\": \"k\", \"value\": 1}", "application/json; charset=utf-8"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task A_replicate_whose_body_is_not_declared_json_is_415()
    {
        using var response = await _cluster.Http.SendAsync(Requests.Post(_cluster.Followers[0], "/replicate", Requests.Append(1, "k", "1"), "text/plain"));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
    }

    [Fact]
    public async Task A_malformed_append_is_400()
    {
        using var response = await _cluster.Http.SendAsync(Requests.Post(_cluster.Followers[0], "/replicate", "{\"term\": 1, \"entries\": [{\"index\": -3}]}"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("malformed-append", Requests.TypeName(await Requests.ProblemAsync(response)));
    }

    [Theory]
    [InlineData("GET", "/nothing-here")]
    [InlineData("POST", "/writes")]
    [InlineData("GET", "/kv/a/b")]
    public async Task An_unknown_route_is_404_problem(string method, string path)
    {
        using var response = await _cluster.Http.SendAsync(new HttpRequestMessage(new HttpMethod(method), new Uri(_cluster.Leader, path)));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains(path, (await Requests.ProblemAsync(response)).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("GET", "/write", "POST")]
    [InlineData("DELETE", "/data", "GET")]
    [InlineData("PUT", "/replicate", "POST")]
    public async Task A_wrong_method_is_405_problem_naming_the_allowed_one(string method, string path, string allowed)
    {
        using var response = await _cluster.Http.SendAsync(new HttpRequestMessage(new HttpMethod(method), new Uri(_cluster.Followers[0], path)));

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Contains(allowed, response.Content.Headers.Allow);
        Assert.Contains(allowed, (await Requests.ProblemAsync(response)).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    /// <summary>A body whose length HttpClient cannot know, so it is sent chunked.</summary>
    private sealed class UnknownLengthStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }
}
