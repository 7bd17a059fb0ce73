using System.CommandLine;
using System.CommandLine.Parsing;
using LeaderKv.Cli.Client;

namespace LeaderKv.Cli.Commands;

/// <summary>Options several commands share.</summary>
internal static class CommonOptions
{
    public const string DefaultLeader = "http://127.0.0.1:8000";

    /// <summary>Nodes used when none is given: the six that <c>leaderkv up</c> starts by default, 8000 first.</summary>
    public static readonly IReadOnlyList<Uri> DefaultNodes =
        [.. Enumerable.Range(8000, 6).Select(port => NodeAddress.Parse($"http://127.0.0.1:{port}"))];

    /// <summary>The seed-era flag: one node, tried first. Any node works now; the leader is found from it.</summary>
    public static Option<Uri?> Leader() => new("--leader")
    {
        Description = "A node to start from, tried first (the leader, or any node: the leader is found from it).",
        HelpName = "URL",
        CustomParser = result => ParseUrl(result.Tokens[0].Value, result),
    };

    /// <summary><c>--node URL</c>, repeatable and comma-separated.</summary>
    public static Option<Uri[]> Nodes() => new("--node")
    {
        Description = $"A node of the cluster; repeat or comma-separate for several. The leader is found from them (default: {DefaultLeader} to :8005).",
        HelpName = "URL",
        AllowMultipleArgumentsPerToken = false,
        CustomParser = result => result.Tokens
            .SelectMany(t => t.Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Select(text => ParseUrl(text, result))
            .ToArray(),
    };

    /// <summary>The nodes a command was given: <c>--leader</c> first, then every <c>--node</c>; the defaults when neither is.</summary>
    public static IReadOnlyList<Uri> Given(ParseResult parse, Option<Uri?> leader, Option<Uri[]> nodes)
    {
        var given = new List<Uri>();
        if (parse.GetValue(leader) is { } first)
        {
            given.Add(first);
        }

        given.AddRange(parse.GetValue(nodes) ?? []);
        return given.Count > 0 ? given.Distinct().ToList() : DefaultNodes;
    }

    /// <summary>Parses a node URL, reporting a bad one as a usage error instead of an exception.</summary>
    public static Uri ParseUrl(string text, ArgumentResult result)
    {
        if (NodeAddress.TryParse(text, out var url))
        {
            return url!;
        }

        result.AddError($"'{text}' is not an http:// or https:// URL.");
        return new Uri("http://invalid/");
    }
}
