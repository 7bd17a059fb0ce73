using System.CommandLine;
using System.Text.Json;
using LeaderKv.Client;

namespace LeaderKv.Cli.Commands;

/// <summary><c>leaderkv list PREFIX</c>: every key with the prefix, in key order (<c>GET /kv</c>, page after page), one <c>key value index</c> line each.</summary>
internal static class ListCommand
{
    public static Command Create(Func<IReadOnlyList<Uri>, LeaderKvClient> clients)
    {
        var prefix = new Argument<string>("PREFIX") { Description = "List keys starting with this (\"\" for every key).", DefaultValueFactory = _ => string.Empty };
        var leader = CommonOptions.Leader();
        var nodes = CommonOptions.Nodes();
        var local = new Option<bool>("--local") { Description = "List the first node given's own copy instead of the leader's." };
        var linearizable = new Option<bool>("--linearizable") { Description = "Have the leader confirm its leadership first: the listing reflects every write answered before it." };
        var command = new Command("list", "List keys with a prefix, in key order, as 'key value index' lines.") { prefix, leader, nodes, local, linearizable };
        command.SetAction(async (parse, token) =>
        {
            var given = CommonOptions.Given(parse, leader, nodes);
            using var client = clients(given);
            var read = new ReadOptions(
                Node: parse.GetValue(local) ? given[0] : null,
                Consistency: parse.GetValue(linearizable) ? ReadConsistency.Linearizable : null);
            var output = parse.InvocationConfiguration.Output;
            try
            {
                await foreach (var entry in client.ListAllAsync(parse.GetValue(prefix) ?? string.Empty, read, token))
                {
                    await output.WriteLineAsync($"{entry.Key} {Compact(entry.Value)} {entry.Index}");
                }

                return ExitCodes.Success;
            }
            catch (LeaderKvRejectedException ex) when (ex is not LeaderKvUnavailableException)
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync($"error: list answered {(int?)ex.StatusCode}: {ex.Message}");
                return ExitCodes.Failure;
            }
        });
        return command;
    }

    internal static string Compact(JsonElement value)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            value.WriteTo(writer);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }
}
