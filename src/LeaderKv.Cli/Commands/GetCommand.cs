using System.CommandLine;
using System.Text.Json;
using LeaderKv.Client;

namespace LeaderKv.Cli.Commands;

/// <summary><c>leaderkv get KEY</c>: <c>GET /kv/{key}</c> on the leader (or, with <c>--local</c>, on the node given), printing the value as JSON.</summary>
internal static class GetCommand
{
    public static Command Create(Func<IReadOnlyList<Uri>, LeaderKvClient> clients)
    {
        var key = new Argument<string>("KEY") { Description = "The key to read." };
        var leader = CommonOptions.Leader();
        var nodes = CommonOptions.Nodes();
        var local = new Option<bool>("--local")
        {
            Description = "Read the first node given's own copy (a follower's, say) instead of the leader's.",
        };
        var minIndex = new Option<long?>("--min-index")
        {
            Description = "Read-your-writes: wait until the node has applied this index (the index put printed).",
            HelpName = "N",
        };
        var command = new Command("get", "Read one key from the leader and print its value as JSON.") { key, leader, nodes, local, minIndex };
        command.SetAction(async (parse, token) =>
        {
            var given = CommonOptions.Given(parse, leader, nodes);
            using var client = clients(given);
            var name = parse.GetRequiredValue(key);
            var read = new ReadOptions(Node: parse.GetValue(local) ? given[0] : null, MinIndex: parse.GetValue(minIndex));
            try
            {
                if (await client.GetAsync(name, read, token) is not { } entry)
                {
                    await parse.InvocationConfiguration.Error.WriteLineAsync($"error: key '{name}' not found");
                    return ExitCodes.Failure;
                }

                await parse.InvocationConfiguration.Output.WriteLineAsync(Compact(entry.Value));
                return ExitCodes.Success;
            }
            catch (LeaderKvRejectedException ex) when (ex is not LeaderKvUnavailableException)
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync($"error: read answered {(int?)ex.StatusCode}: {ex.Message}");
                return ExitCodes.Failure;
            }
        });
        return command;
    }

    private static string Compact(JsonElement value)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            value.WriteTo(writer);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }
}
