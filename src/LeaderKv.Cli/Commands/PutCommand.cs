using System.CommandLine;
using System.Text.Json;
using LeaderKv.Cli.Client;
using LeaderKv.Client;

namespace LeaderKv.Cli.Commands;

/// <summary>
/// <c>leaderkv put KEY VALUE [--if-index N | --create] [--ttl S]</c>: one write through whichever node
/// leads, found from the nodes given. It carries an Idempotency-Key, so the client retries a write
/// whose outcome was unknown without ever writing it twice.
/// </summary>
internal static class PutCommand
{
    public static Command Create(Func<IReadOnlyList<Uri>, LeaderKvClient> clients)
    {
        var key = new Argument<string>("KEY") { Description = "The key to write." };
        var value = new Argument<string>("VALUE")
        {
            Description = "The value: parsed as JSON when valid (42, true, {\"a\":1}), else stored as a string.",
        };
        var ifIndex = WriteCommandOptions.IfIndex("Compare-and-set: write only if the key is at this index (the index get or put printed).");
        var create = new Option<bool>("--create") { Description = "Write only if the key does not exist yet." };
        var ttl = new Option<long?>("--ttl")
        {
            Description = "Seconds after which the key expires (the leader deletes it).",
            HelpName = "SECONDS",
        };
        var leader = CommonOptions.Leader();
        var nodes = CommonOptions.Nodes();
        var command = new Command("put", "Write a key through the leader and wait for its write quorum.") { key, value, ifIndex, create, ttl, leader, nodes };
        command.Validators.Add(result =>
        {
            if (result.GetValue(ifIndex) is not null && result.GetValue(create))
            {
                result.AddError("--if-index and --create exclude each other.");
            }

            if (result.GetValue(ttl) is <= 0)
            {
                result.AddError("--ttl must be a positive number of seconds.");
            }
        });
        command.SetAction(async (parse, token) =>
        {
            using var client = clients(CommonOptions.Given(parse, leader, nodes));
            var json = ValueArgument.Parse(parse.GetRequiredValue(value))?.ToJsonString() ?? "null";
            var options = new WriteOptions(
                IfIndex: parse.GetValue(ifIndex),
                CreateOnly: parse.GetValue(create),
                TimeToLive: parse.GetValue(ttl) is { } seconds ? TimeSpan.FromSeconds(seconds) : null);
            return await WriteCommandOptions.RunAsync(parse, () => client.PutJsonAsync(parse.GetRequiredValue(key), json, options, token), Describe);
        });
        return command;
    }

    /// <summary>The seed's success fields first, so scripts that read them keep working, then what the client learned.</summary>
    private static string Describe(WriteResult result) => WriteCommandOptions.Json(writer =>
    {
        writer.WriteString("status", "success");
        writer.WriteBoolean("quorum_met", true);
        writer.WriteString("outcome", "committed");
        writer.WriteNumber("index", result.Index);
        writer.WriteNumber("term", result.Term);
        writer.WriteNumber("acks", result.Acks);
        writer.WriteNumber("required", result.Required);
        writer.WriteNumber("quorum_delay_ms", result.QuorumDelay.TotalMilliseconds);
        writer.WriteString("leader", NodeAddress.Format(result.Leader));
        if (result.Replayed)
        {
            writer.WriteBoolean("replayed", true);
        }
    });
}

/// <summary>What <c>put</c> and <c>delete</c> share: the <c>--if-index</c> option and how outcomes are printed and exit.</summary>
internal static class WriteCommandOptions
{
    public static Option<long?> IfIndex(string description) => new("--if-index")
    {
        Description = description,
        HelpName = "N",
        CustomParser = result => long.TryParse(result.Tokens[0].Value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var index) && index > 0
            ? index
            : Fail(result),
    };

    /// <summary>Runs one write: prints its answer (exit 0), or says why not (exit 1: rejected, condition failed, outcome unknown).</summary>
    public static async Task<int> RunAsync(ParseResult parse, Func<Task<WriteResult>> write, Func<WriteResult, string> describe)
    {
        var error = parse.InvocationConfiguration.Error;
        try
        {
            var result = await write();
            await parse.InvocationConfiguration.Output.WriteLineAsync(describe(result));
            return ExitCodes.Success;
        }
        catch (LeaderKvConditionFailedException ex)
        {
            var current = ex.CurrentIndex == 0 ? "the key does not exist" : $"the key is at index {ex.CurrentIndex}";
            await error.WriteLineAsync($"error: condition failed ({current}); nothing was changed: {ex.Message}");
            return ExitCodes.Failure;
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
    }

    public static string Json(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            write(writer);
            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static long? Fail(System.CommandLine.Parsing.ArgumentResult result)
    {
        result.AddError($"--if-index takes a positive index, not '{result.Tokens[0].Value}'.");
        return null;
    }
}
