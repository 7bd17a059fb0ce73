using System.CommandLine;
using System.Text.Json;
using LeaderKv.Cli.Client;
using LeaderKv.Client;

namespace LeaderKv.Cli.Commands;

/// <summary><c>leaderkv put KEY VALUE</c>: one write through whichever node leads, found from the nodes given.</summary>
internal static class PutCommand
{
    public static Command Create(Func<IReadOnlyList<Uri>, LeaderKvClient> clients)
    {
        var key = new Argument<string>("KEY") { Description = "The key to write." };
        var value = new Argument<string>("VALUE")
        {
            Description = "The value: parsed as JSON when valid (42, true, {\"a\":1}), else stored as a string.",
        };
        var leader = CommonOptions.Leader();
        var nodes = CommonOptions.Nodes();
        var command = new Command("put", "Write a key through the leader and wait for its write quorum.") { key, value, leader, nodes };
        command.SetAction(async (parse, token) =>
        {
            using var client = clients(CommonOptions.Given(parse, leader, nodes));
            var json = ValueArgument.Parse(parse.GetRequiredValue(value))?.ToJsonString() ?? "null";
            var error = parse.InvocationConfiguration.Error;
            try
            {
                var result = await client.PutJsonAsync(parse.GetRequiredValue(key), json, token);
                await parse.InvocationConfiguration.Output.WriteLineAsync(Describe(result));
                return ExitCodes.Success;
            }
            catch (LeaderKvOutcomeUnknownException ex)
            {
                var where = ex.Index is { } index ? $" (index {index}{(ex.Term is { } term ? $", term {term}" : "")})" : "";
                await error.WriteLineAsync($"error: outcome unknown{where}: {ex.Message}");
                return ExitCodes.Failure;
            }
            catch (LeaderKvRejectedException ex) when (ex is not LeaderKvUnavailableException)
            {
                await error.WriteLineAsync($"error: write rejected, nothing was written: {ex.Message}");
                return ExitCodes.Failure;
            }
        });
        return command;
    }

    /// <summary>The seed's success fields first, so scripts that read them keep working, then what the client learned.</summary>
    private static string Describe(WriteResult result)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("status", "success");
            writer.WriteBoolean("quorum_met", true);
            writer.WriteString("outcome", "committed");
            writer.WriteNumber("index", result.Index);
            writer.WriteNumber("term", result.Term);
            writer.WriteNumber("acks", result.Acks);
            writer.WriteNumber("required", result.Required);
            writer.WriteNumber("quorum_delay_ms", result.QuorumDelay.TotalMilliseconds);
            writer.WriteString("leader", NodeAddress.Format(result.Leader));
            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }
}
