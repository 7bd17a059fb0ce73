using System.Reflection;
using LeaderKv.Node;
using LeaderKv.Node.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace LeaderKv.Cluster.Tests.Observability;

/// <summary>LOG_FORMAT and the event ids that log queries select on.</summary>
public sealed class LoggingTests
{
    [Theory]
    [InlineData(null, LogFormat.Text)]
    [InlineData("text", LogFormat.Text)]
    [InlineData(" JSON ", LogFormat.Json)]
    public void LOG_FORMAT_selects_the_console_format(string? value, LogFormat expected)
    {
        var result = NodeSettings.Parse(new NodeOptions { LogFormat = value });

        Assert.Empty(result.Errors);
        Assert.Equal(expected, result.Settings!.Logging.Format);
    }

    [Fact]
    public void An_unknown_LOG_FORMAT_is_a_start_up_error_naming_the_variable()
    {
        var result = NodeSettings.Parse(new NodeOptions { LogFormat = "xml" });

        Assert.Null(result.Settings);
        Assert.Contains(result.Errors, e => e.StartsWith("LOG_FORMAT", StringComparison.Ordinal));
    }

    /// <summary>Goal: LOG_FORMAT=json reaches the console logger. Method: build a node with it and read the console logger's options.</summary>
    [Fact]
    public async Task A_json_node_logs_through_the_json_console_formatter()
    {
        var settings = new NodeSettings { Role = NodeRole.Follower, Logging = new LoggingSettings { Format = LogFormat.Json } };
        await using var app = NodeHost.Build(settings, ["--urls", "http://127.0.0.1:0"]);

        Assert.Equal(ConsoleFormatterNames.Json, app.Services.GetRequiredService<IOptionsMonitor<ConsoleLoggerOptions>>().CurrentValue.FormatterName);
    }

    [Fact]
    public void Every_log_event_has_its_own_explicit_event_id()
    {
        var events = typeof(NodeHost).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic))
            .Select(m => (Method: m, Attribute: m.GetCustomAttribute<LoggerMessageAttribute>()))
            .Where(e => e.Attribute is not null)
            .ToList();

        Assert.NotEmpty(events);
        Assert.All(events, e => Assert.True(e.Attribute!.EventId > 0, $"{e.Method.Name} has no explicit EventId"));
        Assert.Equal(events.Count, events.Select(e => e.Attribute!.EventId).Distinct().Count());
    }
}
