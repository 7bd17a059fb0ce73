using System.CommandLine;
using LeaderKv.Cli.Client;

namespace LeaderKv.Cli.Commands;

/// <summary>Options several commands share.</summary>
internal static class CommonOptions
{
    public const string DefaultLeader = "http://127.0.0.1:8000";

    public static Option<Uri> Leader() => new("--leader")
    {
        Description = "Base URL of the leader.",
        HelpName = "URL",
        DefaultValueFactory = _ => NodeAddress.Parse(DefaultLeader),
        CustomParser = result => ParseUrl(result.Tokens[0].Value, result),
    };

    /// <summary>Parses a node URL, reporting a bad one as a usage error instead of an exception.</summary>
    public static Uri ParseUrl(string text, System.CommandLine.Parsing.ArgumentResult result)
    {
        if (NodeAddress.TryParse(text, out var url))
        {
            return url!;
        }

        result.AddError($"'{text}' is not an http:// or https:// URL.");
        return new Uri("http://invalid/");
    }
}
